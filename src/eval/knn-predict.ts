import * as tf from '@tensorflow/tfjs';

/** Options of `knnPredict` and `knnAccuracy`. */
export interface KnnOptions {
  /** Neighbours that vote (default 200, as the MoCo CIFAR colab and lightly's benchmarks). */
  k?: number;
  /** Temperature of the vote weights exp(sim / T) (default 0.1). */
  temperature?: number;
  /** Number of classes C. */
  numClasses: number;
  /** Query rows per similarity block (default 256). */
  batchSize?: number;
  /** Bank rows per similarity block (default 8192): bounds memory to batchSize x bankBatchSize floats, never a copy of the bank. */
  bankBatchSize?: number;
}

function check(features: tf.Tensor, bank: tf.Tensor, bankLabels: tf.Tensor | ArrayLike<number>, options: KnnOptions): number {
  const fn = 'knnPredict';
  if (features.rank !== 2) throw new Error(`Error in ${fn}: features must be 2-D [B, D], but got shape [${features.shape.join(',')}]`);
  if (bank.rank !== 2) throw new Error(`Error in ${fn}: bank must be 2-D [N, D], but got shape [${bank.shape.join(',')}]`);
  if (features.shape[1] !== bank.shape[1]) {
    throw new Error(`Error in ${fn}: features and bank must have the same D, but got [${features.shape.join(',')}] and [${bank.shape.join(',')}]`);
  }
  const nLabels = bankLabels instanceof tf.Tensor ? bankLabels.shape[0] : bankLabels.length;
  if (nLabels !== bank.shape[0]) {
    throw new Error(`Error in ${fn}: bankLabels must have one label per bank row (${bank.shape[0]}), but got ${nLabels}`);
  }
  for (const key of Object.keys(options)) {
    if (!['k', 'temperature', 'numClasses', 'batchSize', 'bankBatchSize'].includes(key)) {
      throw new Error(`Error in ${fn}: Unknown config key: ${key} (expected one of k, temperature, numClasses, batchSize, bankBatchSize)`);
    }
  }
  const k = options.k ?? 200;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`Error in ${fn}: k must be a positive integer, but got ${k}`);
  if (!((options.temperature ?? 0.1) > 0)) throw new Error(`Error in ${fn}: temperature must be > 0, but got ${options.temperature}`);
  if (!(Number.isInteger(options.numClasses) && options.numClasses >= 1)) {
    throw new Error(`Error in ${fn}: numClasses must be a positive integer, but got ${options.numClasses}`);
  }
  const labels = bankLabels instanceof tf.Tensor ? bankLabels.dataSync() : bankLabels;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!(Number.isInteger(v) && v >= 0 && v < options.numClasses)) {
      throw new Error(`Error in ${fn}: bankLabels must be integers in 0..${options.numClasses - 1} (numClasses ${options.numClasses}), but got ${v} at row ${i}`);
    }
  }
  return Math.min(k, bank.shape[0]);
}

function normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24))) as tf.Tensor2D);
}

/**
 * Class scores of the weighted kNN classifier for every query, the MoCo CIFAR-10 colab's
 * `knn_predict` (also lightly's benchmark):
 *
 *   sim    = normalize(features) normalize(bank)^T             [B, N] cosine similarities
 *   top-k  = the k most similar bank rows of each query
 *   w      = exp(sim / T)                                       for those k
 *   score_c = sum over the k neighbours with label c of w       [B, C]
 *
 * Rows of features and bank are L2-normalised here (a no-op if they already are).
 *
 * @returns [B, C] scores; the caller owns it.
 */
