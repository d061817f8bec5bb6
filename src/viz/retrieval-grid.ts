/**
 * Nearest-neighbour retrieval grids: each query image (framed in blue) followed by the training
 * images nearest to it in feature space, neighbours of another class framed in red.
 */
import * as tf from '@tensorflow/tfjs';
import { displayBundle, type DisplayBundleOptions } from './display';
import { imageGridPng, pngBundle } from './image-grid';

/** Options of `retrievalGrid`. */
export interface RetrievalGridOptions {
  /** Class of each query (index into classNames); with bankLabels, mismatches are framed. */
  queryLabels?: ArrayLike<number>;
  /** Class of each bank image. */
  bankLabels?: ArrayLike<number>;
  /** Names drawn under the images (default: the class numbers). */
  classNames?: readonly string[];
  /** Frame neighbours of another class than their query in red (default true when both label lists are given). */
  markMismatches?: boolean;
  /** Integer upscaling of the images (default 'auto', as imageGrid). */
  scale?: number | 'auto';
}

/** What a retrieval grid showed, for a printout under it. */
export interface RetrievalGridResult {
  /** Neighbours shown. */
  total: number;
  /** Neighbours of the same class as their query (NaN without labels). */
  sameClass: number;
}

/**
 * Show one row per query: the query image in a blue frame, then its neighbours in order
 * (nearest first), with class names under them when labels are given and a red frame on every
 * neighbour whose class differs from the query's. Pair it with `nearestNeighbors` on the images' features.
 *
 * @param queryImages - [Q, H, W, C] in [0, 1].
 * @param bankImages - [N, H, W, C] in [0, 1], the images the neighbour indices point into.
 * @param neighbors - neighbors[q] = bank rows shown after query q (e.g. `nearestNeighbors(...).indices`).
 * @returns how many neighbours share their query's class; the tensors given are not disposed.
 * @throws "Error in retrievalGrid: ..." for mismatched shapes or counts, or an index outside the bank.
 * @example
 * const nn = nearestNeighbors(testF.slice([0, 0], [8, -1]), trainF, { k: 7 });
 * retrievalGrid(xTest.slice([0, 0, 0, 0], [8, -1, -1, -1]), xTrain, nn.indices, { queryLabels: yTest, bankLabels: yTrain, classNames });
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function retrievalGrid(
  queryImages: tf.Tensor4D,
  bankImages: tf.Tensor4D,
  neighbors: readonly (readonly number[])[],
  options: RetrievalGridOptions = {},
  display: DisplayBundleOptions = {},
): RetrievalGridResult {
  const fn = 'retrievalGrid';
  const allowed = ['queryLabels', 'bankLabels', 'classNames', 'markMismatches', 'scale'];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`Error in ${fn}: Unknown config key: ${key} (expected one of ${allowed.join(', ')})`);
  }
  if (!(queryImages instanceof tf.Tensor) || queryImages.rank !== 4) throw new Error(`Error in ${fn}: queryImages must be [Q, H, W, C], but got shape [${queryImages?.shape?.join(',')}]`);
  if (!(bankImages instanceof tf.Tensor) || bankImages.rank !== 4) throw new Error(`Error in ${fn}: bankImages must be [N, H, W, C], but got shape [${bankImages?.shape?.join(',')}]`);
  if (queryImages.shape.slice(1).join() !== bankImages.shape.slice(1).join()) {
    throw new Error(`Error in ${fn}: queryImages and bankImages must have the same H, W, C, but got [${queryImages.shape.join(',')}] and [${bankImages.shape.join(',')}]`);
  }
  const q = queryImages.shape[0];
  if (neighbors.length !== q) throw new Error(`Error in ${fn}: neighbors must have one list per query (${q}), but got ${neighbors.length}`);
  const k = neighbors[0]?.length ?? 0;
  if (k === 0 || neighbors.some((row) => row.length !== k)) throw new Error(`Error in ${fn}: every query needs the same number (>= 1) of neighbours`);
  const n = bankImages.shape[0];
  for (const row of neighbors) {
    for (const i of row) if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`Error in ${fn}: neighbour index ${i} is outside the bank (0..${n - 1})`);
  }
  const { queryLabels, bankLabels, classNames, scale = 'auto' } = options;
  if (queryLabels && queryLabels.length < q) throw new Error(`Error in ${fn}: queryLabels must have ${q} labels, but got ${queryLabels.length}`);
  if (bankLabels && bankLabels.length !== n) throw new Error(`Error in ${fn}: bankLabels must have one label per bank image (${n}), but got ${bankLabels.length}`);
  const labelled = queryLabels !== undefined && bankLabels !== undefined;
  const mark = options.markMismatches ?? labelled;
  const name = (c: number) => classNames?.[c] ?? String(c);
  let sameClass = 0;
  const captions: string[] = [];
  const mismatch: boolean[][] = neighbors.map((row, r) =>
    row.map((i) => {
      const differs = labelled ? bankLabels[i] !== queryLabels[r] : false;
      if (labelled && !differs) sameClass++;
      return differs;
    }),
  );
  for (let r = 0; r < q; r++) {
    captions.push(queryLabels ? name(queryLabels[r]) : 'query');
    for (const i of neighbors[r]) captions.push(bankLabels ? name(bankLabels[i]) : `#${i}`);
  }
  const rows = tf.tidy(() =>
    neighbors.map((row, r) => {
      const query = frame(tf.slice(queryImages, [r, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D, [true], QUERY_BLUE);
      let found = tf.gather(bankImages, tf.tensor1d(row as number[], 'int32')) as tf.Tensor4D; // [k, H, W, C]
      if (mark && mismatch[r].some(Boolean)) found = frame(found, mismatch[r], MISMATCH_RED);
      return tf.concat([query, found]) as tf.Tensor4D;
    }),
  );
  try {
    const png = imageGridPng(rows, { labels: captions, scale, nrow: k + 1 });
    const same = labelled ? `; ${sameClass} of ${q * k} neighbours share their query's class (others framed in red)` : '';
    displayBundle(pngBundle(png, `retrieval grid: ${q} queries (framed in blue), each followed by its ${k} nearest neighbours${same}`), display);
  } finally {
    tf.dispose(rows);
  }
  return { total: q * k, sameClass: labelled ? sameClass : NaN };
}

const QUERY_BLUE: [number, number, number] = [0.1, 0.3, 0.9];
const MISMATCH_RED: [number, number, number] = [0.9, 0.1, 0.1];

/** Paint a 1-pixel border of `rgb` into the images whose flag is set (grey images get its mean). */
function frame(x: tf.Tensor4D, flags: boolean[], rgb: [number, number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const [k, h, w, c] = x.shape;
    const ring = tf.buffer([1, h, w, 1], 'float32');
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) if (i === 0 || j === 0 || i === h - 1 || j === w - 1) ring.set(1, 0, i, j, 0);
    const which = tf.tensor4d(flags.map((f) => (f ? 1 : 0)), [k, 1, 1, 1]);
    const m = tf.mul(ring.toTensor(), which); // [k, H, W, 1]
    const colour = tf.tensor4d(c === 3 ? rgb : [(rgb[0] + rgb[1] + rgb[2]) / 3], [1, 1, 1, c]);
    return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(colour, m)) as tf.Tensor4D;
  });
}
