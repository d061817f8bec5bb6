import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../../../src/backend/wasm-kernels';
import { randomTensor, relativeError, runOn, setUpBackends, TOLERANCE, wasmVsCpu, withSimdKernels } from './helpers';

type Pad = 'same' | 'valid' | number;
const pools: { x: [number, number, number, number]; f: number | [number, number]; s: number | [number, number]; pad: Pad }[] = [
  { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid' },
  { x: [2, 9, 9, 4], f: 3, s: 2, pad: 'same' },
  { x: [1, 7, 5, 1], f: 3, s: 1, pad: 'same' },
  { x: [3, 11, 10, 2], f: [3, 2], s: [2, 3], pad: 'valid' },
  { x: [1, 6, 6, 16], f: 3, s: 3, pad: 'same' },
  { x: [2, 9, 9, 2], f: 3, s: 2, pad: 1 },
  { x: [2, 7, 7, 5], f: 2, s: 2, pad: 'same' },
  { x: [1, 8, 8, 12], f: 4, s: 1, pad: 'valid' },
];

before(async () => {
  await setUpBackends();
});

for (const p of pools) for (const simd of [true, false]) {
  const route = simd ? 'SIMD maxPool gradient' : 'composed maxPool gradient';
  test(`maxPool and avgPool gradients match cpu (ties included), ${route}: x=${p.x} f=${p.f} s=${p.s} pad=${p.pad}`, async () => {
    const err = await withSimdKernels(simd, () => wasmVsCpu(() => {
      // Values on a coarse grid through relu: many windows hold ties, which must go to the first maximum.
      const x = tf.relu(randomTensor(p.x, 21, 0.25)) as tf.Tensor4D;
      const weight = (y: tf.Tensor) => randomTensor(y.shape, 22);
      const maxLoss = (a: tf.Tensor) => {
        const y = tf.maxPool(a as tf.Tensor4D, p.f, p.s, p.pad);
        return tf.sum(tf.mul(y, weight(y)));
      };
      const avgLoss = (a: tf.Tensor) => {
        const y = tf.avgPool(a as tf.Tensor4D, p.f, p.s, p.pad);
        return tf.sum(tf.mul(y, weight(y)));
      };
      return [tf.grad(maxLoss)(x), tf.grad(avgLoss)(x)];
    }));
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
}

test('maxPool gradient: windows of -Infinity or NaN send nothing, a NaN never wins, as on cpu', async () => {
  const rows = [-Infinity, -Infinity, 1, NaN, NaN, 2, 3, NaN, -Infinity, -Infinity, 5, 5, -Infinity, -Infinity, 5, 5];
  // 2x2 windows over a 4x4 image with 4 channels that all hold the same pattern (SIMD lanes and the scalar tail).
  const x = tf.tensor4d(rows.flatMap((v) => [v, v, v, v, v]), [1, 4, 4, 5]);
  const grad = async (backend: 'cpu' | 'wasm') => (await runOn(backend, () => tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x)))[0];
  const [cpu, wasm] = [await grad('cpu'), await grad('wasm')];
  assert.deepEqual(Array.from(wasm), Array.from(cpu));
  assert.equal(cpu.reduce((a, b) => a + b, 0), 3 * 5, 'three windows send their gradient, the all -Infinity one none');
});

test('unsortedSegmentSum matches cpu: duplicates, empty segments, ids out of range, many columns', async () => {
  const err = await wasmVsCpu(() => [
    tf.unsortedSegmentSum(randomTensor([6, 3], 31), tf.tensor1d([0, 2, 0, 4, 2, 2], 'int32'), 5),
    tf.unsortedSegmentSum(randomTensor([5, 2, 3], 32), tf.tensor1d([1, -1, 1, 7, 0], 'int32'), 3),
    tf.unsortedSegmentSum(randomTensor([64, 200], 33), tf.tensor1d(Array.from({ length: 64 }, (_, i) => (i * 7) % 10), 'int32'), 10),
    tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([1, 1, 0, 1], 'int32'), 2),
  ]);
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});

test('gather gradient (UnsortedSegmentSum) matches cpu, on axis 0 and 1, with repeated indices', async () => {
  const err = await wasmVsCpu(() => {
    const table = randomTensor([10, 6], 41);
    const idx = tf.tensor1d([3, 3, 0, 9, 3, 1], 'int32');
    const f0 = (t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), randomTensor([6, 6], 42)));
    const f1 = (t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([5, 0, 5], 'int32'), 1), randomTensor([10, 3], 43)));
    const f2 = (t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor2d([[1, 2], [2, 2]], [2, 2], 'int32')), randomTensor([2, 2, 6], 44)));
    return [tf.grad(f0)(table), tf.grad(f1)(table), tf.grad(f2)(table)];
  });
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});

