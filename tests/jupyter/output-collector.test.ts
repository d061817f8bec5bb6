import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorFromStderr, OutputCollector } from '../../src/jupyter/output-collector';
import type { Output } from '../../src/jupyter/notebook';

test('streams of one name merge; another name or a display starts a new output; onOutput sees each piece', () => {
  const seen: Output[] = [];
  const c = new OutputCollector(1000, (o) => seen.push(o));
  c.handle('stream', { name: 'stdout', text: 'a' });
  c.handle('stream', { name: 'stdout', text: 'b\n' });
  c.handle('stream', { name: 'stderr', text: 'warn\n' });
  c.handle('display_data', { data: { 'text/plain': 'x' }, metadata: {} });
  c.handle('stream', { name: 'stdout', text: 'c' });
  c.handle('status', { execution_state: 'idle' });
  assert.deepEqual(c.outputs, [
    { output_type: 'stream', name: 'stdout', text: 'ab\n' },
    { output_type: 'stream', name: 'stderr', text: 'warn\n' },
    { output_type: 'display_data', data: { 'text/plain': 'x' }, metadata: {} },
    { output_type: 'stream', name: 'stdout', text: 'c' },
  ]);
  assert.equal(seen.length, 5, 'every chunk and output reported once');
});

test('update_display_data rewrites every output with that display_id, in place', () => {
  const c = new OutputCollector();
  c.handle('display_data', { data: { 'text/plain': '0%' }, metadata: {}, transient: { display_id: 'bar' } });
  c.handle('display_data', { data: { 'text/plain': 'other' }, metadata: {}, transient: { display_id: 'chart' } });
  c.handle('display_data', { data: { 'text/plain': '0% again' }, metadata: {}, transient: { display_id: 'bar' } });
  c.handle('update_display_data', { data: { 'text/plain': '100%' }, metadata: { done: true }, transient: { display_id: 'bar' } });
  c.handle('update_display_data', { data: { 'text/plain': 'nobody' }, metadata: {}, transient: { display_id: 'unknown' } });
  assert.deepEqual(c.outputs.map((o) => (o as { data: Record<string, unknown> }).data['text/plain']), ['100%', 'other', '100%']);
  assert.equal(c.outputs.length, 3, 'an update adds no output');
});

test('clear_output clears at once, or with wait: true just before the next output', () => {
  const c = new OutputCollector();
  c.handle('stream', { name: 'stdout', text: 'old' });
  c.handle('clear_output', { wait: false });
  assert.deepEqual(c.outputs, []);
  c.handle('stream', { name: 'stdout', text: 'frame 1' });
  c.handle('clear_output', { wait: true });
  assert.equal(c.outputs.length, 1, 'kept until something new comes');
  c.handle('stream', { name: 'stdout', text: 'frame 2' });
  assert.deepEqual(c.outputs, [{ output_type: 'stream', name: 'stdout', text: 'frame 2' }], 'replaced, not appended to frame 1');
  c.handle('display_data', { data: {}, metadata: {}, transient: { display_id: 'd' } });
  c.handle('clear_output', { wait: false });
  c.handle('update_display_data', { data: { 'text/plain': 'late' }, metadata: {}, transient: { display_id: 'd' } });
  assert.deepEqual(c.outputs, [], 'a cleared display is not brought back by an update');
});

