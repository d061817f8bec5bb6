import * as tf from '@tensorflow/tfjs';
import { createRng, shuffle } from '../backend/seed';
import { drawMask, drawUniform } from './per-sample';
import { normalisedBox, randomResizedCropBoxes, type CropBox } from './random-resized-crop';
import { LUMA_WEIGHTS } from './rgb-to-grayscale';

/** The part of the SimCLR view recipe the one-pass route computes (resolved options, hue 0, no blur, no solarize). */
export interface OnePassRecipe {
  size: number;
  scale: [number, number];
  ratio: [number, number];
  flipP: number;
  strength: number;
  jitterP: number;
  randomOrder: boolean;
  grayscaleP: number;
}

/** Per-sample parameters of one view, drawn from the seed exactly as the chain of augmentations draws them. */
interface ViewParams {
  box: CropBox;
  flip: boolean;
  /** The colour adjustments in the order applied: 0 brightness, 1 contrast, 2 saturation; empty without jitter. */
  jitter: { kind: number; f: number }[];
  gray: boolean;
}

/**
 * The per-sample parameters of `composeAugmentations(simclrSteps(...))` for this seed: the pipeline's Rng gives
 * each step a seed (and, for the jitter with p < 1, the per-sample mask), and each step draws from its own seed.
 */
function drawParams(n: number, height: number, width: number, r: OnePassRecipe, seed: number): ViewParams[] {
  const rng = createRng(seed);
  const cropSeed = rng.seed();
  const flipSeed = rng.seed();
  const jitterSeed = rng.seed();
  const jitterMask = r.jitterP < 1 ? drawMask(rng, n, r.jitterP) : new Array<boolean>(n).fill(true);
  const graySeed = rng.seed();
  const boxes = randomResizedCropBoxes(n, height, width, r.scale, r.ratio, createRng(cropSeed));
  const flips = drawMask(createRng(flipSeed), n, r.flipP);
  // colorJitter's draws: one factor per sample for each of brightness, contrast, saturation, then the orders
  const s = 0.8 * r.strength;
  const jr = createRng(jitterSeed);
  const factors = s > 0 ? [0, 1, 2].map(() => drawUniform(jr, n, Math.max(0, 1 - s), 1 + s)) : [];
  const kinds = factors.map((_, j) => j);
  const orders = Array.from({ length: n }, () => (r.randomOrder ? shuffle([...kinds], jr) : kinds));
  const grays = drawMask(createRng(graySeed), n, r.grayscaleP);
  return boxes.map((box, i) => ({
    box,
    flip: flips[i],
    jitter: jitterMask[i] ? orders[i].map((kind) => ({ kind, f: factors[kind][i] })) : [],
    gray: grays[i],
  }));
}

const clip01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * One view of every image, each made in one pass over its output pixels: bilinear crop-and-resize of its box
 * (tf.image.cropAndResize's sampling, box corners on output corners), mirrored when flipped, then the colour
 * adjustments in the sample's order (brightness clip(f v), contrast clip(f v + (1 - f) mean grey), saturation
 * clip(f v + (1 - f) grey)), then greyscale. The same parameters, from the same draws, as the chain of batch
 * ops in simclrSteps; only float rounding differs (the arithmetic here is in float64).
 *
 * @param pixels - [B, H, W, 3] images in [0, 1], as a flat array.
 * @returns [B, size, size, 3].
 */
export function onePassView(pixels: Float32Array, shape: [number, number, number, number], recipe: OnePassRecipe, seed: number): Float32Array {
  const [n, height, width] = shape;
  const size = recipe.size;
  const params = drawParams(n, height, width, recipe, seed);
  const out = new Float32Array(n * size * size * 3);
  const [wr, wg, wb] = LUMA_WEIGHTS;
  const view = new Float64Array(size * size * 3);
  for (let b = 0; b < n; b++) {
    const { box, flip, jitter, gray } = params[b];
    const src = b * height * width * 3;
    // tf.image.cropAndResize's sampling of the box as cropAndResizeBoxes gives it
    const [ny1, nx1, ny2, nx2] = normalisedBox(box, height, width);
    const [y1, y2] = [ny1 * (height - 1), ny2 * (height - 1)];
    const [x1, x2] = [nx1 * (width - 1), nx2 * (width - 1)];
    const hs = size > 1 ? (y2 - y1) / (size - 1) : 0;
    const ws = size > 1 ? (x2 - x1) / (size - 1) : 0;
    for (let i = 0; i < size; i++) {
      const inY = size > 1 ? y1 + i * hs : 0.5 * (y1 + y2);
      const top = Math.floor(inY);
      const bottom = Math.min(height - 1, Math.ceil(inY));
      const yl = inY - top;
      for (let j = 0; j < size; j++) {
        const inX = size > 1 ? x1 + j * ws : 0.5 * (x1 + x2);
        const left = Math.floor(inX);
        const right = Math.min(width - 1, Math.ceil(inX));
        const xl = inX - left;
        const q = (i * size + (flip ? size - 1 - j : j)) * 3;
        for (let c = 0; c < 3; c++) {
          const tl = pixels[src + (top * width + left) * 3 + c];
          const tr = pixels[src + (top * width + right) * 3 + c];
          const bl = pixels[src + (bottom * width + left) * 3 + c];
          const br = pixels[src + (bottom * width + right) * 3 + c];
          const t = tl + (tr - tl) * xl;
          const u = bl + (br - bl) * xl;
          view[q + c] = t + (u - t) * yl;
        }
      }
    }
    const pixelsPerView = size * size;
    for (const { kind, f } of jitter) {
      let mean = 0;
      if (kind === 1) {
        for (let p = 0; p < pixelsPerView; p++) mean += wr * view[3 * p] + wg * view[3 * p + 1] + wb * view[3 * p + 2];
        mean /= pixelsPerView;
      }
      for (let p = 0; p < pixelsPerView; p++) {
        const ref = kind === 0 ? 0 : kind === 1 ? mean : wr * view[3 * p] + wg * view[3 * p + 1] + wb * view[3 * p + 2];
        for (let c = 0; c < 3; c++) view[3 * p + c] = clip01(f * view[3 * p + c] + (1 - f) * ref);
      }
    }
    const dst = b * pixelsPerView * 3;
    for (let p = 0; p < pixelsPerView; p++) {
      if (gray) {
        const g = wr * view[3 * p] + wg * view[3 * p + 1] + wb * view[3 * p + 2];
        out[dst + 3 * p] = out[dst + 3 * p + 1] = out[dst + 3 * p + 2] = g;
      } else {
        out[dst + 3 * p] = view[3 * p];
        out[dst + 3 * p + 1] = view[3 * p + 1];
        out[dst + 3 * p + 2] = view[3 * p + 2];
      }
    }
  }
  return out;
}

/** Both SimCLR views of x by the one-pass route: x is read once, each view written once. */
export function onePassViews(x: tf.Tensor4D, recipe: OnePassRecipe, seeds: [number, number]): [tf.Tensor4D, tf.Tensor4D] {
  const pixels = x.dataSync() as Float32Array;
  const shape = x.shape as [number, number, number, number];
  const outShape: [number, number, number, number] = [shape[0], recipe.size, recipe.size, 3];
  return [
    tf.tensor4d(onePassView(pixels, shape, recipe, seeds[0]), outShape, 'float32'),
    tf.tensor4d(onePassView(pixels, shape, recipe, seeds[1]), outShape, 'float32'),
  ];
}
