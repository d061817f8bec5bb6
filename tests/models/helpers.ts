import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../../src/models/module';

/** Every trainable variable of `module` gets a gradient with some non-zero entry from `loss`. */
export function assertGradientsReachAll(module: Module<any, any>, loss: () => tf.Scalar): void {
  const vars = module.trainableVariables;
  assert.ok(vars.length > 0, 'the module has trainable variables');
  const { value, grads } = tf.variableGrads(loss, vars);
  const names = new Map<tf.Variable, string>();
  for (const [key, v] of Object.entries(module.getWeights())) names.set(v as tf.Variable, key);
  for (const v of vars) {
    const g = grads[v.name];
    assert.ok(g, `no gradient for ${names.get(v) ?? v.name}`);
    const data = g.dataSync();
    assert.ok(data.every(Number.isFinite), `non-finite gradient for ${names.get(v)}`);
    assert.ok(data.some((x) => x !== 0), `zero gradient for ${names.get(v)}`);
  }
  tf.dispose([value, ...Object.values(grads)]);
}
