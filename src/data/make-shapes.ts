import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';

/** The values each factor of variation can take; a label is an index into these lists. */
export const SHAPE_FACTORS = {
  shape: ['circle', 'square', 'triangle', 'diamond', 'cross'],
  colour: ['red', 'green', 'blue', 'yellow', 'purple', 'cyan'],
  size: ['small', 'medium', 'large'],
  position: ['top left', 'top', 'top right', 'left', 'centre', 'right', 'bottom left', 'bottom', 'bottom right'],
  background: ['black', 'grey', 'white'],
} as const;

/** A factor of variation of the synthetic shapes. */
export type ShapeFactor = keyof typeof SHAPE_FACTORS;

const COLOUR_RGB: Record<string, [number, number, number]> = {
  red: [0.9, 0.12, 0.12],
  green: [0.12, 0.72, 0.2],
  blue: [0.15, 0.3, 0.95],
  yellow: [0.95, 0.85, 0.1],
  purple: [0.6, 0.2, 0.8],
  cyan: [0.1, 0.8, 0.85],
};
const BACKGROUND_GREY: Record<string, number> = { black: 0.05, grey: 0.45, white: 0.95 };
/** Half-extent of a shape as a fraction of the image side. */
const SIZE_FRACTION: Record<string, number> = { small: 0.1, medium: 0.15, large: 0.2 };
const POSITION_PHRASE: Record<string, string> = {
  'top left': 'at the top left', top: 'at the top', 'top right': 'at the top right',
  left: 'on the left', centre: 'in the centre', right: 'on the right',
  'bottom left': 'at the bottom left', bottom: 'at the bottom', 'bottom right': 'at the bottom right',
};

/** Options of `makeShapes`. Each factor list restricts the values drawn (default: all of them). */
export interface MakeShapesOptions {
  /** Number of images. */
  n: number;
  /** Image side in pixels (default 32). */
  size?: number;
  /** Seed of every random draw (factors, position jitter, noise). */
  seed: number;
  shapes?: readonly string[];
  colours?: readonly string[];
  sizes?: readonly string[];
  positions?: readonly string[];
  backgrounds?: readonly string[];
  /** Largest random offset of a shape from its position's centre, as a fraction of the side (default 0.04). */
  jitter?: number;
  /** Standard deviation of gaussian pixel noise added everywhere (default 0), then clipped to [0, 1]. */
  noise?: number;
}

/** Synthetic shapes with their factors of variation and a caption per image. */
export interface Shapes {
  /** Images, [n, size, size, 3] float32 in [0, 1]. The caller owns it. */
  x: tf.Tensor4D;
  /** One caption per image, e.g. "a small red triangle at the top left". */
  captions: string[];
  /** Per factor, one label per image: an index into `factors[factor]` (i.e. SHAPE_FACTORS). */
  labels: Record<ShapeFactor, Int32Array>;
  /** The value names of every factor (SHAPE_FACTORS). */
  factors: typeof SHAPE_FACTORS;
}

/** Is the point (u, v), in units of the half-extent around the centre (v grows downwards), inside the shape? */
function inside(shape: string, u: number, v: number): boolean {
  const au = Math.abs(u);
  const av = Math.abs(v);
  switch (shape) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'square':
      return au <= 0.85 && av <= 0.85;
    case 'triangle': // apex at the top (0, -1), base at v = 0.8 from u = -1 to 1
      return v >= -1 && v <= 0.8 && au <= (v + 1) / 1.8;
    case 'diamond':
      return au + av <= 1;
    case 'cross':
      return (au <= 0.33 && av <= 1) || (av <= 0.33 && au <= 1);
    default:
      return false;
  }
}

function pick(factor: ShapeFactor, allowed: readonly string[] | undefined): number[] {
  const all: readonly string[] = SHAPE_FACTORS[factor];
  if (!allowed) return all.map((_, i) => i);
  if (allowed.length === 0) throw new Error(`Error in makeShapes: the list of ${factor}s is empty`);
  return allowed.map((name) => {
    const i = all.indexOf(name);
    if (i < 0) throw new Error(`Error in makeShapes: unknown ${factor} '${name}'; expected one of ${all.join(', ')}`);
    return i;
  });
}