export function knnScores(features: tf.Tensor2D, bank: tf.Tensor2D, bankLabels: tf.Tensor1D | ArrayLike<number>, options: KnnOptions): tf.Tensor2D {
  const k = check(features, bank, bankLabels, options);
  const temperature = options.temperature ?? 0.1;
  const batchSize = options.batchSize ?? 256;
  const c = options.numClasses;
  const bankBatchSize = options.bankBatchSize ?? 8192;
  const nBank = bank.shape[0];
  return tf.tidy(() => {
    const labels = bankLabels instanceof tf.Tensor ? tf.cast(bankLabels, 'int32') : tf.tensor1d(Array.from(bankLabels), 'int32');
    // 1 / ||bank row||, once; the bank itself is never copied (it may be most of the memory).
    const chunks: { start: number; size: number; invNorm: tf.Tensor }[] = [];
    for (let start = 0; start < nBank; start += bankBatchSize) {
      const size = Math.min(bankBatchSize, nBank - start);
      const invNorm = tf.tidy(() => tf.rsqrt(tf.maximum(tf.sum(tf.square(tf.slice(bank, [start, 0], [size, -1])), 1), 1e-24))); // [size]
      chunks.push({ start, size, invNorm });
    }
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < features.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, features.shape[0] - start);
      parts.push(
        tf.tidy(() => {
          const q = normalize(tf.slice(features, [start, 0], [size, -1]) as tf.Tensor2D); // [b, D]
          // Top k within each bank block, then top k of those: the same k neighbours as one big top-k.
          const candValues: tf.Tensor[] = [];
          const candIndices: tf.Tensor[] = [];
          for (const chunk of chunks) {
            const block = tf.slice(bank, [chunk.start, 0], [chunk.size, -1]) as tf.Tensor2D; // [n, D]
            const sim = tf.mul(tf.matMul(q, block, false, true), chunk.invNorm); // [b, n]
            const top = tf.topk(sim, Math.min(k, chunk.size)); // [b, k']
            candValues.push(top.values);
            candIndices.push(tf.add(top.indices, tf.scalar(chunk.start, 'int32')));
          }
          // With one block its top k is already the answer; otherwise merge the blocks' candidates.
          let values: tf.Tensor = candValues[0];
          let indices: tf.Tensor = candIndices[0]; // [b, k] bank rows
          if (chunks.length > 1) {
            const allIndices = tf.concat(candIndices, 1) as tf.Tensor2D; // [b, sum k']
            const merged = tf.topk(tf.concat(candValues, 1), k); // [b, k]
            values = merged.values;
            indices = gatherRows(allIndices, merged.indices as tf.Tensor2D);
          }
          const neighbourLabels = tf.gather(labels, indices); // [b, k]
          const weights = tf.exp(tf.div(values, temperature)); // [b, k]
          const oneHot = tf.oneHot(neighbourLabels, c); // [b, k, C]
          return tf.sum(tf.mul(oneHot, tf.expandDims(weights, 2)), 1); // [b, C]
        }),
      );
    }
    return (parts.length > 0 ? tf.concat(parts, 0) : tf.zeros([0, c])) as tf.Tensor2D; // [B, C]
  });
}

/** out[i, j] = table[i, pos[i, j]] for int32 [b, m] table and [b, k] positions. */
function gatherRows(table: tf.Tensor2D, pos: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, m] = table.shape;
    const flat = tf.reshape(table, [-1]); // [b m]
    const offsets = tf.reshape(tf.mul(tf.range(0, b, 1, 'int32'), tf.scalar(m, 'int32')), [b, 1]); // [b, 1]
    return tf.gather(flat, tf.add(tf.cast(pos, 'int32'), offsets)) as tf.Tensor2D; // [b, k]
  });
}

/**
 * Weighted k-nearest-neighbour prediction (k = 200, T = 0.1 by default): the class with the
 * highest score of `knnScores`; ties go to the lower class index.
 *
 * Sources: Wu et al., "Unsupervised Feature Learning via Non-Parametric Instance
 * Discrimination", CVPR 2018, Sec. 3.4 (weights exp(sim / T)); the MoCo CIFAR-10 demo
 * (facebookresearch/moco, colab/moco_cifar10_demo.ipynb, `knn_predict`); lightly's
 * benchmarks/knn.
 *
 * @param features - [B, D] query features.
 * @param bank - [N, D] labelled features (the training set's).
 * @param bankLabels - [N] integer labels of the bank.
 * @returns [B] int32 predicted labels; the caller owns it.
 * @throws "Error in knnPredict: ..." on mismatched shapes, k < 1, T <= 0 or numClasses < 1.
 * @example
 * const pred = knnPredict(testFeatures, trainFeatures, yTrain, { numClasses: 10 });
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function knnPredict(features: tf.Tensor2D, bank: tf.Tensor2D, bankLabels: tf.Tensor1D | ArrayLike<number>, options: KnnOptions): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.argMax(knnScores(features, bank, bankLabels, options), 1), 'int32') as tf.Tensor1D);
}

/**
 * Top-1 accuracy of `knnPredict` on labelled queries, in [0, 1].
 *
 * @example
 * const acc = knnAccuracy(testFeatures, yTest, trainFeatures, yTrain, { numClasses: 10 }); // 0.52
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function knnAccuracy(
  features: tf.Tensor2D,
  labels: tf.Tensor1D | ArrayLike<number>,
  bank: tf.Tensor2D,
  bankLabels: tf.Tensor1D | ArrayLike<number>,
  options: KnnOptions,
): number {
  const pred = knnPredict(features, bank, bankLabels, options);
  const p = pred.dataSync();
  pred.dispose();
  const truth = labels instanceof tf.Tensor ? labels.dataSync() : labels;
  if (truth.length !== p.length) {
    throw new Error(`Error in knnAccuracy: labels must have one label per feature row (${p.length}), but got ${truth.length}`);
  }
  if (p.length === 0) throw new Error('Error in knnAccuracy: features must have at least one row, but got shape [0,' + features.shape[1] + ']');
  let correct = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === truth[i]) correct++;
  return correct / p.length;
}
