import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { threadsFromEnv } from '../../../src/backend/wasm-kernels/threads';

/**
 * The threaded wasm build runs in a child process each time: a wasm backend starts once per process, and the
 * child must also prove that Node exits by itself afterwards (pthread workers unref'd).
 */
const src = path.resolve(__dirname, '../../../src');

function child(mode: 'threads' | 'no-workers' | 'no-shared-memory' | 'default', env: Record<string, string> = {}) {
  const script = `
    const tf = require('@tensorflow/tfjs');
    const mode = ${JSON.stringify(mode)};
    if (mode === 'no-workers') require('worker_threads').Worker = class { constructor() { throw new Error('no workers here'); } };
    if (mode === 'no-shared-memory') delete globalThis.SharedArrayBuffer;
    const { useBackend } = require(${JSON.stringify(path.join(src, 'backend/use-backend'))});
    const { wasmThreadsReport } = require(${JSON.stringify(path.join(src, 'backend/wasm-kernels'))});
    (async () => {
      const report = await useBackend('wasm', { log: () => {}, env: {}, load: () => { throw Object.assign(new Error('x'), { code: 'MODULE_NOT_FOUND' }); } });
      const grads = (backend) => tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 2 * 9 * 9 * 8 }, (_, i) => Math.sin(i)), [2, 9, 9, 8]);
        const w = tf.tensor4d(Array.from({ length: 3 * 3 * 8 * 16 }, (_, i) => Math.cos(i)), [3, 3, 8, 16]);
        return tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a, b, 2, 'same'))))([x, w]).map((g) => Array.from(g.dataSync()));
      });
      const onWasm = grads();
      await tf.setBackend('cpu');
      const onCpu = grads();
      let err = 0, scale = 1;
      onWasm.forEach((g, i) => g.forEach((v, j) => { err = Math.max(err, Math.abs(v - onCpu[i][j])); scale = Math.max(scale, Math.abs(onCpu[i][j])); }));
      console.log('RESULT ' + JSON.stringify({ backend: report.backend, threads: report.threads, line: report.line, info: wasmThreadsReport(), relErr: err / scale }));
    })();`;
  const started = Date.now();
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    timeout: 120_000,
    cwd: path.resolve(src, '..'),
    env: { ...process.env, SELFSUP_BACKEND: '', ...env },
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `child printed no result (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  return { ...JSON.parse(line.slice(7)), status: r.status, signal: r.signal, seconds: (Date.now() - started) / 1000 };
}

test('SELFSUP_WASM_THREADS: a number >= 2 or "auto"; anything else means one thread', () => {
  assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: '2' }), 2);
  assert.ok(threadsFromEnv({ SELFSUP_WASM_THREADS: 'auto' }) >= 1);
  for (const v of [undefined, '', '1', '0', 'off', 'two', '1.5']) assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: v }), 0);
});

test('Does SELFSUP_WASM_THREADS=2 start the threaded build with 2 XNNPACK threads, compute right, and let Node exit?', () => {
  const r = child('threads', { SELFSUP_WASM_THREADS: '2' });
  assert.equal(r.signal, null, 'the child exited by itself');
  assert.equal(r.status, 0);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.threads, 2);
  assert.deepEqual(r.info, { threaded: true, threads: 2 });
  assert.match(r.line, /wasm \(SIMD, 2 threads/);
  assert.ok(r.relErr <= 1e-4, `relative error ${r.relErr}`);
});

test('When the threaded build cannot start (no worker threads), wasm still starts, single-threaded, and says why', () => {
  const r = child('no-workers', { SELFSUP_WASM_THREADS: '2' });
  assert.equal(r.status, 0);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.threads, 1);
  assert.match(r.info.reason, /^the threaded build failed to start \(no workers here\); using one thread$/);
  assert.ok(r.relErr <= 1e-4);
});

test('Without SharedArrayBuffer the request is declined before anything is patched', () => {
  const r = child('no-shared-memory', { SELFSUP_WASM_THREADS: '2' });
  assert.equal(r.status, 0);
  assert.equal(r.threads, 1);
  assert.equal(r.info.reason, 'SharedArrayBuffer is not available');
});

test('By default (no SELFSUP_WASM_THREADS) wasm runs the single-threaded build, as before', () => {
  const r = child('default', { SELFSUP_WASM_THREADS: '' });
  assert.equal(r.status, 0);
  assert.equal(r.threads, 1);
  assert.match(r.line, /wasm \(SIMD, 1 thread/);
});