/**
 * Generate coloured shapes with controlled factors of variation — shape, colour, size,
 * position (3 x 3 grid) and background — plus a caption per image, for invariance and
 * CLIP-style lessons. Pure JS rasterisation (2 x 2 supersampled edges) into one Float32Array,
 * then a single tensor. Everything random comes from `seed`.
 *
 * @example
 * const { x, captions, labels } = makeShapes({ n: 512, seed: 0 });
 * captions[0]; // e.g. "a large blue circle in the centre"
 * @throws "Error in makeShapes: ..." for a bad n/size or an unknown factor value.
 * @see notebooks/10.3.2-augmentations.ipynb
 */
export function makeShapes(options: MakeShapesOptions): Shapes {
  const { n, size = 32, seed, jitter = 0.04, noise = 0 } = options;
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`Error in makeShapes: n must be a non-negative integer, but got ${n}`);
  if (!(Number.isInteger(size) && size >= 8)) throw new Error(`Error in makeShapes: size must be an integer >= 8, but got ${size}`);
  const choices = {
    shape: pick('shape', options.shapes),
    colour: pick('colour', options.colours),
    size: pick('size', options.sizes),
    position: pick('position', options.positions),
    background: pick('background', options.backgrounds),
  };
  const rng = createRng(seed);
  const labels = {
    shape: new Int32Array(n), colour: new Int32Array(n), size: new Int32Array(n),
    position: new Int32Array(n), background: new Int32Array(n),
  };
  const captions: string[] = [];
  const x = new Float32Array(n * size * size * 3);
  const offsets = [0.25, 0.75]; // 2 x 2 supersampling within each pixel
  for (let k = 0; k < n; k++) {
    for (const f of Object.keys(choices) as ShapeFactor[]) labels[f][k] = choices[f][rng.int(choices[f].length)];
    const shape = SHAPE_FACTORS.shape[labels.shape[k]];
    const colour = SHAPE_FACTORS.colour[labels.colour[k]];
    const sizeName = SHAPE_FACTORS.size[labels.size[k]];
    const position = SHAPE_FACTORS.position[labels.position[k]];
    const bg = BACKGROUND_GREY[SHAPE_FACTORS.background[labels.background[k]]];
    captions.push(`a ${sizeName} ${colour} ${shape} ${POSITION_PHRASE[position]}`);

    const r = SIZE_FRACTION[sizeName] * size;
    const cx = (0.25 + 0.25 * (labels.position[k] % 3) + jitter * (2 * rng.next() - 1)) * size;
    const cy = (0.25 + 0.25 * Math.floor(labels.position[k] / 3) + jitter * (2 * rng.next() - 1)) * size;
    const rgb = COLOUR_RGB[colour];
    const img = k * size * size * 3;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let cover = 0;
        if (Math.abs(j + 0.5 - cx) <= r + 1 && Math.abs(i + 0.5 - cy) <= r + 1) {
          for (const dy of offsets) for (const dx of offsets) cover += inside(shape, (j + dx - cx) / r, (i + dy - cy) / r) ? 0.25 : 0;
        }
        const o = img + (i * size + j) * 3;
        for (let c = 0; c < 3; c++) x[o + c] = cover * rgb[c] + (1 - cover) * bg;
      }
    }
  }
  if (noise > 0) {
    for (let i = 0; i < x.length; i += 2) {
      // Box-Muller: two gaussian draws per pair of uniforms
      const u1 = 1 - rng.next();
      const u2 = rng.next();
      const m = noise * Math.sqrt(-2 * Math.log(u1));
      x[i] = Math.min(1, Math.max(0, x[i] + m * Math.cos(2 * Math.PI * u2)));
      if (i + 1 < x.length) x[i + 1] = Math.min(1, Math.max(0, x[i + 1] + m * Math.sin(2 * Math.PI * u2)));
    }
  }
  return { x: tf.tensor4d(x, [n, size, size, 3], 'float32'), captions, labels, factors: SHAPE_FACTORS };
}