test('gatherND has a gradient (scatterND of dy), equal on wasm and cpu and to a hand computation', async () => {
  const fn = () => {
    const params = randomTensor([4, 3, 2], 51);
    const indices = tf.tensor2d([[0, 1], [3, 2], [0, 1]], [3, 2], 'int32');
    const f = (p: tf.Tensor) => tf.sum(tf.mul(tf.gatherND(p, indices), tf.tensor2d([[1, 2], [3, 4], [5, 6]])));
    return tf.grad(f)(params);
  };
  const [wasm] = await runOn('wasm', fn);
  const [cpu] = await runOn('cpu', fn);
  const expected = new Float32Array(24);
  expected.set([6, 8], 2); // [0, 1, :] gathered twice: (1 + 5, 2 + 6)
  expected.set([3, 4], 22); // [3, 2, :]
  assert.ok(relativeError(wasm, expected) <= TOLERANCE);
  assert.ok(relativeError(cpu, expected) <= TOLERANCE);
});

const mm: { a: number[]; b: number[] }[] = [
  { a: [5, 7], b: [7, 3] },
  { a: [4, 6, 5], b: [4, 5, 8] },
  { a: [2, 3, 6, 5], b: [1, 1, 5, 4] },
  { a: [1, 9], b: [9, 1] },
];

for (const s of mm) {
  test(`matMul with every transpose flag (and its gradients) match cpu: a=${s.a} b=${s.b}`, async () => {
    const err = await wasmVsCpu(() => {
      const out: tf.Tensor[] = [];
      for (const ta of [false, true]) for (const tb of [false, true]) {
        const swap = (shape: number[], t: boolean) => (t ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape);
        const a = randomTensor(swap(s.a, ta), 61);
        const b = randomTensor(swap(s.b, tb), 62);
        const f = (x: tf.Tensor, y: tf.Tensor) => {
          const z = tf.matMul(x, y, ta, tb);
          return tf.sum(tf.mul(z, randomTensor(z.shape, 63)));
        };
        out.push(tf.matMul(a, b, ta, tb));
        // tfjs-core's matMul gradient does not reduce broadcast batch dimensions (on any backend).
        if (s.a.length === s.b.length && s.a.slice(0, -2).join() === s.b.slice(0, -2).join()) out.push(...tf.grads(f)([a, b]));
      }
      return out;
    });
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
}

test('fused matMul (bias, relu, transposes) and its gradients match cpu', async () => {
  const err = await wasmVsCpu(() => {
    const a = randomTensor([6, 5], 71) as tf.Tensor2D;
    const b = randomTensor([4, 5], 72) as tf.Tensor2D;
    const bias = randomTensor([4], 73);
    const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
      tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, transposeB: true, bias: z, activation: 'relu' }));
    return [tf.fused.matMul({ a: randomTensor([5, 4], 75) as tf.Tensor2D, b: a, transposeA: true, transposeB: true, bias: randomTensor([6], 74), activation: 'elu' }), ...tf.grads(f)([a, b, bias])];
  });
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});

test('registering twice is harmless: same names, kernels unchanged, results still right', async () => {
  await setUpBackends();
  const first = registerWasmTrainingKernels();
  const before = first.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
  const second = registerWasmTrainingKernels();
  assert.deepEqual(second, first);
  assert.deepEqual(second.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc), before);
  const err = await wasmVsCpu(() => tf.matMul(randomTensor([3, 4], 81), randomTensor([5, 4], 82), false, true));
  assert.ok(err <= TOLERANCE);
});

const slices: { shape: number[]; begin: number[]; size: number[] }[] = [
  { shape: [7], begin: [2], size: [4] }, // rank 1
  { shape: [5, 200], begin: [1, 3], size: [3, 150] }, // long rows (set)
  { shape: [5, 200], begin: [2, 0], size: [2, 200] }, // contiguous block
  { shape: [4, 6, 5, 3], begin: [1, 2, 1, 0], size: [2, 3, 4, 3] }, // short runs (element loop)
  { shape: [3, 4, 5, 70], begin: [0, 1, 0, 0], size: [3, 2, 5, 70] }, // trailing axes merged into one run
  { shape: [2, 3, 4, 5, 6], begin: [1, 0, 2, 1, 3], size: [1, 3, 2, 4, 2] }, // rank 5
  { shape: [3, 4], begin: [1, 1], size: [0, 2] }, // empty
];

