import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { fit } from '../../src/train/fit';
import { builds, shapesData } from './recipe-builds';

const quiet = () => {};

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`recipes on ${backend}`, () => {
    after(() => tf.disposeVariables());
    for (const [name, build] of Object.entries(builds)) {
      it(`Does ${name} train leak-free for a few steps on ${backend}?`, async () => {
        await useBackend(backend, { log: quiet });
        const before = tf.memory().numTensors;
        const { x, data } = shapesData();
        const { recipe, extra } = build();
        const steps = backend === 'cpu' ? 6 : 4;
        const result = await fit({ ...recipe, data, config: { numSteps: steps, lr: 1e-2, progress: false, leakCheck: 'error' }, log: quiet });
        assert.equal(result.steps, steps);
        assert.ok(result.history.loss.every(Number.isFinite), `${name}: finite losses ${result.history.loss}`);
        recipe.dispose();
        extra();
        x.dispose();
        assert.equal(tf.memory().numTensors, before, `${name}: every tensor is freed after dispose`);
      });
    }
  });
}
