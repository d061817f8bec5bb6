import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { AdamW } from '../../src/train/adamw';
import { Lars } from '../../src/train/lars';
import { decaysByDefault } from '../../src/train/train-optimizer';

const W0 = [[0.5, -0.3, 0.8], [0.1, 0.2, -0.7]];
const B0 = [0.05, -0.02, 0.3];
const GW = [
  [[0.2, -0.1, 0.05], [0.3, 0.0, -0.4]],
  [[-0.1, 0.2, 0.0], [0.05, -0.3, 0.1]],
  [[0.4, 0.4, -0.2], [0.0, 0.1, 0.2]],
];
const GB = [[0.1, -0.2, 0.3], [0.0, 0.5, -0.1], [-0.3, 0.2, 0.2]];

function close(actual: number[], expected: number[], tol: number, what: string): void {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `${what}[${i}]: ${a} vs ${expected[i]}`));
}

describe('AdamW', () => {
  before(async () => {
    await useBackend('cpu', { log: () => {} });
  });

  it('Does it match torch.optim.AdamW over 3 steps (decay on the kernel, none on the bias)?', () => {
    // Reference: torch.optim.AdamW(lr=0.01, betas=(0.9, 0.999), eps=1e-8), weight_decay 0.1 for
    // w and 0 for b (float64), with the gradients above.
    const w = tf.variable(tf.tensor2d(W0));
    const b = tf.variable(tf.tensor1d(B0));
    const opt = new AdamW({ weightDecay: 0.1 });
    for (let i = 0; i < 3; i++) {
      const grads = [tf.tensor2d(GW[i]), tf.tensor1d(GB[i])];
      opt.applyGradients([w, b], grads, 0.01, ['layer.kernel', 'layer.bias']);
      tf.dispose(grads);
    }
    close(Array.from(w.dataSync()), [0.47927966738722355, -0.29973534595322077, 0.7858712296012347, 0.07583970762719999, 0.21027025271035804, -0.6827577681507384], 2e-6, 'w');
    close(Array.from(b.dataSync()), [0.03772389349646084, -0.01985158281281919, 0.2799669501576139], 2e-6, 'b');
    assert.equal(opt.iterations, 3);
    assert.equal(opt.numStateTensors(), 4);
    opt.dispose();
    tf.dispose([w, b]);
  });

  it('Is weightDecay 0 plain Adam (the first step moves every weight by lr in the direction of -sign(g))?', () => {
    const w = tf.variable(tf.tensor1d([1, -2, 3]));
    const opt = new AdamW({ weightDecay: 0 });
    const g = tf.tensor1d([0.5, -4, 1e-3]);
    opt.applyGradients([w], [g], 0.1, ['w']);
    // m_hat = g, v_hat = g^2: step = lr * g / (|g| + eps) ~ lr * sign(g).
    close(Array.from(w.dataSync()), [0.9, -1.9, 2.9], 1e-4, 'w');
    opt.dispose();
    tf.dispose([w, g]);
  });

  it('Does it leak nothing per step and reject unknown config keys?', () => {
    const w = tf.variable(tf.ones([4, 4]));
    const g = tf.ones([4, 4]);
    const opt = new AdamW();
    opt.applyGradients([w], [g], 0.1, ['w']);
    const count = tf.memory().numTensors;
    opt.applyGradients([w], [g], 0.1, ['w']);
    assert.equal(tf.memory().numTensors, count);
    assert.throws(() => new AdamW({ betas: 0.9 } as never), /^Error: Unknown config key: betas \(AdamW accepts beta1, beta2, eps, weightDecay\)$/);
    opt.dispose();
    tf.dispose([w, g]);
  });

  it('Does getState/setState carry the moments and step count exactly?', () => {
    const w = tf.variable(tf.tensor2d(W0));
    const a = new AdamW({ weightDecay: 0.1 });
    const grads = GW.map((g) => tf.tensor2d(g));
    a.applyGradients([w], [grads[0]], 0.01, ['w']);
    const names = new Map([[w, 'w']]);
    const snapshot = Object.fromEntries(Object.entries(a.getState(names)).map(([k, v]) => [k, tf.clone(v)]));
    assert.deepEqual(Object.keys(snapshot).sort(), ['w/m', 'w/v']);
    const w2 = tf.variable(tf.clone(w));
    const b = new AdamW({ weightDecay: 0.1 });
    b.setState(snapshot, a.iterations, new Map([['w', w2]]));
    a.applyGradients([w], [grads[1]], 0.01, ['w']);
    b.applyGradients([w2], [grads[1]], 0.01, ['w']);
    assert.deepEqual(Array.from(w2.dataSync()), Array.from(w.dataSync()));
    tf.dispose([w, w2, ...grads, ...Object.values(snapshot)]);
    a.dispose();
    b.dispose();
  });
});

