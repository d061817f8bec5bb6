import * as tf from '@tensorflow/tfjs';
import { labelSubset } from '../data/label-subset';
import { createRng, shuffle } from '../backend/seed';
import { seededUniform } from '../models/module';
import { resolveConfig } from '../config';

/** Configuration of `linearProbe`. */
export interface LinearProbeConfig {
  /** Number of classes C. */
  numClasses: number;
  /** Fraction of the training labels to use, class-balanced (labelSubset); 1 = all. */
  labelFraction: number;
  /** Passes over the (kept) training features. */
  numEpochs: number;
  /** Rows per update; 0 = full batch. */
  batchSize: number;
  /** Adam learning rate. */
  lr: number;
  /** L2 penalty on the weights, lambda * ||W||^2 / 2 added to the loss. */
  weightDecay: number;
  /** Seed of the label subset, the initialisation and the shuffles. */
  seed: number;
}

/** Logistic regression on standardised features: Adam 1e-2, 100 full-batch epochs, all labels. */
export function defaultLinearProbeConfig(): LinearProbeConfig {
  return { numClasses: 10, labelFraction: 1, numEpochs: 100, batchSize: 0, lr: 1e-2, weightDecay: 0, seed: 0 };
}

/** What `linearProbe` returns. */
export interface LinearProbeResult {
  /** Top-1 accuracy on the test features, in [0, 1]. */
  accuracy: number;
  /** Top-1 accuracy on the training features it was fitted on. */
  trainAccuracy: number;
  /** Training loss after each epoch. */
  losses: number[];
  /** Training rows used (after the label fraction). */
  numTrain: number;
  /** Predicted test labels. */
  predictions: Int32Array;
}

/**
 * Linear evaluation of frozen features: standardise every feature with the training set's mean
 * and std, fit a softmax (multinomial logistic) regression with Adam, report test top-1.
 *
 *   x' = (x - mean_train) / std_train;  logits = x' W + b;  loss = CE(logits, y) + lambda ||W||^2 / 2
 *
 * With `labelFraction` < 1 only a class-balanced subset of the training labels is used
 * (the semi-supervised protocol of SimCLR, Table 7).
 *
 * Sources: Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016 (linear classification
 * on frozen features); Chen et al., SimCLR (ICML 2020), Sec. 4 / B.5 (linear evaluation).
 *
 * @param train - [N, D] training features and their [N] labels.
 * @param test - [M, D] test features and their [M] labels.
 * @throws "Error in linearProbe: ..." on mismatched shapes; "Unknown config key: ..." for a misspelt key.
 * @example
 * const { accuracy } = await linearProbe({ x: trainF, y: yTrain }, { x: testF, y: yTest }, { labelFraction: 0.1 });
 * @see notebooks/10.3.3-simclr.ipynb
 */
export async function linearProbe(
  train: { x: tf.Tensor2D; y: tf.Tensor1D | ArrayLike<number> },
  test: { x: tf.Tensor2D; y: tf.Tensor1D | ArrayLike<number> },
  config: Partial<LinearProbeConfig> = {},
): Promise<LinearProbeResult> {
  const c = resolveConfig('linearProbe', defaultLinearProbeConfig(), config);
  const fn = 'linearProbe';
  for (const [name, part] of [['train', train], ['test', test]] as const) {
    if (part.x.rank !== 2) throw new Error(`Error in ${fn}: ${name}.x must be 2-D [N, D], but got shape [${part.x.shape.join(',')}]`);
    const ny = part.y instanceof tf.Tensor ? part.y.shape[0] : part.y.length;
    if (ny !== part.x.shape[0]) throw new Error(`Error in ${fn}: ${name}.y must have ${part.x.shape[0]} labels, but got ${ny}`);
  }
  if (train.x.shape[1] !== test.x.shape[1]) {
    throw new Error(`Error in ${fn}: train.x and test.x must have the same D, but got [${train.x.shape.join(',')}] and [${test.x.shape.join(',')}]`);
  }
  const yTrainAll = Int32Array.from(train.y instanceof tf.Tensor ? train.y.dataSync() : train.y);
  const yTest = Int32Array.from(test.y instanceof tf.Tensor ? test.y.dataSync() : test.y);
  const keep = c.labelFraction < 1 ? labelSubset(yTrainAll, { fraction: c.labelFraction, seed: c.seed }) : null;
  const yTrain = keep ? Int32Array.from(keep, (i) => yTrainAll[i]) : yTrainAll;
  const n = yTrain.length;
  const d = train.x.shape[1];
  const rng = createRng(c.seed);

  const [xTrain, xTest] = tf.tidy(() => {
    const kept = keep ? tf.gather(train.x, tf.tensor1d(keep, 'int32')) : train.x; // [n, D]
    const { mean, variance } = tf.moments(kept, 0);
    const std = tf.add(tf.sqrt(variance), 1e-6);
    return [tf.div(tf.sub(kept, mean), std), tf.div(tf.sub(test.x, mean), std)] as tf.Tensor2D[];
  });
  const bound = 1 / Math.sqrt(d);
  // tf.variable shares its initial tensor's data and keeps it alive: create both inside a tidy
  const [w, b] = tf.tidy(() => [tf.variable(seededUniform([d, c.numClasses], -bound, bound, rng)), tf.variable(tf.zeros([c.numClasses]))]);
  const optimizer = tf.train.adam(c.lr);
  const yTrainT = tf.tensor1d(yTrain, 'int32');
  const losses: number[] = [];
  try {
    const batch = c.batchSize > 0 ? Math.min(c.batchSize, n) : n;
    const order = [...Array(n).keys()];
    for (let epoch = 0; epoch < c.numEpochs; epoch++) {
      if (batch < n) shuffle(order, rng);
      let total = 0;
      for (let start = 0; start < n; start += batch) {
        const rows = batch < n ? Int32Array.from(order.slice(start, start + batch)) : null;
        const lossT = tf.tidy(() => {
          const idx = rows ? tf.tensor1d(rows, 'int32') : null;
          const x = idx ? tf.gather(xTrain, idx) : xTrain;
          const y = idx ? tf.gather(yTrainT, idx) : yTrainT;
          const onehot = tf.oneHot(y as tf.Tensor1D, c.numClasses);
          return optimizer.minimize(() => {
            const logits = tf.add(tf.matMul(x, w), b);
            let loss = tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
            if (c.weightDecay > 0) loss = tf.add(loss, tf.mul(tf.sum(tf.square(w)), c.weightDecay / 2)) as tf.Scalar;
            return loss;
          }, true, [w, b]) as tf.Scalar;
        });
        total += (await lossT.data())[0] * (rows ? rows.length : n);
        lossT.dispose();
      }
      losses.push(total / n);
    }
    const accuracyOf = (x: tf.Tensor2D, y: Int32Array): [number, Int32Array] => {
      const pred = tf.tidy(() => tf.argMax(tf.add(tf.matMul(x, w), b), 1).dataSync() as Int32Array);
      let correct = 0;
      for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) correct++;
      return [y.length > 0 ? correct / y.length : NaN, Int32Array.from(pred)];
    };
    const [trainAccuracy] = accuracyOf(xTrain, yTrain);
    const [accuracy, predictions] = accuracyOf(xTest, yTest);
    return { accuracy, trainAccuracy, losses, numTrain: n, predictions };
  } finally {
    tf.dispose([xTrain, xTest, w, b, yTrainT]);
    optimizer.dispose();
  }
}
