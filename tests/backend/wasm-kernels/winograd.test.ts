import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setWinogradEnabled, winogradConvolutions } from '../../../src/backend/wasm-kernels';
import { conv2dBackpropInputImpl } from '../../../src/backend/wasm-kernels/conv2d-backprop';
import { randomTensor, relativeError, runOn, setUpBackends, TOLERANCE } from './helpers';

/**
 * 3x3 stride-1 Conv2D on wasm by Winograd's F(4x4, 3x3) (simd/winograd.c) against tfjs-cpu's direct convolution
 * and against XNNPACK's (the stock wasm kernel, setWinogradEnabled(false)), with the route checked to be taken.
 */

before(async () => {
  await setUpBackends();
});

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** Errors of the Winograd route against cpu and against XNNPACK; fails when the route was not taken. */
async function compare(fn: () => tf.Tensor | tf.Tensor[], expectWinograd = true): Promise<{ cpu: number; xnnpack: number }> {
  const cpu = await runOn('cpu', fn);
  const before = winogradConvolutions();
  const ours = await runOn('wasm', fn);
  assert.equal(winogradConvolutions() > before, expectWinograd, expectWinograd ? 'the Winograd route should have run' : 'the stock kernel should have run');
  setWinogradEnabled(false);
  let stock: Float32Array[];
  try {
    stock = await runOn('wasm', fn);
  } finally {
    setWinogradEnabled(true);
  }
  return {
    cpu: Math.max(...cpu.map((c, i) => relativeError(ours[i], c))),
    xnnpack: Math.max(...stock.map((c, i) => relativeError(ours[i], c))),
  };
}

const conv = (xShape: number[], fShape: number[], pad: Pad, seed = 1) => () =>
  tf.conv2d(randomTensor(xShape, seed) as tf.Tensor4D, tf.mul(randomTensor(fShape, seed + 1), 0.2) as tf.Tensor4D, 1, pad);

const CASES: [string, number[], number[], Pad][] = [
  ['16x16, 32 -> 32, same (whole tiles)', [4, 16, 16, 32], [3, 3, 32, 32], 'same'],
  ['8x8, 64 -> 64, same', [3, 8, 8, 64], [3, 3, 64, 64], 'same'],
  ['4x4, 128 -> 128, same (one tile per image)', [2, 4, 4, 128], [3, 3, 128, 128], 'same'],
  ['7x5, odd sizes: tiles cut at the bottom and right', [2, 7, 5, 16], [3, 3, 16, 24], 'same'],
  ['8 input channels, the fewest the route takes', [2, 8, 8, 8], [3, 3, 8, 16], 'same'],
  ['valid padding, 9x10 -> 7x8', [2, 9, 10, 20], [3, 3, 20, 8], 'valid'],
  ['explicit uneven padding', [1, 6, 6, 16], [3, 3, 16, 16], [[0, 0], [2, 0], [0, 3], [0, 0]]],
  ['numeric padding 2 (output larger than input)', [1, 5, 5, 16], [3, 3, 16, 8], 2],
  ['1x1 images', [3, 1, 1, 16], [3, 3, 16, 8], 'same'],
  ['batch 1, 2x3 images, 36 channels (not a multiple of 8)', [1, 2, 3, 36], [3, 3, 36, 16], 'same'],
  ['many tiles: 40 tiles of 128 -> 128 in blocks of 28', [10, 8, 8, 128], [3, 3, 128, 128], 'same'],
];

/** y, and the gradients of sum(y * weights) with respect to x and the filter. */
const convAndGrads = (xShape: number[], fShape: number[], pad: Pad, seed = 1) => () => {
  const x = randomTensor(xShape, seed) as tf.Tensor4D;
  const f = tf.mul(randomTensor(fShape, seed + 1), 0.2) as tf.Tensor4D;
  const y = tf.conv2d(x, f, 1, pad);
  const weights = randomTensor(y.shape, seed + 2);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), weights)));
  return [y, ...g([x, f])];
};

