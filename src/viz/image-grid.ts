/**
 * Image grids as PNG notebook outputs: a batch of images, augmented views side by side, MAE
 * reconstructions (original / masked / reconstruction rows).
 */
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { displayBundle, DisplayBundleOptions, MimeBundle } from './display';
import { drawText, textWidth, GLYPH_ADVANCE, GLYPH_HEIGHT } from './pixel-font';

export interface ImageGridOptions {
  /** Images per row when one batch is given (as torchvision's make_grid); default min(N, 8). */
  nrow?: number;
  /** Pixels between images and around the grid; default 2. */
  padding?: number;
  /**
   * Integer nearest-neighbour upscaling, so 32x32 images are not postage stamps; default
   * 'auto': the smallest factor that makes the shorter side at least 64 pixels.
   */
  scale?: number | 'auto';
  /** Grey level of padding and background in [0, 1]; default 1 (white). */
  padValue?: number;
  /** One caption per image (in grid order), drawn under it in a 3x5 pixel font. */
  labels?: readonly string[];
  /** One label per row, drawn left of it ('original', 'masked', 'reconstruction'). */
  rowLabels?: readonly string[];
}

/** A batch [N, H, W, C] in [0, 1] (C = 1 or 3), or a list of batches, one per grid row. */
export type ImageGridInput = tf.Tensor4D | readonly tf.Tensor4D[];

interface Row {
  data: Float32Array | Int32Array | Uint8Array;
  n: number;
}

/** Height and width of a caption or label, in output pixels, for font scale `ts`. */
const TEXT_SCALE = 2;

/**
 * Lay the images out and encode the grid as PNG (8-bit RGB). Values are clipped to [0, 1]
 * and rounded to 0..255; grey images are drawn grey. Tensors are read, not disposed.
 *
 * @throws "Error in imageGrid: images must have shape [N, H, W, C], but got [32,32,3]"
 * @throws "Error in imageGrid: images must have 1 or 3 channels, but got 4"
 * @throws "Error in imageGrid: every row must have the same H, W and C, but got [32,32,3] and [16,16,3]"
 */
export function imageGridPng(images: ImageGridInput, options: ImageGridOptions = {}): Buffer {
  return PNG.sync.write(imageGridLayout(images, options).png, { colorType: 2 });
}

/** The text/plain part: "image grid: 2 rows of 8 images 32x32x3, scale 2 (original, reconstruction)". */
export function imageGridSummary(images: ImageGridInput, options: ImageGridOptions = {}): string {
  const { rows, h, w, c, cols, scale } = imageGridLayout(images, options, false);
  const total = rows.reduce((s, r) => s + r.n, 0);
  const names = options.rowLabels ? ` (${options.rowLabels.join(', ')})` : '';
  return `image grid: ${total} images ${h}x${w}x${c} in ${rows.length} ${rows.length === 1 ? 'row' : 'rows'} of up to ${cols}, scale ${scale}${names}`;
}

/**
 * Show images as one PNG output (plus a text summary). Synchronous: no await needed.
 *
 * @example
 * imageGrid([x.slice(0, 8), masked.slice(0, 8), recon.slice(0, 8)], { rowLabels: ['original', 'masked', 'reconstruction'] });
 * imageGrid([view1, view2], { rowLabels: ['view 1', 'view 2'], scale: 3 });
 */
export function imageGrid(images: ImageGridInput, options: ImageGridOptions = {}, display: DisplayBundleOptions = {}): void {
  const png = imageGridPng(images, options);
  displayBundle(pngBundle(png, imageGridSummary(images, options)), display);
}

/** A bundle for raw PNG bytes: base64 image/png plus text/plain. */
export function pngBundle(png: Uint8Array, summary: string): MimeBundle {
  return { 'image/png': Buffer.from(png).toString('base64'), 'text/plain': summary };
}

/**
 * Values a little outside [0, 1] (an MAE reconstruction, bilinear rounding) are clipped; values
 * far outside mean the images are not in [0, 1] at all (8-bit pixels, standardised images),
 * and a clipped picture of them would mislead: refuse them.
 */
function checkRange(rows: Row[]): void {
  let max = -Infinity;
  let min = Infinity;
  for (const { data } of rows) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v > max) max = v;
      if (v < min) min = v;
    }
  }
  if (max > 1.5 || min < -0.5) {
    const hint = max > 2 ? 'divide by 255' : 'undo normalizeImages with denormalizeImages before showing them';
    const got = max > 1.5 ? `values up to ${max}` : `values down to ${min}`;
    throw new Error(`Error in imageGrid: images must be in [0, 1] (values a little outside are clipped), but got ${got} (${hint})`);
  }
}

