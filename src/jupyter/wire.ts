import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * The Jupyter messaging wire format (protocol 5.3): how one message becomes ZeroMQ frames and back.
 * See https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol
 *
 *   [routing ids..., "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers...]
 *
 * hmac = HMAC-SHA256(key, header + parent_header + metadata + content), hex-encoded.
 */

export const DELIMITER = Buffer.from('<IDS|MSG>');
export const PROTOCOL_VERSION = '5.3';

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface JupyterMessage<C = Record<string, any>> {
  header: MessageHeader;
  /** The header of the request this message answers; {} for requests. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
  /** ZeroMQ routing prefix, kept so replies can be routed. */
  identities: Buffer[];
}

/** Build a request message for `session`. */
export function createMessage<C>(msgType: string, content: C, session: string): JupyterMessage<C> {
  return {
    header: {
      msg_id: randomUUID(),
      session,
      username: 'selfsup',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
    identities: [],
  };
}

function sign(key: string, parts: Buffer[]): string {
  if (key === '') return '';
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** Serialise and sign a message into ZeroMQ frames. */
export function encodeMessage(message: JupyterMessage<unknown>, key: string): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((p) =>
    Buffer.from(JSON.stringify(p)),
  );
  return [...message.identities, DELIMITER, Buffer.from(sign(key, parts)), ...parts, ...message.buffers];
}

/**
 * Parse and verify ZeroMQ frames into a message.
 * @throws when the delimiter is missing or the signature does not match (a message from
 *   someone who does not hold the connection key).
 */
export function decodeMessage(frames: Buffer[], key: string): JupyterMessage {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0 || frames.length < at + 6) {
    throw new Error(`Malformed Jupyter message: expected "<IDS|MSG>" followed by 5 frames, got ${frames.length} frames`);
  }
  const signature = frames[at + 1].toString();
  const parts = frames.slice(at + 2, at + 6);
  const expected = sign(key, parts);
  const ok =
    signature.length === expected.length &&
    timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
  if (!ok) throw new Error('Jupyter message signature does not match the connection key; message dropped');
  const [header, parent_header, metadata, content] = parts.map((p) => JSON.parse(p.toString('utf8')));
  return {
    header,
    parent_header,
    metadata,
    content,
    buffers: frames.slice(at + 6),
    identities: frames.slice(0, at),
  };
}
