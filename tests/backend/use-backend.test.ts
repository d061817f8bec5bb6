import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';

const notInstalled = (name: string) => {
  const err = new Error(`Cannot find module '${name}'`) as Error & { code: string };
  err.code = 'MODULE_NOT_FOUND';
  throw err;
};

test('auto without native packages picks wasm and says why the others were skipped', async () => {
  const lines: string[] = [];
  const report = await useBackend('auto', { log: (l) => lines.push(l), env: {}, load: notInstalled });
  assert.equal(report.backend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^selfsup backend: wasm \(SIMD, \d+ threads?, \d+ selfsup training kernels\)/);
  assert.match(lines[0], /tfjs-node-gpu: not installed; tfjs-node: not installed/);
});

test('A malformed SELFSUP_WASM_THREADS is an error that names the variable, not a silent fall-back', async () => {
  const saved = process.env.SELFSUP_WASM_THREADS;
  process.env.SELFSUP_WASM_THREADS = 'lots';
  try {
    await assert.rejects(useBackend('wasm', { log: () => {}, env: {}, load: notInstalled }), /^Error: Error in SELFSUP_WASM_THREADS: .*but got "lots"$/);
  } finally {
    if (saved === undefined) delete process.env.SELFSUP_WASM_THREADS;
    else process.env.SELFSUP_WASM_THREADS = saved;
  }
});

test('SELFSUP_BACKEND overrides the argument', async () => {
  const report = await useBackend('wasm', { log: () => {}, env: { SELFSUP_BACKEND: 'cpu' }, load: notInstalled });
  assert.equal(report.backend, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.match(report.line, /set by SELFSUP_BACKEND/);
});

test('a native binding that fails to load is reported and skipped, not fatal', async () => {
  const report = await useBackend('auto', {
    log: () => {},
    env: {},
    load: (name) => {
      if (name === '@tensorflow/tfjs-node') throw new Error('libtensorflow.so.2: cannot open shared object file');
      return notInstalled(name);
    },
  });
  assert.equal(report.backend, 'wasm');
  assert.ok(report.skipped.includes('tfjs-node: failed to load (libtensorflow.so.2: cannot open shared object file)'));
});

test('an unknown backend name is a clear error', async () => {
  await assert.rejects(
    useBackend('gpu' as never, { log: () => {}, env: {} }),
    { message: "Error in useBackend: unknown backend 'gpu'; expected one of auto, tensorflow, wasm, cpu." },
  );
  await assert.rejects(
    useBackend('auto', { log: () => {}, env: { SELFSUP_BACKEND: 'webgl' } }),
    /unknown backend SELFSUP_BACKEND=webgl/,
  );
});
