import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayBundle, newDisplayHandle, findDisplayWriter, setDisplayWriter } from '../../src/viz';
import { captureWriter } from './helpers';

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
  const handle = newDisplayHandle({ writer });
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
