import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';

/** What `pca` returns. */
export interface PcaResult {
  /** [N, k] coordinates of the centred rows on the components (the caller owns it). */
  projected: tf.Tensor2D;
  /** k principal directions, unit length, each D numbers, by decreasing variance. */
  components: number[][];
  /** Variance along each component (eigenvalues of the covariance, divisor N - 1). */
  explainedVariance: number[];
  /** Fraction of the total variance each component explains. */
  explainedVarianceRatio: number[];
  /** The column means that were subtracted. */
  mean: number[];
}

/** Options of `pca`. */
export interface PcaOptions {
  /** Components to keep (default 2). */
  k?: number;
  /** Maximum subspace iterations (default 500; stops earlier once converged). */
  iterations?: number;
  /** Seed of the starting subspace (default 0). */
  seed?: number;
}

/**
 * Principal component analysis of the rows of x, for 2-D/3-D plots of embeddings.
 * The covariance C = (X - mean)^T (X - mean) / (N - 1) [D, D] is formed with tfjs; its top k
 * eigenvectors are found in double precision by orthogonal (subspace) iteration with a
 * Rayleigh-Ritz step (Golub & Van Loan, "Matrix Computations", Sec. 8.2.4). Each component's
 * sign is fixed so that its largest-magnitude entry is positive (deterministic output).
 *
 * @param x - [N, D] rows, N >= 2.
 * @returns projections [N, k], components, explained variances, mean.
 * @throws "Error in pca: ..." if x is not 2-D, N < 2 or k is not in 1..D.
 * @example
 * const { projected, explainedVarianceRatio } = pca(features, { k: 2 });
 */
export function pca(x: tf.Tensor2D, options: PcaOptions = {}): PcaResult {
  const { k = 2, iterations = 500, seed = 0 } = options;
  if (!(x instanceof tf.Tensor) || x.rank !== 2) throw new Error(`Error in pca: x must be 2-D [N, D], but got shape [${x?.shape?.join(',')}]`);
  const [n, d] = x.shape;
  if (n < 2) throw new Error(`Error in pca: x needs at least 2 rows, but got shape [${x.shape.join(',')}]`);
  if (!(Number.isInteger(k) && k >= 1 && k <= d)) throw new Error(`Error in pca: k must be an integer in 1..${d}, but got ${k}`);
  const [covData, meanData] = tf.tidy(() => {
    const mean = tf.mean(x, 0);
    const centred = tf.sub(x, mean);
    const cov = tf.div(tf.matMul(centred, centred, true, false), n - 1); // [D, D]
    return [cov.dataSync(), mean.dataSync()];
  });
  const cov = Float64Array.from(covData);
  const { vectors, values } = topEigen(cov, d, k, iterations, createRng(seed));
  const total = Array.from({ length: d }, (_, i) => cov[i * d + i]).reduce((a, b) => a + b, 0);
  const projected = tf.tidy(() => {
    const comps = tf.tensor2d(vectors.flat(), [k, d]); // [k, D]
    return tf.matMul(tf.sub(x, tf.tensor1d(Array.from(meanData))), comps, false, true) as tf.Tensor2D; // [N, k]
  });
  return {
    projected,
    components: vectors,
    explainedVariance: values,
    explainedVarianceRatio: values.map((v) => (total > 0 ? v / total : 0)),
    mean: Array.from(meanData),
  };
}

/** Top-k eigenpairs of a symmetric [d, d] matrix (row-major) by orthogonal iteration + Rayleigh-Ritz. */
function topEigen(a: Float64Array, d: number, k: number, iterations: number, rng: ReturnType<typeof createRng>): { vectors: number[][]; values: number[] } {
  const p = Math.min(d, k + 2); // a slightly larger subspace converges faster
  let q: number[][] = Array.from({ length: p }, () => Array.from({ length: d }, () => rng.next() - 0.5));
  q = orthonormalize(q);
  const mul = (v: number[]) => {
    const out = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) {
      let s = 0;
      const row = i * d;
      for (let j = 0; j < d; j++) s += a[row + j] * v[j];
      out[i] = s;
    }
    return out;
  };
  let previous = new Array<number>(p).fill(NaN);
  for (let it = 0; it < iterations; it++) {
    q = orthonormalize(q.map(mul));
    const rayleigh = q.map((v) => dot(v, mul(v)));
    const converged = rayleigh.slice(0, k).every((r, i) => Math.abs(r - previous[i]) <= 1e-12 * Math.max(1, Math.abs(r)));
    previous = rayleigh;
    if (converged && it > 5) break;
  }
  // Rayleigh-Ritz: diagonalise the small p x p matrix Q A Q^T with Jacobi rotations.
  const aq = q.map(mul);
  const small = q.map((qi) => aq.map((aj) => dot(qi, aj)));
  const { values, vectors } = jacobi(small);
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => y[0] - x[0]).slice(0, k);
  const outVectors = order.map(([, i]) => {
    const v = new Array<number>(d).fill(0);
    for (let j = 0; j < p; j++) for (let t = 0; t < d; t++) v[t] += vectors[j][i] * q[j][t];
    const norm = Math.sqrt(dot(v, v));
    let big = 0;
    for (let t = 0; t < d; t++) if (Math.abs(v[t]) > Math.abs(v[big])) big = t;
    const sign = v[big] < 0 ? -1 : 1;
    return v.map((x) => (sign * x) / norm);
  });
  return { vectors: outVectors, values: order.map(([v]) => Math.max(v, 0)) };
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Modified Gram-Schmidt (twice, for stability). */
function orthonormalize(vs: number[][]): number[][] {
  const out: number[][] = [];
  for (const v0 of vs) {
    let v = v0.slice();
    for (let pass = 0; pass < 2; pass++) {
      for (const u of out) {
        const c = dot(v, u);
        v = v.map((x, i) => x - c * u[i]);
      }
    }
    const norm = Math.sqrt(dot(v, v));
    out.push(norm > 1e-300 ? v.map((x) => x / norm) : v.map((_, i) => (i === out.length ? 1 : 0)));
  }
  return out;
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations; vectors[:, i] pairs with values[i]. */
function jacobi(m: number[][]): { values: number[]; vectors: number[][] } {
  const n = m.length;
  const a = m.map((r) => r.slice());
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r][p];
          const arq = a[r][q];
          a[r][p] = c * arp - s * arq;
          a[r][q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p][r];
          const aqr = a[q][r];
          a[p][r] = c * apr - s * aqr;
          a[q][r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = v[r][p];
          const vrq = v[r][q];
          v[r][p] = c * vrp - s * vrq;
          v[r][q] = s * vrp + c * vrq;
        }
      }
    }
  }
  return { values: a.map((r, i) => r[i]), vectors: v };
}
