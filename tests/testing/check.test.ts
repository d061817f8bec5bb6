import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { check, beginGradedCell, endGradedCell, receiveGraderSecret, CheckFailure } from '../../src/testing/check';
import { expectClose, expectNoLeaks, expectShape } from '../../src/testing/expect';
import { CELL_SUMMARY_MIME, CHECK_MIME, verifyCheck, verifySummary, type CellSummary, type SignedCheckRecord } from '../../src/testing/protocol';
import { setDisplayWriter, type DisplayMessage } from '../../src/viz/display';

let shown: DisplayMessage[] = [];
beforeEach(() => {
  shown = [];
  setDisplayWriter((m) => shown.push(m));
});
afterEach(() => setDisplayWriter(undefined));

const records = () => shown.map((m) => m.data[CHECK_MIME] as SignedCheckRecord);
const lines = () => shown.map((m) => m.data['text/plain']);

test('a check shows one line and reports pass, fail (expectation) or error (crash)', async () => {
  await check('passes', 2, () => expectClose(1 + 1, 2));
  await check('fails', 1, () => expectClose([1, 2, 3], [1, 2, 4]));
  await check('crashes', 1, () => {
    throw new TypeError('boom');
  });
  assert.deepEqual(records().map((r) => [r.name, r.status, r.points, r.maxPoints, r.signature]), [
    ['passes', 'pass', 2, 2, null],
    ['fails', 'fail', 0, 1, null],
    ['crashes', 'error', 0, 1, null],
  ]);
  assert.equal(lines()[0], '✔ passes (2/2)');
  assert.equal(lines()[1], '✖ fails (0/1): value differs in 1 of 3 elements: at [2] expected 4, got 3 (rtol 0.00001, atol 0.000001)');
  assert.equal(lines()[2], '✖ crashes (0/1): error: TypeError: boom');
});

const SECRET = 'c'.repeat(64);

test('Under the grader, are results numbered and signed with the run secret and cell nonce, and nested checks refused?', async () => {
  receiveGraderSecret(() => Buffer.from(`${SECRET}\n`));
  assert.throws(() => receiveGraderSecret(() => Buffer.from('d'.repeat(64))), /the grader secret was already read/);
  beginGradedCell('ex-1', 'nonce-1');
  await check('first', 1, () => undefined);
  await check('outer', 1, async () => {
    await check('inner', 5, () => undefined);
  });
  const [first, outer] = records();
  assert.equal(records().length, 2, 'the nested check reports nothing');
  assert.deepEqual([first.seq, outer.seq], [0, 2], 'the refusal is recorded (quietly) as a failure of the outer check');
  assert.equal(outer.status, 'fail');
  assert.match(outer.message, /check "inner" was started inside check "outer"; checks cannot be nested/);
  assert.equal(verifyCheck(outer, SECRET, 'nonce-1'), true);
  assert.equal(verifyCheck(outer, SECRET, 'nonce-2'), false);
  assert.equal(outer.gradeId, 'ex-1');

  endGradedCell('close-1');
  const summary = shown.at(-1)!.data[CELL_SUMMARY_MIME] as CellSummary;
  assert.equal(verifySummary(summary, SECRET, 'nonce-1', 'close-1'), true);
  assert.deepEqual(summary.records.map((r) => [r.seq, r.name, r.status]), [[0, 'first', 'pass'], [1, 'outer', 'fail'], [2, 'outer', 'fail']]);
  assert.deepEqual(summary.tampered, []);

  shown = [];
  await check('after the cell', 1, () => undefined);
  assert.equal(records()[0].signature, null, 'a check outside a graded cell is not signed');
});

test('bad arguments to check are errors with fixed messages', async () => {
  await assert.rejects(check('', 1, () => undefined), { message: 'Error in check: name must be a non-empty string' });
  await assert.rejects(check('x', -1, () => undefined), { message: 'Error in check: points must be a number >= 0, but got -1' });
});

test('expectClose and expectShape say what differs', () => {
  assert.throws(() => expectShape(tf.zeros([2, 3]), [3, 2], 'logits'), new CheckFailure('logits has shape [2,3], expected [3,2]'));
  assert.throws(() => expectClose(tf.tensor2d([[1, 2], [3, 4]]), [[1, 2], [3, 5]], { what: 'sim' }), /sim differs in 1 of 4 elements: at \[1, 1\] expected 5, got 4/);
  expectClose(tf.tensor1d([1, 2]), [1, 2.000001]);
});

test('expectNoLeaks catches a function that leaks tensors', async () => {
  await expectNoLeaks(() => tf.tidy(() => tf.ones([2]).add(1)), 1);
  const kept: tf.Tensor[] = [];
  await assert.rejects(expectNoLeaks(() => void kept.push(tf.ones([2])), 0, 'leaky'), /leaky leaked 1 tensor per call/);
  tf.dispose(kept);
});