function imageGridLayout(images: ImageGridInput, options: ImageGridOptions, paint = true) {
  const batches = Array.isArray(images) ? (images as tf.Tensor4D[]) : [images as tf.Tensor4D];
  if (batches.length === 0) throw new Error('Error in imageGrid: no images given');
  for (const b of batches) {
    if (b.rank !== 4) throw new Error(`Error in imageGrid: images must have shape [N, H, W, C], but got [${b.shape}]`);
  }
  const [, h, w, c] = batches[0].shape;
  if (c !== 1 && c !== 3) throw new Error(`Error in imageGrid: images must have 1 or 3 channels, but got ${c}`);
  for (const b of batches) {
    if (b.shape[1] !== h || b.shape[2] !== w || b.shape[3] !== c) {
      throw new Error(
        `Error in imageGrid: every row must have the same H, W and C, but got [${[h, w, c]}] and [${b.shape.slice(1)}]`,
      );
    }
  }
  const n0 = batches[0].shape[0];
  const nrow = options.nrow ?? Math.min(Math.max(n0, 1), 8);
  if (!Number.isInteger(nrow) || nrow < 1) throw new Error(`Error in imageGrid: nrow must be a positive integer, but got ${nrow}`);
  const rows: Row[] = [];
  if (Array.isArray(images)) {
    for (const b of batches) rows.push({ data: paint ? b.dataSync() : new Float32Array(0), n: b.shape[0] });
  } else {
    const all = paint ? batches[0].dataSync() : new Float32Array(0);
    const size = h * w * c;
    for (let i = 0; i < n0; i += nrow) {
      const n = Math.min(nrow, n0 - i);
      rows.push({ data: paint ? all.subarray(i * size, (i + n) * size) : all, n });
    }
  }
  if (paint) checkRange(rows);
  const cols = Math.max(1, ...rows.map((r) => r.n));
  const total = rows.reduce((s, r) => s + r.n, 0);
  if (options.labels && options.labels.length !== total) {
    throw new Error(`Error in imageGrid: labels must have one entry per image, but got ${options.labels.length} labels for ${total} images`);
  }
  if (options.rowLabels && options.rowLabels.length !== rows.length) {
    throw new Error(`Error in imageGrid: rowLabels must have one entry per row, but got ${options.rowLabels.length} for ${rows.length} rows`);
  }
  const scaleOpt = options.scale ?? 'auto';
  const scale = scaleOpt === 'auto' ? Math.max(1, Math.ceil(64 / Math.max(1, Math.min(h, w)))) : scaleOpt;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`Error in imageGrid: scale must be a positive integer or 'auto', but got ${scale}`);
  const pad = options.padding ?? 2;
  const cellW = w * scale;
  const cellH = h * scale;
  const ts = TEXT_SCALE;
  const captionH = options.labels ? GLYPH_HEIGHT * ts + 2 * ts : 0;
  const leftW = options.rowLabels ? Math.max(...options.rowLabels.map(textWidth)) * ts + 2 * ts : 0;
  const width = leftW + pad + cols * (cellW + pad);
  const height = pad + rows.length * (cellH + captionH + pad);
  const png = new PNG({ width: paint ? width : 1, height: paint ? height : 1 }); // RGBA buffer
  if (paint) {
    const bg = to8(options.padValue ?? 1);
    const ink = bg >= 128 ? 0 : 255;
    const out = png.data; // RGBA, 4 bytes per pixel
    for (let i = 0; i < out.length; i += 4) {
      out[i] = out[i + 1] = out[i + 2] = bg;
      out[i + 3] = 255;
    }
    const text = (s: string, x0: number, y0: number, maxW: number) => {
      const fit = s.slice(0, Math.max(0, Math.floor((maxW / ts + 1) / GLYPH_ADVANCE)));
      drawText(fit, (fx, fy) => {
        for (let dy = 0; dy < ts; dy++)
          for (let dx = 0; dx < ts; dx++) {
            const x = x0 + fx * ts + dx;
            const y = y0 + fy * ts + dy;
            if (x < width && y < height) out.fill(ink, 4 * (y * width + x), 4 * (y * width + x) + 3);
          }
      });
    };
    let k = 0;
    rows.forEach((row, r) => {
      const top = pad + r * (cellH + captionH + pad);
      if (options.rowLabels) text(options.rowLabels[r], ts, top + Math.max(0, (cellH - GLYPH_HEIGHT * ts) >> 1), leftW - ts);
      for (let i = 0; i < row.n; i++, k++) {
        const left = leftW + pad + i * (cellW + pad);
        const base = i * h * w * c;
        for (let y = 0; y < cellH; y++) {
          const sy = Math.floor(y / scale);
          for (let x = 0; x < cellW; x++) {
            const src = base + (sy * w + Math.floor(x / scale)) * c;
            const dst = 4 * ((top + y) * width + left + x);
            out[dst] = to8(row.data[src]);
            out[dst + 1] = to8(row.data[src + (c === 3 ? 1 : 0)]);
            out[dst + 2] = to8(row.data[src + (c === 3 ? 2 : 0)]);
          }
        }
        if (options.labels) text(options.labels[k], left, top + cellH + ts, cellW);
      }
    });
  }
  return { png, rows, h, w, c, cols, scale, width, height };
}

/** [0, 1] → 0..255, clipped and rounded; NaN → 0. */
function to8(v: number): number {
  return v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
}