describe('LARS', () => {
  it('Does it follow the SimCLR update (weight decay, trust ratio eta ||w|| / ||g||, momentum) on kernels and plain momentum SGD on biases?', () => {
    const w = tf.variable(tf.tensor2d(W0));
    const b = tf.variable(tf.tensor1d(B0));
    const cfg = { momentum: 0.9, weightDecay: 1e-2, eta: 0.001 };
    const opt = new Lars(cfg);
    const lr = 0.5;
    // Naive reference, straight from the formulas.
    let wRef = W0.flat();
    let bRef = B0.slice();
    let uw = wRef.map(() => 0);
    let ub = bRef.map(() => 0);
    const norm = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    for (let i = 0; i < 3; i++) {
      const gw = GW[i].flat().map((g, j) => g + cfg.weightDecay * wRef[j]);
      const trust = (cfg.eta * norm(wRef)) / norm(gw);
      uw = uw.map((u, j) => cfg.momentum * u + lr * trust * gw[j]);
      wRef = wRef.map((x, j) => x - uw[j]);
      ub = ub.map((u, j) => cfg.momentum * u + lr * GB[i][j]);
      bRef = bRef.map((x, j) => x - ub[j]);
      const grads = [tf.tensor2d(GW[i]), tf.tensor1d(GB[i])];
      opt.applyGradients([w, b], grads, lr, ['layer.kernel', 'layer.bias']);
      tf.dispose(grads);
    }
    close(Array.from(w.dataSync()), wRef, 1e-6, 'w');
    close(Array.from(b.dataSync()), bRef, 1e-6, 'b');
    opt.dispose();
    tf.dispose([w, b]);
  });

  it('Is the trust ratio 1 for an all-zero weight (no division by zero)?', () => {
    const w = tf.variable(tf.zeros([2, 2]));
    const g = tf.fill([2, 2], 0.5);
    const opt = new Lars({ weightDecay: 0, momentum: 0 });
    opt.applyGradients([w], [g], 0.1, ['w']);
    close(Array.from(w.dataSync()), [-0.05, -0.05, -0.05, -0.05], 1e-7, 'w');
    opt.dispose();
    tf.dispose([w, g]);
  });
});

describe('decaysByDefault', () => {
  it('Are biases and norm parameters (rank 1) excluded, kernels included?', () => {
    const kernel = tf.variable(tf.zeros([3, 3, 3, 8]));
    const gamma = tf.variable(tf.ones([8]));
    const dense = tf.variable(tf.zeros([4, 2]));
    assert.equal(decaysByDefault(kernel, 'stem.conv.kernel'), true);
    assert.equal(decaysByDefault(gamma, 'stem.bn.gamma'), false);
    assert.equal(decaysByDefault(dense, 'head.layers.0.kernel'), true);
    assert.equal(decaysByDefault(dense, 'odd.bias'), false);
    tf.dispose([kernel, gamma, dense]);
  });
});
