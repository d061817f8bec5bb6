// Tampering is sticky for the whole process (a patch that is undone has still been seen), so
// this file runs its cases in order, each adding one finding; node --test gives it its own process.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncResource } from 'node:async_hooks';
import * as tf from '@tensorflow/tfjs';
import { check, beginGradedCell, endGradedCell } from '../../src/testing/check';
import { expectClose, expectNoLeaks } from '../../src/testing/expect';
import { tamperFindings } from '../../src/testing/guard';
import { CELL_SUMMARY_MIME, CHECK_MIME, type CellSummary, type SignedCheckRecord } from '../../src/testing/protocol';
import { setDisplayWriter, type DisplayMessage } from '../../src/viz/display';

let shown: DisplayMessage[] = [];
beforeEach(() => {
  shown = [];
  setDisplayWriter((m) => shown.push(m));
});
afterEach(() => setDisplayWriter(undefined));
const last = () => shown.filter((m) => m.data[CHECK_MIME]).at(-1)!.data[CHECK_MIME] as SignedCheckRecord;

test('Does a check pass in an untouched environment, with nothing found?', async () => {
  await check('clean', 1, () => expectClose(1, 1));
  assert.equal(last().status, 'pass');
  assert.deepEqual(tamperFindings(), []);
});

test('Does replacing Math.abs fail the check with "environment tampered: Math.abs was replaced", even once put back?', async () => {
  const abs = Math.abs;
  Math.abs = () => 0;
  try {
    await check('uses abs', 1, () => expectClose(1, 2)); // expectClose itself uses the captured abs
    assert.equal(last().status, 'fail');
    assert.equal(last().message, 'environment tampered: Math.abs was replaced');
  } finally {
    Math.abs = abs;
  }
  await check('after putting it back', 1, () => undefined);
  assert.equal(last().status, 'fail');
  assert.match(last().message, /Math\.abs was replaced/);
});

test('Is a JSON.parse hook that removes itself before the check still caught (trip-wire)?', async () => {
  const parse = JSON.parse;
  JSON.parse = (text: string) => parse(text);
  JSON.parse = parse;
  assert.throws(() => Object.defineProperty(JSON, 'parse', { value: () => 1 }), /Cannot redefine property/);
  await check('after a JSON hook', 1, () => undefined);
  assert.match(last().message, /JSON\.parse was replaced/);
});

test('Are added toJSON methods, replaced tensor reads and a patched engine.memory reported?', async () => {
  Object.defineProperty(Array.prototype, 'toJSON', { value: () => [], configurable: true, writable: true });
  const dataSync = tf.Tensor.prototype.dataSync;
  tf.Tensor.prototype.dataSync = function () {
    return new Float32Array([2]) as never;
  };
  const engine = tf.engine() as unknown as { memory: () => tf.MemoryInfo };
  engine.memory = () => ({ numTensors: 0 }) as tf.MemoryInfo;
  try {
    // the helpers read through what they captured, so the verdicts are the honest ones
    assert.throws(() => expectClose(tf.scalar(1), 2), /expected 2, got 1/);
    const kept: tf.Tensor[] = [];
    await assert.rejects(expectNoLeaks(() => void kept.push(tf.ones([1]))), /leaked 1 tensor/);
    tf.dispose(kept);
    await check('after patching tfjs', 1, () => undefined);
    const message = last().message;
    assert.match(message, /Array\.prototype\.toJSON was added/);
    assert.match(message, /tf\.Tensor\.prototype\.dataSync was replaced/);
    assert.match(message, /tf\.engine\(\)\.memory was added/);
  } finally {
    delete (Array.prototype as { toJSON?: unknown }).toJSON;
    tf.Tensor.prototype.dataSync = dataSync;
    delete (engine as { memory?: unknown }).memory;
  }
});

test('Is a replaced require.cache entry of selfsup/testing reported?', async () => {
  const file = require.resolve('../../src/testing/expect');
  const entry = require.cache[file]!;
  require.cache[file] = { ...entry, exports: { expectClose: () => undefined } } as NodeJS.Module;
  try {
    await check('after replacing a module', 1, () => undefined);
    assert.match(last().message, /the require\.cache entry of selfsup\/\w+\/testing\/expect\.\w+ was replaced/);
  } finally {
    require.cache[file] = entry;
  }
  assert.throws(() => Object.defineProperty(require('../../src/testing/expect'), 'expectClose', { value: () => undefined }), TypeError);
});

test('Does a check started by a timer of earlier code during a graded cell mark the cell as tampered?', async () => {
  const earlier = new AsyncResource('earlier cell'); // the async context of code that ran before the test cell
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      beginGradedCell('ex-t', 'nonce-t');
      resolve();
    });
  });
  await new Promise<void>((resolve) => {
    earlier.runInAsyncScope(() => setTimeout(() => void check('forged', 1, () => undefined).then(() => resolve()), 5));
  });
  endGradedCell('close-t');
  const summary = shown.at(-1)!.data[CELL_SUMMARY_MIME] as CellSummary;
  assert.deepEqual(summary.records, [], "the timer's result is not counted as the cell's");
  assert.ok(summary.tampered.some((t) => /check "forged" was started from a timer or callback of code outside the test cell/.test(t)), summary.tampered.join('\n'));
});

test('Does beginning a graded cell again, before the grader closed it, mark the cell as tampered?', async () => {
  beginGradedCell('ex-r', 'nonce-r');
  await check('honest failure', 1, () => expectClose(1, 2));
  beginGradedCell('ex-r', 'nonce-r'); // would wipe the failure above
  endGradedCell('close-r');
  const summary = shown.at(-1)!.data[CELL_SUMMARY_MIME] as CellSummary;
  assert.ok(summary.tampered.includes('a graded cell was begun again before the grader closed the previous one'), summary.tampered.join('\n'));
});

test('Does a replaced Hmac.prototype.update neither change a signature nor go unreported?', async () => {
  const { createHmac } = await import('node:crypto');
  const { signCheck } = await import('../../src/testing/protocol');
  const record = { gradeId: 'g', name: 'n', status: 'fail' as const, points: 0, maxPoints: 1, message: '', seq: 0 };
  const before = signCheck(record, 'e'.repeat(64), 'nonce');
  const proto = Object.getPrototypeOf(createHmac('sha256', 'k')) as { update: (...a: unknown[]) => unknown };
  const update = proto.update;
  proto.update = function (this: unknown, text: unknown, ...rest: unknown[]) {
    return update.call(this, String(text).replace('fail', 'pass'), ...rest);
  };
  try {
    assert.equal(signCheck(record, 'e'.repeat(64), 'nonce'), before);
    await check('after patching the HMAC', 1, () => undefined);
    assert.match(last().message, /Hmac\.prototype\.update was replaced/);
  } finally {
    proto.update = update;
  }
});

test('Is a secret that is not 64 hex digits refused with a clear message?', async () => {
  const { receiveGraderSecret } = await import('../../src/testing/check');
  assert.throws(() => receiveGraderSecret(() => Buffer.from('not hex')), {
    message: 'Error in receiveGraderSecret: no grader secret on stdin (the grader writes 64 hex digits there when it starts a kernel)',
  });
});
