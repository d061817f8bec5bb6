import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonical, signCheck, signSummary, verifyCheck, verifySummary, type CheckRecord } from '../../src/testing/protocol';

const SECRET = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const record: CheckRecord & { seq: number } = { gradeId: 'ex1', name: 'adds', status: 'pass', points: 1, maxPoints: 1, message: '', seq: 0 };

test('Does a signed check verify only with the run secret, its cell nonce and unchanged fields?', () => {
  const signature = signCheck(record, SECRET, 'nonce-a');
  assert.equal(verifyCheck({ ...record, signature }, SECRET, 'nonce-a'), true);
  assert.equal(verifyCheck({ ...record, signature }, OTHER, 'nonce-a'), false);
  assert.equal(verifyCheck({ ...record, signature }, SECRET, 'nonce-b'), false, 'a result cannot be replayed into another cell');
  assert.equal(verifyCheck({ ...record, signature: null }, SECRET, 'nonce-a'), false);
  for (const change of [{ status: 'fail' }, { points: 2 }, { name: 'other' }, { gradeId: 'ex2' }, { maxPoints: 5 }, { message: 'x' }, { seq: 1 }] as const) {
    assert.equal(verifyCheck({ ...record, ...change, signature }, SECRET, 'nonce-a'), false, JSON.stringify(change));
  }
});

test('Does a cell summary verify only for its closing nonce, with every record and finding unchanged?', () => {
  const summary = { gradeId: 'ex1', records: [record, { ...record, name: 'b', status: 'fail' as const, points: 0, seq: 1 }], tampered: [] as string[] };
  const signature = signSummary(summary, SECRET, 'nonce-a', 'close-a');
  assert.equal(verifySummary({ ...summary, signature }, SECRET, 'nonce-a', 'close-a'), true);
  assert.equal(verifySummary({ ...summary, signature }, SECRET, 'nonce-a', 'close-b'), false, 'a summary made before the closing line cannot pass');
  assert.equal(verifySummary({ ...summary, records: [record], signature }, SECRET, 'nonce-a', 'close-a'), false, 'a dropped record breaks it');
  assert.equal(verifySummary({ ...summary, tampered: ['x'], signature }, SECRET, 'nonce-a', 'close-a'), false);
  assert.equal(verifySummary({ ...summary, records: 'x' as never, signature }, SECRET, 'nonce-a', 'close-a'), false);
});

test('Is the signed text immune to patched toJSON and JSON.stringify, and unambiguous?', () => {
  const before = signCheck(record, SECRET, 'n');
  const saved = JSON.stringify;
  Object.defineProperty(Array.prototype, 'toJSON', { value: () => ['forged'], configurable: true, writable: true });
  Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'forged', configurable: true, writable: true });
  try {
    assert.equal(signCheck(record, SECRET, 'n'), before);
  } finally {
    delete (Array.prototype as { toJSON?: unknown }).toJSON;
    delete (Object.prototype as { toJSON?: unknown }).toJSON;
  }
  assert.equal(JSON.stringify, saved);
  assert.notEqual(canonical(['a:b', 'c']), canonical(['a', 'b:c']));
  assert.notEqual(canonical(['1', 1, null]), canonical([1, '1', 'null']));
});
