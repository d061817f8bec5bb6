import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createMessage, decodeMessage, DELIMITER, encodeMessage } from '../../src/jupyter/wire';

test('a message survives encode/decode with its routing ids and buffers', () => {
  const msg = createMessage('execute_request', { code: '1 + 1' }, 'session-1');
  msg.identities = [Buffer.from('peer')];
  msg.buffers = [Buffer.from([1, 2, 3])];
  const frames = encodeMessage(msg, 'secret');
  assert.deepEqual(frames[0], Buffer.from('peer'));
  assert.deepEqual(frames[1], DELIMITER);
  const back = decodeMessage(frames, 'secret');
  assert.equal(back.header.msg_type, 'execute_request');
  assert.equal(back.header.version, '5.3');
  assert.deepEqual(back.content, { code: '1 + 1' });
  assert.deepEqual(back.identities, [Buffer.from('peer')]);
  assert.deepEqual(back.buffers, [Buffer.from([1, 2, 3])]);
});

test('the signature is HMAC-SHA256 over header, parent, metadata and content', () => {
  const msg = createMessage('kernel_info_request', {}, 's');
  const frames = encodeMessage(msg, 'k');
  const h = createHmac('sha256', 'k');
  for (const f of frames.slice(2, 6)) h.update(f);
  assert.equal(frames[1].toString(), h.digest('hex'));
});

test('a tampered or wrongly keyed message is rejected', () => {
  const frames = encodeMessage(createMessage('execute_request', { code: 'a' }, 's'), 'k');
  const tampered = [...frames];
  tampered[5] = Buffer.from(JSON.stringify({ code: 'process.exit()' }));
  assert.throws(() => decodeMessage(tampered, 'k'), /signature does not match/);
  assert.throws(() => decodeMessage(frames, 'other'), /signature does not match/);
  assert.throws(() => decodeMessage([Buffer.from('x')], 'k'), /Malformed Jupyter message/);
});