for (const s of slices) {
  test(`slice reads the input in place and matches cpu exactly: shape=${s.shape} begin=${s.begin} size=${s.size}`, async () => {
    for (const dtype of ['float32', 'int32'] as const) {
      const make = () => (dtype === 'int32' ? tf.cast(tf.mul(randomTensor(s.shape, 91), 1000), 'int32') : randomTensor(s.shape, 91));
      const [cpu] = await runOn('cpu', () => tf.slice(make(), s.begin, s.size));
      const [wasm] = await runOn('wasm', () => tf.slice(make(), s.begin, s.size));
      assert.deepEqual(Array.from(wasm), Array.from(cpu), dtype);
      assert.equal(wasm.length, s.size.reduce((a, b) => a * b, 1));
    }
  });
}

test('slice of a bool tensor matches cpu', async () => {
  const [cpu] = await runOn('cpu', () => tf.cast(tf.slice(tf.greater(randomTensor([4, 9], 92), 0), [1, 2], [2, 5]), 'float32'));
  const [wasm] = await runOn('wasm', () => tf.cast(tf.slice(tf.greater(randomTensor([4, 9], 92), 0), [1, 2], [2, 5]), 'float32'));
  assert.deepEqual(Array.from(wasm), Array.from(cpu));
  assert.ok(cpu.some((v) => v === 1) && cpu.some((v) => v === 0));
});

test('slicing leaves the source intact and allocates only the slice', async () => {
  await setUpBackends();
  await tf.setBackend('wasm');
  const x = randomTensor([64, 64], 93);
  const copy = Float32Array.from(x.dataSync() as Float32Array);
  const before = tf.memory().numBytes;
  const y = tf.slice(x, [10, 20], [5, 30]);
  assert.equal(tf.memory().numBytes - before, 5 * 30 * 4);
  assert.deepEqual(Array.from(x.dataSync()), Array.from(copy));
  assert.equal(y.dataSync()[0], copy[10 * 64 + 20]);
  tf.dispose([x, y]);
});

test('split, unstack and unit-stride stridedSlice (kernels built on the in-place slice) match cpu exactly', async () => {
  const ops = (x: tf.Tensor): tf.Tensor[] => [
    ...tf.split(x, 3, 1), // equal pieces on a middle axis
    ...tf.split(x, [1, 3], 0), // sizes on axis 0
    ...tf.split(x, [2, 1, 1, 1], -1), // last axis, short runs
    ...tf.unstack(x, 2),
    ...tf.unstack(x, 0),
    tf.stridedSlice(x, [1, 0, 1, 0], [3, 6, 4, 5]), // unit strides: the simple path
    tf.stridedSlice(x, [1, 0, 0, 0], [2, 6, 5, 5], [1, 1, 1, 1], 0, 0, 0, 0, 1), // shrink axis 0
    tf.stridedSlice(x, [0, 1, 0, 0], [4, 6, 5, 5], [1, 2, 1, 2]), // real strides: the stock kernel
  ];
  const [cpu, wasm] = [await runOn('cpu', () => ops(randomTensor([4, 6, 5, 5], 94))), await runOn('wasm', () => ops(randomTensor([4, 6, 5, 5], 94)))];
  assert.equal(wasm.length, cpu.length);
  cpu.forEach((c, i) => assert.deepEqual(Array.from(wasm[i]), Array.from(c), `output ${i}`));
  await tf.setBackend('wasm');
  const shapes = tf.tidy(() => ops(randomTensor([4, 6, 5, 5], 94)).map((t) => t.shape.join('x')));
  assert.deepEqual(shapes.slice(0, 3), ['4x2x5x5', '4x2x5x5', '4x2x5x5']);
  assert.equal(shapes[9], '4x6x5'); // first unstack on axis 2
  assert.equal(shapes.at(-2), '6x5x5'); // shrunk axis
});

test('split and unstack of an int32 tensor on wasm keep the dtype and values', async () => {
  const make = () => tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32');
  const [a, b] = await runOn('wasm', () => tf.split(make(), [1, 2], 1));
  assert.deepEqual(Array.from(a), [1, 4]);
  assert.deepEqual(Array.from(b), [2, 3, 5, 6]);
  await tf.setBackend('wasm');
  const rows = tf.tidy(() => tf.unstack(make()).map((t) => [t.dtype, Array.from(t.dataSync())]));
  assert.deepEqual(rows, [['int32', [1, 2, 3]], ['int32', [4, 5, 6]]]);
});