for (const [name, xShape, fShape, pad] of CASES) {
  test(`Winograd conv2d, its input and filter gradients match cpu and the direct routes: ${name}`, async () => {
    const { cpu, xnnpack } = await compare(convAndGrads(xShape, fShape, pad));
    assert.ok(cpu < TOLERANCE, `against cpu: ${cpu}`);
    assert.ok(xnnpack < TOLERANCE, `against XNNPACK and the direct filter gradient: ${xnnpack}`);
  });
}

test('Winograd filter gradient alone (Conv2DBackpropFilter) over 24 16x16 images: 384 tiles in blocks of 112, large sums', async () => {
  const fn = () =>
    tf.engine().runKernel(
      'Conv2DBackpropFilter',
      { x: randomTensor([24, 16, 16, 32], 31), dy: tf.add(randomTensor([24, 16, 16, 32], 32), 0.5) },
      { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], filterShape: [3, 3, 32, 32] } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
  const { cpu, xnnpack } = await compare(fn);
  assert.ok(cpu < TOLERANCE, `against cpu: ${cpu}`);
  assert.ok(xnnpack < TOLERANCE, `against the direct filter gradient: ${xnnpack}`);
});

test('Winograd conv2d: large values keep their relative precision', async () => {
  const fn = () => tf.conv2d(tf.mul(randomTensor([2, 8, 8, 32], 5), 1000) as tf.Tensor4D, tf.mul(randomTensor([3, 3, 32, 16], 6), 0.2) as tf.Tensor4D, 1, 'same');
  const { cpu } = await compare(fn);
  assert.ok(cpu < TOLERANCE, `against cpu: ${cpu}`);
});

test('the gradients of a stride-1 3x3 conv2d take the Winograd route for the input gradient and match cpu', async () => {
  const fn = () => {
    const x = randomTensor([3, 8, 8, 32], 11) as tf.Tensor4D;
    const f = tf.mul(randomTensor([3, 3, 32, 16], 12), 0.2) as tf.Tensor4D;
    const w = randomTensor([3, 8, 8, 16], 13);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), w)));
    return [...g([x, f]), conv2dBackpropInputImpl(w as tf.Tensor4D, f, [3, 8, 8, 32], 1, 'same')];
  };
  const { cpu, xnnpack } = await compare(fn);
  assert.ok(cpu < TOLERANCE, `against cpu: ${cpu}`);
  assert.ok(xnnpack < TOLERANCE, `against XNNPACK: ${xnnpack}`);
});

const STOCK: [string, number[], number[], number, number][] = [
  ['few input channels (the stem, 3 -> 32)', [2, 8, 8, 3], [3, 3, 3, 32], 1, 1],
  ['stride 2', [2, 8, 8, 32], [3, 3, 32, 32], 2, 1],
  ['dilation 2', [2, 8, 8, 32], [3, 3, 32, 32], 1, 2],
  ['a 5x5 filter', [2, 8, 8, 32], [5, 5, 32, 32], 1, 1],
  ['output channels not a multiple of 8', [2, 8, 8, 32], [3, 3, 32, 12], 1, 1],
];

for (const [name, xShape, fShape, stride, dilation] of STOCK) {
  test(`Conv2D the Winograd route does not take goes to the stock kernel: ${name}`, async () => {
    const fn = () => tf.conv2d(randomTensor(xShape, 3) as tf.Tensor4D, randomTensor(fShape, 4) as tf.Tensor4D, stride, 'same', 'NHWC', dilation);
    const { cpu } = await compare(fn, false);
    assert.ok(cpu < TOLERANCE, `against cpu: ${cpu}`);
  });
}

test('Winograd conv2d leaks no tensors and no heap buffers', async () => {
  await setUpBackends();
  await tf.setBackend('wasm');
  const x = randomTensor([2, 8, 8, 32], 21) as tf.Tensor4D;
  const f = randomTensor([3, 3, 32, 32], 22) as tf.Tensor4D;
  tf.conv2d(x, f, 1, 'same').dispose(); // warm-up
  const before = tf.memory();
  for (let i = 0; i < 3; i++) tf.conv2d(x, f, 1, 'same').dispose();
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  assert.equal((after as { numDataBuffers?: number }).numDataBuffers, (before as { numDataBuffers?: number }).numDataBuffers);
  x.dispose();
  f.dispose();
});
