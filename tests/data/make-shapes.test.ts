import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeShapes, SHAPE_FACTORS } from '../../src/data/make-shapes';

before(async () => {
  await tf.setBackend('cpu');
});

test('Are the shapes reproducible from the seed, with a caption and a label per factor?', () => {
  const a = makeShapes({ n: 64, seed: 5 });
  const b = makeShapes({ n: 64, seed: 5 });
  const c = makeShapes({ n: 64, seed: 6 });
  assert.deepEqual(a.x.shape, [64, 32, 32, 3]);
  assert.deepEqual(a.x.dataSync(), b.x.dataSync());
  assert.deepEqual(a.captions, b.captions);
  assert.notDeepEqual(a.captions, c.captions);
  const phrase: Record<string, string> = { centre: 'in the centre', left: 'on the left', right: 'on the right' };
  for (let k = 0; k < 64; k++) {
    const name = (f: keyof typeof SHAPE_FACTORS) => SHAPE_FACTORS[f][a.labels[f][k]];
    const where = phrase[name('position')] ?? `at the ${name('position')}`;
    assert.equal(a.captions[k], `a ${name('size')} ${name('colour')} ${name('shape')} ${where}`);
  }
  const [min, max] = tf.tidy(() => [a.x.min().dataSync()[0], a.x.max().dataSync()[0]]);
  assert.ok(min >= 0 && max <= 1);
  tf.dispose([a.x, b.x, c.x]);
});

test('Does a shape sit where its caption says, in its colour, on its background?', () => {
  const { x, labels, captions } = makeShapes({ n: 30, size: 32, seed: 1, backgrounds: ['black'], sizes: ['large'], jitter: 0 });
  const data = x.dataSync();
  for (let k = 0; k < 30; k++) {
    // centre of mass of the non-background pixels
    let sx = 0;
    let sy = 0;
    let m = 0;
    for (let i = 0; i < 32; i++) {
      for (let j = 0; j < 32; j++) {
        const o = ((k * 32 + i) * 32 + j) * 3;
        const w = Math.max(data[o], data[o + 1], data[o + 2]) - 0.05;
        sx += w * j;
        sy += w * i;
        m += w;
      }
    }
    const col = labels.position[k] % 3;
    const row = Math.floor(labels.position[k] / 3);
    assert.ok(Math.abs(sx / m + 0.5 - (8 + 8 * col)) < 2.5, `${captions[k]}: x centre ${sx / m}`);
    assert.ok(Math.abs(sy / m + 0.5 - (8 + 8 * row)) < 2.5, `${captions[k]}: y centre ${sy / m}`);
    assert.equal(data[(k * 32 * 32) * 3], Math.fround(0.05), 'the corner is background');
  }
  // a red shape's centre pixel is red
  const red = makeShapes({ n: 1, seed: 0, colours: ['red'], shapes: ['square'], positions: ['centre'], jitter: 0 });
  assert.deepEqual(Array.from(red.x.slice([0, 16, 16, 0], [1, 1, 1, 3]).dataSync()).map((v) => +v.toFixed(2)), [0.9, 0.12, 0.12]);
  assert.equal(red.captions[0].endsWith('red square in the centre'), true);
  tf.dispose([x, red.x]);
});

test('Do restricted factor lists only produce those values?', () => {
  const { x, labels } = makeShapes({ n: 40, seed: 2, shapes: ['circle', 'cross'], colours: ['blue'] });
  assert.ok(labels.shape.every((s) => s === 0 || s === 4));
  assert.ok(labels.colour.every((c) => c === 2));
  assert.equal(new Set(labels.shape).size, 2);
  x.dispose();
});

test('Are bad options rejected with fixed-form messages?', () => {
  assert.throws(() => makeShapes({ n: 2, seed: 0, shapes: ['hexagon'] }), {
    message: "Error in makeShapes: unknown shape 'hexagon'; expected one of circle, square, triangle, diamond, cross",
  });
  assert.throws(() => makeShapes({ n: -1, seed: 0 }), { message: 'Error in makeShapes: n must be a non-negative integer, but got -1' });
  assert.throws(() => makeShapes({ n: 1, size: 4, seed: 0 }), { message: 'Error in makeShapes: size must be an integer >= 8, but got 4' });
});
