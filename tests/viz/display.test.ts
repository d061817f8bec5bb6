import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayBundle, newDisplayHandle, findDisplayWriter, setDisplayWriter } from '../../src/viz/display';
import { captureWriter, fakeClock } from './helpers';

test('displayBundle sends the whole bundle as one display_data message', () => {
  const { writer, messages } = captureWriter();
  const data = { 'text/plain': 'hi', 'text/html': '<b>hi</b>', 'image/svg+xml': '<svg/>' };
  assert.equal(displayBundle(data, { writer, metadata: { 'image/svg+xml': { isolated: true } } }), 'kernel');
  assert.equal(messages.length, 1);
  assert.deepEqual(messages[0], {
    message: { data, metadata: { 'image/svg+xml': { isolated: true } }, transient: {} },
    update: false,
  });
});

test('displayBundle with displayId and update sends update_display_data for that id', () => {
  const { writer, messages } = captureWriter();
  displayBundle({ 'text/plain': 'v2' }, { writer, displayId: 'abc', update: true });
  assert.deepEqual(messages[0].message.transient, { display_id: 'abc' });
  assert.equal(messages[0].update, true);
});

test('outside a kernel the text/plain part is printed, updates are not', () => {
  const printed: string[] = [];
  assert.equal(displayBundle({ 'text/plain': 'chart summary', 'image/svg+xml': '<svg/>' }, { writer: null, print: (s) => printed.push(s) }), 'stdout');
  displayBundle({ 'text/plain': 'an update' }, { writer: null, update: true, displayId: 'x', print: (s) => printed.push(s) });
  assert.deepEqual(printed, ['chart summary']);
});

test('newDisplayHandle: first show adds, later shows replace, all with one display_id', () => {
  const { writer, messages } = captureWriter();
  const handle = newDisplayHandle({ writer, minIntervalMs: 0 });
  handle.show({ 'text/plain': '1' });
  handle.show({ 'text/plain': '2' });
  handle.show({ 'text/plain': '3' });
  assert.deepEqual(messages.map((m) => m.update), [false, true, true]);
  assert.ok(messages.every((m) => m.message.transient.display_id === handle.id));
  assert.match(handle.id, /^[0-9a-f]{16}$/);
  assert.notEqual(newDisplayHandle().id, handle.id);
});

test('findDisplayWriter: null in plain Node, the injected writer when set, tslab lookup when reset', () => {
  assert.equal(findDisplayWriter(), null);
  const { writer, messages } = captureWriter();
  setDisplayWriter(writer);
  try {
    assert.equal(findDisplayWriter(), writer);
    displayBundle({ 'text/plain': 'x' });
    assert.equal(messages.length, 1);
  } finally {
    setDisplayWriter(undefined);
  }
  assert.equal(findDisplayWriter(), null);
});

test('findDisplayWriter reads tslab\'s current lastWriteDisplayData from a loaded tslab module at call time', () => {
  // Stand-in for node_modules/tslab/dist/jupyter.js as loaded by a running kernel.
  const file = '/fake/node_modules/tslab/dist/jupyter.js';
  const exports: { lastWriteDisplayData: unknown } = { lastWriteDisplayData: null };
  require.cache[file] = { id: file, filename: file, loaded: true, exports } as unknown as NodeJS.Module;
  try {
    assert.equal(findDisplayWriter(), null, 'no execute request yet');
    const first = captureWriter();
    exports.lastWriteDisplayData = first.writer;
    assert.equal(findDisplayWriter(), first.writer);
    const second = captureWriter(); // the next cell's writer
    exports.lastWriteDisplayData = second.writer;
    displayBundle({ 'text/plain': 'x' });
    assert.equal(first.messages.length, 0);
    assert.equal(second.messages.length, 1);
  } finally {
    delete require.cache[file];
  }
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const texts = (messages: ReturnType<typeof captureWriter>['messages']) => messages.map((m) => m.message.data['text/plain']);

test('Issue 12: are 10,000 updates in a tight loop coalesced to the latest state, sent after the interval?', async () => {
  const { writer, messages } = captureWriter();
  const handle = newDisplayHandle({ writer, minIntervalMs: 40 });
  for (let i = 0; i < 10_000; i++) assert.equal(handle.show({ 'text/plain': `step ${i}` }), 'kernel');
  assert.deepEqual(texts(messages), ['step 0'], 'only the first output goes out at once');
  await sleep(80);
  assert.deepEqual(texts(messages), ['step 0', 'step 9999'], 'then the latest state, once');
  assert.deepEqual(messages.map((m) => m.update), [false, true]);
  await sleep(60);
  assert.equal(messages.length, 2, 'nothing more is sent when nothing changed');
});

test('Issue 12: does an update wait out the interval only when the last one was recent, and does flush send it at once?', () => {
  const { writer, messages } = captureWriter();
  const clock = fakeClock(1000);
  const handle = newDisplayHandle({ writer, minIntervalMs: 100, now: clock.now });
  handle.show({ 'text/plain': 'a' });
  clock.advance(150);
  handle.show({ 'text/plain': 'b' }); // 150 ms after the last send: goes at once
  clock.advance(10);
  handle.show({ 'text/plain': 'c' }); // 10 ms after: held back
  handle.show({ 'text/plain': 'd' }); // replaces c
  assert.deepEqual(texts(messages), ['a', 'b']);
  handle.flush();
  assert.deepEqual(texts(messages), ['a', 'b', 'd']);
  handle.flush();
  assert.equal(messages.length, 3, 'flush with nothing held back sends nothing');
  assert.throws(() => newDisplayHandle({ writer, minIntervalMs: -1 }), /Error in newDisplayHandle: minIntervalMs must be a non-negative number, but got -1/);
});

test('Issue 12: does a writer that throws never reach the caller, and is it reported once on stderr?', (t) => {
  const failing = () => {
    throw new Error('Socket is busy writing');
  };
  const errors: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string) => (errors.push(String(chunk)), true));
  const results = [displayBundle({ 'text/plain': 'x' }, { writer: failing }), displayBundle({ 'text/plain': 'y' }, { writer: failing })];
  const handle = newDisplayHandle({ writer: failing, minIntervalMs: 0 });
  assert.doesNotThrow(() => {
    handle.show({ 'text/plain': '1' });
    handle.show({ 'text/plain': '2' });
    handle.flush();
  });
  t.mock.restoreAll();
  assert.deepEqual(results, ['failed', 'failed']);
  // node --test runs each file in its own process, and no other test here makes a writer fail
  assert.equal(errors.length, 1, `reported once, got ${JSON.stringify(errors)}`);
  assert.match(errors[0], /selfsup: a notebook output could not be sent and was dropped \(Socket is busy writing\); later failures are not reported/);
});
