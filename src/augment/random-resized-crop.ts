import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../backend/seed';
import { checkImageBatch, checkImages01, checkRange } from './per-sample';

/** A crop in pixels: rows top .. top + height - 1, columns left .. left + width - 1. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Options of `randomResizedCrop`. */
export interface RandomResizedCropOptions {
  /** Output side (or [height, width]); default the input's size. */
  size?: number | [number, number];
  /** Range of the crop's area as a fraction of the image (default [0.08, 1], the Inception crop). */
  scale?: [number, number];
  /** Range of the crop's aspect ratio width / height, drawn log-uniformly (default [3/4, 4/3]). */
  ratio?: [number, number];
  seed: number;
}

/**
 * Draw one random crop box per sample, as torchvision's RandomResizedCrop.get_params does:
 * up to 10 tries of area = U(scale) * H * W and aspect = exp(U(log ratio)), giving
 * w = round(sqrt(area * aspect)), h = round(sqrt(area / aspect)), kept if it fits, placed
 * uniformly; otherwise a centre crop of the whole image clamped to the ratio range.
 * @see notebooks/10.3.2-augmentations.ipynb
 */
export function randomResizedCropBoxes(
  n: number,
  height: number,
  width: number,
  scale: [number, number],
  ratio: [number, number],
  rng: Rng,
): CropBox[] {
  const area = height * width;
  const [logLo, logHi] = [Math.log(ratio[0]), Math.log(ratio[1])];
  const boxes: CropBox[] = [];
  for (let i = 0; i < n; i++) {
    let box: CropBox | null = null;
    for (let attempt = 0; attempt < 10 && !box; attempt++) {
      const target = area * (scale[0] + (scale[1] - scale[0]) * rng.next());
      const aspect = Math.exp(logLo + (logHi - logLo) * rng.next());
      const w = Math.round(Math.sqrt(target * aspect));
      const h = Math.round(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        box = { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
      }
    }
    if (!box) {
      const inRatio = width / height;
      let [w, h] = [width, height];
      if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
      else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
      box = { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
    }
    boxes.push(box);
  }
  return boxes;
}

/**
 * Crop boxes (in pixels) and resize them to `size` with bilinear sampling:
 * tf.image.cropAndResize, corner pixels of the box mapped to corner pixels of the output.
 * @param x - [B, H, W, C] images; boxes - one per sample.
 * @returns [B, size, size, C].
 * @see notebooks/10.3.2-augmentations.ipynb
 */
export function cropAndResizeBoxes(x: tf.Tensor4D, boxes: CropBox[], size: [number, number]): tf.Tensor4D {
  checkImageBatch('cropAndResizeBoxes', x);
  const [, height, width] = x.shape;
  return tf.tidy(() => {
    const normalised = boxes.map((b) => normalisedBox(b, height, width));
    const boxInd = tf.tensor1d(boxes.map((_, i) => i), 'int32');
    return tf.image.cropAndResize(x, tf.tensor2d(normalised, [boxes.length, 4], 'float32'), boxInd, size, 'bilinear');
  });
}


/**
 * A box as tf.image.cropAndResize takes it: [y1, x1, y2, x2], pixel coordinates divided by (height - 1) and
 * (width - 1). A box that ends on the last row or column ends four float32 rounding steps of (n - 1) inside it
 * ((n - 1) / 2^21 pixels, 1.5e-5 on a 32-pixel side): cropAndResize computes its sample positions in float32,
 * and at exactly the edge the last one could land a hair outside the image, where it writes 0 instead of the
 * pixel (a black last column, seen on wasm and cpu).
 */
export function normalisedBox(b: CropBox, height: number, width: number): [number, number, number, number] {
  const sy = Math.max(1, height - 1);
  const sx = Math.max(1, width - 1);
  const end = (v: number, n: number) => (n > 1 && v >= n - 1 ? (n - 1) * (1 - 2 ** -21) : v);
  return [b.top / sy, b.left / sx, end(b.top + b.height - 1, height) / sy, end(b.left + b.width - 1, width) / sx];
}

/**
 * Random resized crop (the "Inception crop" of SimCLR, MoCo, SwAV): for each sample, a random
 * box covering a fraction `scale` of the image with aspect ratio in `ratio`, resized to `size`.
 *
 * @param x - [B, H, W, C] images.
 * @returns [B, size, size, C].
 * @throws "Error in randomResizedCrop: ..." for a bad batch, scale or ratio.
 * @example
 * const crops = randomResizedCrop(x, { size: 32, scale: [0.2, 1], seed: 0 });
 * @see notebooks/10.3.2-augmentations.ipynb
 */
export function randomResizedCrop(x: tf.Tensor4D, options: RandomResizedCropOptions): tf.Tensor4D {
  checkImageBatch('randomResizedCrop', x);
  checkImages01('randomResizedCrop', x);
  const { scale = [0.08, 1], ratio = [3 / 4, 4 / 3], seed } = options;
  checkRange('randomResizedCrop', 'scale', scale, 0, 1, true);
  checkRange('randomResizedCrop', 'ratio', ratio, 0, Infinity, true);
  const [n, height, width] = x.shape;
  const size = options.size ?? [height, width];
  const out: [number, number] = typeof size === 'number' ? [size, size] : size;
  const boxes = randomResizedCropBoxes(n, height, width, scale, ratio, createRng(seed));
  return cropAndResizeBoxes(x, boxes, out);
}
