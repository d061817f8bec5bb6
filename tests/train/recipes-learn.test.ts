import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { fit } from '../../src/train/fit';
import { builds, shapesData } from './recipe-builds';
import { headTailMeans } from './helpers';

const quiet = () => {};

describe('recipes learn on a trivial dataset (wasm)', () => {
  after(() => tf.disposeVariables());
  for (const [name, build] of Object.entries(builds)) {
    it(`Does the ${name} loss go down over 30 steps?`, async () => {
      await useBackend('wasm', { log: quiet });
      const { x, data } = shapesData();
      const { recipe, extra } = build();
      const result = await fit({ ...recipe, data, config: { numSteps: 30, lr: 1e-2, progress: false }, log: quiet });
      const [first, last] = headTailMeans(result.history.loss.slice(name === 'MoCo v2' ? 4 : 0), 8);
      assert.ok(last < first, `${name}: mean loss of the last 8 steps ${last} < first 8 ${first}`);
      if (name === 'Rotation') assert.ok(last < Math.log(4) - 0.1, `Rotation: last loss ${last} is clearly below chance ln 4`);
      recipe.dispose();
      extra();
      x.dispose();
    });
  }
});
