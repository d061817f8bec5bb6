/**
 * Reading chart inputs: plain arrays or tensors. Tensors are read, never disposed: the caller
 * owns them.
 */
import * as tf from '@tensorflow/tfjs';

/** A vector given as a plain array, a typed array or a 1-D tensor. */
export type Values = ArrayLike<number> | tf.Tensor;

/** A matrix given as rows of numbers or a 2-D tensor. */
export type Matrix = ArrayLike<ArrayLike<number>> | tf.Tensor2D;

/** A flat number[] from an array-like or a tensor of any rank (row-major). */
export function readValues(values: Values): number[] {
  if (values instanceof tf.Tensor) return tensorValues(values, values.dataSync());
  return Array.from(values);
}

/** The rows of a matrix and its shape; throws `Error in <fn>: <name> must be a 2-D matrix ...`. */
export function readMatrix(matrix: Matrix, fn: string, name: string): { rows: number[][]; shape: [number, number] } {
  if (matrix instanceof tf.Tensor) {
    if (matrix.rank !== 2) {
      throw new Error(`Error in ${fn}: ${name} must be a 2-D matrix, but got shape [${matrix.shape}]`);
    }
    const [n, d] = matrix.shape as [number, number];
    const flat = matrix.dataSync();
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) rows.push(tensorValues(matrix, flat.subarray(i * d, (i + 1) * d)));
    return { rows, shape: [n, d] };
  }
  const rows = Array.from(matrix, (r) => Array.from(r));
  const d = rows.length > 0 ? rows[0].length : 0;
  const ragged = rows.findIndex((r) => r.length !== d);
  if (ragged >= 0) {
    throw new Error(
      `Error in ${fn}: ${name} must be a 2-D matrix, but row ${ragged} has ${rows[ragged].length} values and row 0 has ${d}`,
    );
  }
  return { rows, shape: [rows.length, d] };
}

/**
 * Refuse a matrix with NaN or infinite entries where nothing sensible can be drawn from them (a
 * point or a cell without a place): "Error in scatterChart: points must be finite, but got 3
 * NaN or infinite values (the first in row 0); did training diverge?".
 */
export function requireFinite(rows: number[][], fn: string, name: string): void {
  let count = 0;
  let first = -1;
  rows.forEach((row, i) => {
    for (const v of row) {
      if (!Number.isFinite(v)) {
        count++;
        if (first < 0) first = i;
      }
    }
  });
  if (count > 0) {
    throw new Error(
      `Error in ${fn}: ${name} must be finite, but got ${count} NaN or infinite value${count === 1 ? '' : 's'} (the first in row ${first}); did training diverge?`,
    );
  }
}

/**
 * Numbers of a tensor's data; float32 values are shortened to 8 significant digits (0.2, not
 * 0.20000000298023224), which float32 cannot tell apart anyway, so specs stay small and readable.
 */
function tensorValues(t: tf.Tensor, data: ArrayLike<number>): number[] {
  const values = Array.from(data);
  return t.dtype === 'float32' ? values.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(8)) : v)) : values;
}

/** Labels as strings: numbers (or a tensor of class ids) become names via `classNames` when given. */
export function readLabels(labels: Values | readonly string[], classNames?: readonly string[]): string[] {
  if (!(labels instanceof tf.Tensor) && labels.length > 0 && typeof (labels as ArrayLike<unknown>)[0] === 'string') {
    return Array.from(labels as readonly string[]);
  }
  return readValues(labels as Values).map((v) => (classNames && classNames[v] !== undefined ? classNames[v] : String(v)));
}

/** A number for text summaries: 3 significant digits, no exponent for ordinary magnitudes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(3)).toString();
}
