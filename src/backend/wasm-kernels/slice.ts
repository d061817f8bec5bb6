import * as tf from '@tensorflow/tfjs';

/** The part of the wasm backend a copying kernel touches. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Runs shorter than this are copied element by element: a subarray + set costs more than the copy itself. */
const SHORT_RUN = 64;

/**
 * Slice that reads its input in place. The stock wasm Slice first copies the WHOLE input out of the wasm heap
 * (backend.readSync), so cutting a 33 MB piece out of a 300 MB tensor moved 300 MB, and every tap slice of a
 * filter gradient or phase of a strided backprop paid for the full tensor. This one reads a heap view of the
 * input and copies only the slice: contiguous runs (the trailing axes the slice spans whole) with one `set`
 * each, short runs element by element. Strings go to the stock kernel.
 */
export function heapSlice(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const backend = args.backend as unknown as HeapBackend;
    const out = backend.makeOutput(extent, x.dtype);
    const total = tf.util.sizeFromShape(extent);
    if (total === 0) return out;
    // Views taken after makeOutput: allocating may grow the heap, which detaches earlier views.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    copySlice(src, x.shape, dst, start, extent);
    return out;
  };
}

/**
 * Copy the box [start, start + extent) of a row-major array of the given shape into `dst` (row-major, dense).
 * Exported for tests.
 */
export function copySlice(
  src: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
  shape: number[],
  dst: { set(values: ArrayLike<number>, offset: number): void; [i: number]: number },
  start: number[],
  extent: number[],
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0];
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * shape[a + 1];
  // Merge the trailing axes the slice covers whole into one contiguous run, starting at axis `inner`.
  let inner = rank - 1;
  while (inner > 0 && start[inner] === 0 && extent[inner] === shape[inner]) inner--;
  const run = extent[inner] * strides[inner];
  const outer = extent.slice(0, inner);
  const count = tf.util.sizeFromShape(outer);
  const index = new Array<number>(inner).fill(0);
  let base = 0;
  for (let a = 0; a <= inner; a++) base += start[a] * strides[a];
  let offset = 0;
  for (let r = 0; r < count; r++) {
    let from = base;
    for (let a = 0; a < inner; a++) from += index[a] * strides[a];
    if (run < SHORT_RUN) {
      for (let k = 0; k < run; k++) dst[offset + k] = src[from + k];
    } else {
      dst.set(src.subarray(from, from + run), offset);
    }
    offset += run;
    for (let a = inner - 1; a >= 0; a--) {
      if (++index[a] < outer[a]) break;
      index[a] = 0;
    }
  }
}
