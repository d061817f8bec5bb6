import * as tf from '@tensorflow/tfjs';
import type { Module } from '../models/module';
import { extractFeatures } from './extract-features';
import { knnAccuracy } from './knn-predict';

/** Labelled images: [N, H, W, C] in [0, 1] and N integer labels. */
export interface LabelledImages {
  x: tf.Tensor4D;
  y: tf.Tensor1D | ArrayLike<number>;
}

/** A trained recipe (anything with its encoder and the preprocessing it was trained with). */
export interface EvaluableRecipe {
  encoder: Module<tf.Tensor4D, tf.Tensor2D>;
  preprocess(x: tf.Tensor4D): tf.Tensor4D;
}

/** Options of `knnEvaluate`. */
export interface KnnEvaluateOptions {
  /** Neighbours that vote (default 200). */
  k?: number;
  /** Temperature of the votes (default 0.1). */
  temperature?: number;
  /** Number of classes (default 10). */
  numClasses?: number;
  /** Images per forward pass (default 500). */
  batchSize?: number;
  /**
   * What to apply to the images before the encoder. Default for a recipe: its own
   * `preprocess`. For a bare encoder it must be given — a function, or null for none — because
   * evaluating with other inputs than training used silently costs accuracy.
   */
  preprocess?: ((x: tf.Tensor4D) => tf.Tensor4D) | null;
}

/** What `knnEvaluate` measured. */
export interface KnnEvaluation {
  /** Top-1 accuracy on the test images, in [0, 1]. */
  top1: number;
  numBank: number;
  numQueries: number;
  k: number;
  temperature: number;
}

const KEYS = ['k', 'temperature', 'numClasses', 'batchSize', 'preprocess'];

function isRecipe(model: unknown): model is EvaluableRecipe {
  return typeof model === 'object' && model !== null && 'encoder' in model && typeof (model as EvaluableRecipe).preprocess === 'function';
}

/**
 * kNN evaluation in one call: the frozen encoder's features of the training images (the bank)
 * and of the test images, then the weighted kNN classifier (`knnAccuracy`: cosine
 * similarity, k = 200, T = 0.1). Given a recipe, it evaluates `recipe.encoder` with
 * `recipe.preprocess`, the standardisation it was trained with.
 *
 * @param model - a recipe (simclr(...), moco(...), ...) or an encoder with `{ preprocess }`.
 * @param data - `{ train, test }`, each `{ x, y }`.
 * @throws "Error in knnEvaluate: ..." for a bare encoder without `preprocess`, unknown options, or labels that do not match the images.
 * @example
 * const { top1 } = knnEvaluate(recipe, { train, test }); // 0.47
 * const raw = knnEvaluate(encoder, { train, test }, { preprocess: (x) => normalizeImages(x) });
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function knnEvaluate(
  model: EvaluableRecipe | Module<tf.Tensor4D, tf.Tensor2D>,
  data: { train: LabelledImages; test: LabelledImages },
  options: KnnEvaluateOptions = {},
): KnnEvaluation {
  const fn = 'knnEvaluate';
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) throw new Error(`Error in ${fn}: Unknown config key: ${key} (expected one of ${KEYS.join(', ')})`);
  }
  const recipe = isRecipe(model) ? model : null;
  const encoder = recipe ? recipe.encoder : (model as Module<tf.Tensor4D, tf.Tensor2D>);
  if (!recipe && !('preprocess' in options)) {
    throw new Error(
      `Error in ${fn}: a bare encoder needs { preprocess }: the function its training applied to the images ` +
        '(e.g. (x) => normalizeImages(x), as every course recipe does), or null for none. Or pass the recipe itself.',
    );
  }
  const preprocess = 'preprocess' in options ? (options.preprocess ?? undefined) : recipe!.preprocess;
  for (const [name, part] of Object.entries(data) as [string, LabelledImages][]) {
    const n = part.y instanceof tf.Tensor ? part.y.shape[0] : part.y.length;
    if (!(part.x instanceof tf.Tensor) || part.x.rank !== 4) throw new Error(`Error in ${fn}: ${name}.x must be [N, H, W, C], but got shape [${part.x?.shape?.join(',')}]`);
    if (n !== part.x.shape[0]) throw new Error(`Error in ${fn}: ${name}.y must have ${part.x.shape[0]} labels (one per image), but got ${n}`);
  }
  const { k = 200, temperature = 0.1, numClasses = 10, batchSize = 500 } = options;
  const bank = extractFeatures(encoder, data.train.x, { batchSize, preprocess });
  try {
    const queries = extractFeatures(encoder, data.test.x, { batchSize, preprocess });
    try {
      const kUsed = Math.min(k, bank.shape[0]);
      const top1 = knnAccuracy(queries, data.test.y, bank, data.train.y, { k: kUsed, temperature, numClasses });
      return { top1, numBank: bank.shape[0], numQueries: queries.shape[0], k: kUsed, temperature };
    } finally {
      queries.dispose();
    }
  } finally {
    bank.dispose();
  }
}