test('stream text over the cap is counted, not kept, and noted at the end; errors and results are kept', () => {
  const c = new OutputCollector(10);
  c.handle('stream', { name: 'stdout', text: '12345' });
  c.handle('stream', { name: 'stdout', text: '6789' });
  c.handle('stream', { name: 'stdout', text: 'overflow' });
  c.handle('execute_result', { execution_count: 3, data: { 'text/plain': '42' }, metadata: {} });
  c.handle('error', { ename: 'RangeError', evalue: 'bad', traceback: ['RangeError: bad'] });
  c.noteDropped();
  assert.equal((c.outputs[0] as { text: string }).text, '123456789');
  assert.equal(c.droppedBytes, 8);
  assert.deepEqual(c.outputs[1], { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': '42' }, metadata: {} });
  assert.deepEqual(c.outputs[2], { output_type: 'error', ename: 'RangeError', evalue: 'bad', traceback: ['RangeError: bad'] });
  assert.match((c.outputs[3] as { text: string }).text, /8 more bytes of output were dropped; a cell keeps at most 10 bytes/);
});

test('errorFromStderr names TypeScript errors, thrown errors and anything else', () => {
  assert.deepEqual(errorFromStderr('2:20 - Property \'x\' does not exist on type \'Y\'.\n'), {
    output_type: 'error', ename: 'TypeScriptError', evalue: "2:20 - Property 'x' does not exist on type 'Y'.", traceback: ["TypeScriptError: 2:20 - Property 'x' does not exist on type 'Y'."],
  });
  assert.equal(errorFromStderr('cell.ts 3:1 - Cannot find name \'tf\'.').evalue, "3:1 - Cannot find name 'tf'.");
  const thrown = errorFromStderr('some log line\nError: Error in ntXentLoss: z1 must be float32\n    at foo (x.js:1:1)');
  assert.deepEqual([thrown.ename, thrown.evalue], ['Error', 'Error in ntXentLoss: z1 must be float32']);
  assert.deepEqual([errorFromStderr('RangeError: Invalid array length').ename, errorFromStderr('').evalue], ['RangeError', 'the cell failed']);
});

test('displays and results over their cap are dropped whole, counted and noted; updates count too (issue 15)', () => {
  const c = new OutputCollector(1000, undefined, 100);
  c.handle('display_data', { data: { 'text/plain': 'a'.repeat(60) }, metadata: {}, transient: { display_id: 'd' } });
  c.handle('execute_result', { execution_count: 1, data: { 'text/html': 'b'.repeat(50) }, metadata: {} });
  c.handle('display_data', { data: { 'text/plain': 'c'.repeat(40) }, metadata: {} });
  assert.equal(c.outputs.length, 2, 'the third fits');
  assert.deepEqual([c.droppedDisplays, c.droppedDisplayBytes], [1, 50]);
  c.handle('update_display_data', { data: { 'text/plain': 'd'.repeat(70) }, metadata: {}, transient: { display_id: 'd' } });
  assert.equal(c.droppedDisplays, 2, 'an update that would pass the cap is dropped');
  c.handle('update_display_data', { data: { 'text/plain': 'e'.repeat(10) }, metadata: {}, transient: { display_id: 'd' } });
  assert.equal((c.outputs[0] as { data: Record<string, string> }).data['text/plain'], 'e'.repeat(10), 'a smaller update applies');
  c.handle('display_data', { data: { 'text/plain': 'f'.repeat(50) }, metadata: {} });
  assert.equal(c.outputs.length, 3, 'the space the update freed is used again');
  c.noteDropped();
  assert.match((c.outputs[3] as { text: string }).text, /2 display output\(s\) were dropped \(120 bytes\); a cell keeps at most 100 bytes of displays and results/);
});

test('clear_output frees the display budget; huge error texts are cut, not dropped (issue 15)', () => {
  const c = new OutputCollector(1000, undefined, 100);
  c.handle('display_data', { data: { 'text/plain': 'a'.repeat(90) }, metadata: {} });
  c.handle('clear_output', { wait: true });
  c.handle('display_data', { data: { 'text/plain': 'b'.repeat(90) }, metadata: {} });
  assert.deepEqual(c.outputs.map((o) => (o as { data: Record<string, string> }).data['text/plain'][0]), ['b']);
  assert.equal(c.droppedDisplays, 0);
  c.handle('error', { ename: 'RangeError', evalue: 'x'.repeat(20_000), traceback: Array.from({ length: 150 }, () => 'line') });
  const error = c.outputs[1] as { evalue: string; traceback: string[] };
  assert.equal(error.evalue.length, 8000 + '… [12000 more characters]'.length);
  assert.equal(error.traceback.length, 101);
  assert.equal(error.traceback[100], '… [50 more lines]');
  c.noteDropped();
  assert.match((c.outputs[2] as { text: string }).text, /1 error message\(s\) were cut to 8000 characters per line and 100 lines/);
});
