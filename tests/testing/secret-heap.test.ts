// Its own process (node --test runs each file apart): the secret can be received once per process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSnapshot } from 'node:v8';
import { createSecretKey, randomBytes } from 'node:crypto';
import { receiveGraderSecret, beginGradedCell, check } from '../../src/testing/check';
import { CHECK_MIME, verifyCheck, type SignedCheckRecord } from '../../src/testing/protocol';
import { setDisplayWriter, type DisplayMessage } from '../../src/viz/display';

async function snapshot(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Hex digits of `bytes` as ASCII bytes, never as a JS string (which would land in the heap). */
function hexBytes(bytes: Buffer): Buffer {
  const digits = Buffer.from('0123456789abcdef');
  const out = Buffer.alloc(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  return out;
}

test('Does a V8 heap snapshot of the kernel hold no trace of the secret, while results still verify?', async () => {
  const key = randomBytes(32);
  const hex = hexBytes(key); // what the grader writes to stdin
  const stdin = Buffer.concat([hex, Buffer.from('\n')]);
  receiveGraderSecret(() => stdin);
  assert.ok(stdin.every((b) => b === 0), 'the bytes read from stdin are wiped');

  const shown: DisplayMessage[] = [];
  setDisplayWriter((m) => shown.push(m));
  beginGradedCell('g', 'nonce');
  await check('passes', 1, () => undefined);
  setDisplayWriter(undefined);
  assert.equal(verifyCheck(shown[0].data[CHECK_MIME] as SignedCheckRecord, createSecretKey(key), 'nonce'), true);

  const decoy = randomBytes(32).toString('hex'); // a secret held as a string, as before: found
  const heap = await snapshot();
  assert.ok(heap.indexOf(Buffer.from(decoy)) >= 0, 'the snapshot shows strings held in the heap');
  assert.equal(heap.indexOf(hex), -1, 'the secret is not in the heap as text');
});

test('Is a second attempt to give the secret refused?', () => {
  assert.throws(() => receiveGraderSecret(() => Buffer.from('a'.repeat(64))), /the grader secret was already read/);
});
