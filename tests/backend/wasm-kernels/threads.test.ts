import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { availableCores, DEFAULT_MAX_THREADS, threadsFromEnv } from '../../../src/backend/wasm-kernels/threads';

/**
 * The threaded wasm build runs in a child process each time: a wasm backend starts once per process, and the
 * child must also prove that Node exits by itself afterwards (pthread workers unref'd).
 */
const src = path.resolve(__dirname, '../../../src');

function child(mode: 'threads' | 'no-workers' | 'no-shared-memory' | 'no-simd-module' | 'default', env: Record<string, string> = {}) {
  const script = `
    const tf = require('@tensorflow/tfjs');
    const mode = ${JSON.stringify(mode)};
    if (mode === 'no-workers') require('worker_threads').Worker = class { constructor() { throw new Error('no workers here'); } };
    if (mode === 'no-shared-memory') delete globalThis.SharedArrayBuffer;
    if (mode === 'no-simd-module') {
      // An engine that cannot compile selfsup's module (tfjs compiles its own asynchronously, so it is unaffected).
      const Original = WebAssembly.Module;
      WebAssembly.Module = function () { throw new Error('no SIMD here'); };
      WebAssembly.Module.prototype = Original.prototype;
    }
    const { BatchNorm2d } = require(${JSON.stringify(path.join(src, 'models/batch-norm-2d'))});
    const { useBackend } = require(${JSON.stringify(path.join(src, 'backend/use-backend'))});
    const { relaxedSimdKernels, wasmThreadsReport, winogradConvolutions } = require(${JSON.stringify(path.join(src, 'backend/wasm-kernels'))});
    const { simdKernels, whenSimdHelpersReady } = require(${JSON.stringify(path.join(src, 'backend/wasm-kernels/simd'))});
    const { sharedSimdJobs } = require(${JSON.stringify(path.join(src, 'backend/wasm-kernels/simd/helpers'))});
    (async () => {
      const report = await useBackend('wasm', { log: () => {}, env: {}, load: () => { throw Object.assign(new Error('x'), { code: 'MODULE_NOT_FOUND' }); } });
      const grads = (backend) => tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 2 * 9 * 9 * 8 }, (_, i) => Math.sin(i)), [2, 9, 9, 8]);
        const w = tf.tensor4d(Array.from({ length: 3 * 3 * 8 * 16 }, (_, i) => Math.cos(i)), [3, 3, 8, 16]);
        const loss = (a, b) => tf.sum(tf.square(tf.maxPool(tf.conv2d(a, b, 1, 'same'), 2, 2, 'same')));
        return tf.grads(loss)([x, w]).map((g) => Array.from(g.dataSync()));
      });
      // Large enough that the SIMD kernels split it over their helper threads (when there are any).
      const bigGrads = () => tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 16 * 16 * 16 * 16 }, (_, i) => Math.sin(i * 0.37)), [16, 16, 16, 16]);
        const w = tf.tensor4d(Array.from({ length: 3 * 3 * 16 * 64 }, (_, i) => Math.cos(i * 0.11)), [3, 3, 16, 64]);
        // training-mode BatchNorm: on wasm its fused kernels, split by rows over the helpers (16 * 16 * 16 rows x 64)
        const bn = new BatchNorm2d('bn', 64);
        const loss = (a, b) => tf.sum(tf.square(tf.maxPool(bn.apply(tf.conv2d(a, b, 1, 'same'), { training: true }), 2, 2, 'valid')));
        const out = tf.grads(loss)([x, w]).map((g) => Array.from(g.dataSync()));
        bn.dispose();
        return out;
      });
      const helpers = await whenSimdHelpersReady(tf.backend());
      const onWasm = [...grads(), ...bigGrads()];
      const simd = simdKernels(tf.backend()) !== null;
      const shared = sharedSimdJobs();
      await tf.setBackend('cpu');
      const onCpu = [...grads(), ...bigGrads()];
      let err = 0, scale = 1;
      onWasm.forEach((g, i) => g.forEach((v, j) => { err = Math.max(err, Math.abs(v - onCpu[i][j])); scale = Math.max(scale, Math.abs(onCpu[i][j])); }));
      console.log('RESULT ' + JSON.stringify({ backend: report.backend, threads: report.threads, line: report.line, info: wasmThreadsReport(), simd, helpers, shared, winograd: winogradConvolutions(), relaxed: (() => { try { return relaxedSimdKernels(); } catch (e) { return e.message; } })(), relErr: err / scale }));
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

test('SELFSUP_WASM_THREADS: unset = every core up to 4, "auto" = every core, "off"/"1" = one thread, a number; else a clear error', () => {
  assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: '2' }, 8), 2);
  assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: ' 3 ' }, 2), 3);
  assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: 'auto' }, 8), 8);
  assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: 'AUTO' }, 1), 0, 'one core: the single-threaded build');
  for (const unset of [undefined, '', '  ']) {
    assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: unset }, 2), 2);
    assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: unset }, 16), DEFAULT_MAX_THREADS);
    assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: unset }, 1), 0);
  }
  assert.equal(threadsFromEnv({}, 2), 2);
  for (const off of ['1', '0', 'off', 'OFF']) assert.equal(threadsFromEnv({ SELFSUP_WASM_THREADS: off }, 8), 0);
  for (const bad of ['two', '1.5', '-2']) {
    assert.throws(() => threadsFromEnv({ SELFSUP_WASM_THREADS: bad }, 2), {
      message: `Error in SELFSUP_WASM_THREADS: expected a whole number of threads, "auto" (every core) or "off" (one thread), but got "${bad}"`,
    });
  }
});

test('Does SELFSUP_WASM_THREADS=2 start the threaded build with 2 XNNPACK threads, run our SIMD kernels on its shared memory, compute right, and let Node exit?', () => {
  const r = child('threads', { SELFSUP_WASM_THREADS: '2' });
  assert.equal(r.signal, null, 'the child exited by itself');
  assert.equal(r.status, 0);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.threads, 2);
  assert.deepEqual(r.info, { threaded: true, threads: 2 });
  assert.match(r.line, /wasm \(SIMD, 2 threads/);
  assert.equal(r.simd, true, 'the SIMD kernels (filter and maxPool gradients) ran on the shared memory');
  assert.equal(r.helpers, 1, 'one helper thread for the second XNNPACK thread');
  assert.ok(r.shared >= 9, `the large convolutions (Winograd, forward and input gradient), filter and maxPool gradients and the BatchNorm passes were split over both threads (${r.shared} shared jobs)`);
  assert.equal(r.relaxed, true, 'Node 20 and later run the fused multiply-add build');
  assert.ok(r.winograd >= 3, `the 3x3 convolutions with 8 or more input channels and their input gradients took the Winograd route (${r.winograd})`);
  assert.ok(r.relErr <= 1e-4, `relative error ${r.relErr}`);
});

test('When the threaded build cannot start (no worker threads), wasm still starts, single-threaded, and says why', () => {
  const r = child('no-workers', { SELFSUP_WASM_THREADS: '2' });
  assert.equal(r.status, 0);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.threads, 1);
  assert.match(r.info.reason, /^the threaded build failed to start \(no workers here\); using one thread$/);
  assert.match(r.line, /wasm threads: the threaded build failed to start \(no workers here\)/, 'the backend line says why');
  assert.ok(r.relErr <= 1e-4);
});

test('Without SharedArrayBuffer the request is declined before anything is patched', () => {
  const r = child('no-shared-memory', { SELFSUP_WASM_THREADS: '2' });
  assert.equal(r.status, 0);
  assert.equal(r.threads, 1);
  assert.equal(r.info.reason, 'SharedArrayBuffer is not available');
});

test('By default (no SELFSUP_WASM_THREADS) wasm starts threaded on a machine with 2 or more cores, and Node exits', () => {
  const r = child('default', { SELFSUP_WASM_THREADS: '' });
  assert.equal(r.signal, null, 'the child exited by itself');
  assert.equal(r.status, 0);
  const expected = Math.min(availableCores(), DEFAULT_MAX_THREADS);
  if (expected >= 2) {
    assert.equal(r.threads, expected);
    assert.match(r.line, new RegExp(`wasm \\(SIMD, ${expected} threads`));
  } else {
    assert.equal(r.threads, 1, 'a one-core machine runs the single-threaded build');
  }
  assert.ok(r.relErr <= 1e-4, `relative error ${r.relErr}`);
});

test('When selfsup\'s SIMD module cannot start, the backend line says so and gradients still match cpu (composed routes)', () => {
  const r = child('no-simd-module', { SELFSUP_WASM_THREADS: '2' });
  assert.equal(r.status, 0);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.simd, false);
  assert.equal(r.helpers, 0);
  assert.match(r.line, /selfsup's wasm SIMD kernels did not start \(no SIMD here\); using XNNPACK-composed routes/);
  assert.ok(r.relErr <= 1e-4, `relative error ${r.relErr}`);
});

test('SELFSUP_WASM_THREADS=off runs the single-threaded build, with our SIMD kernels on its ordinary memory', () => {
  const r = child('default', { SELFSUP_WASM_THREADS: 'off' });
  assert.equal(r.status, 0);
  assert.equal(r.threads, 1);
  assert.match(r.line, /wasm \(SIMD, 1 thread,/);
  assert.equal(r.simd, true, 'the SIMD kernels ran on the single-threaded build\'s memory');
  assert.equal(r.helpers, 0, 'no helper threads without shared memory');
  assert.equal(r.shared, 0);
  assert.ok(r.relErr <= 1e-4, `relative error ${r.relErr}`);
});

test('SELFSUP_WASM_RELAXED_SIMD=off runs the plain SIMD build (no fused multiply-add), threaded and not, and it computes right', () => {
  for (const threads of ['2', 'off']) {
    const r = child('default', { SELFSUP_WASM_THREADS: threads, SELFSUP_WASM_RELAXED_SIMD: 'off' });
    assert.equal(r.status, 0);
    assert.equal(r.simd, true);
    assert.equal(r.relaxed, false);
    assert.ok(r.winograd >= 3, `the Winograd route ran (${r.winograd})`);
    assert.ok(r.relErr <= 1e-4, `relative error ${r.relErr} (threads ${threads})`);
  }
});

test('A SELFSUP_WASM_RELAXED_SIMD that is neither on nor off is named in the backend line, and the composed routes run', () => {
  const r = child('default', { SELFSUP_WASM_THREADS: 'off', SELFSUP_WASM_RELAXED_SIMD: 'fast' });
  assert.equal(r.status, 0);
  assert.equal(r.simd, false);
  assert.match(r.line, /Error in SELFSUP_WASM_RELAXED_SIMD: expected "on" or "off", but got "fast"/);
  assert.ok(r.relErr <= 1e-4, `relative error ${r.relErr}`);
});
