import * as tf from '@tensorflow/tfjs';

/** The part of the wasm backend a copying kernel touches. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): HeapArray;
}

/** Runs shorter than this are copied element by element: a subarray + set costs more than the copy itself. */
const SHORT_RUN = 64;

/**
 * Slice that reads its input in place. The stock wasm Slice first copies the WHOLE input out of the wasm heap
 * (backend.readSync), so cutting a 33 MB piece out of a 300 MB tensor moved 300 MB, and every batch that
 * extractFeatures cut from a 600 MB image tensor copied all of it. This one reads a heap view of the input and
 * copies only the slice: contiguous runs (the trailing axes the slice spans whole) with one `set` each, short
 * runs element by element. Strings go to the stock kernel.
 */
export function heapSlice(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceOut(args.backend as unknown as HeapBackend, x, start, extent);
  };
}

/** SplitV (tf.split) on `heapSlice`'s copy: the stock kernel slices with the copying Slice, once per piece. */
export function heapSplitV(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const a = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    const start = x.shape.map(() => 0);
    return sizes.map((s) => {
      const extent = x.shape.slice();
      extent[a] = s;
      const out = sliceOut(args.backend as unknown as HeapBackend, x, start.slice(), extent);
      start[a] += s;
      return out;
    });
  };
}

/** Unpack (tf.unstack, the gradient of tf.stack) on `heapSlice`'s copy, one slice per index of the axis. */
export function heapUnpack(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.value as tf.TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const rank = x.shape.length;
    let { axis } = args.attrs as unknown as { axis: number };
    if (axis < 0) axis += rank;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const extent = x.shape.slice();
    extent[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]; i++) {
      const start = x.shape.map((_, k) => (k === axis ? i : 0));
      outs.push(sliceOut(args.backend as unknown as HeapBackend, x, start, extent, outShape));
    }
    return outs;
  };
}

/**
 * StridedSlice whose strides are all 1 (tfjs's "simple slice") on `heapSlice`'s copy; the stock kernel sends
 * that case to the copying Slice. Real strides, identities and strings stay with the stock kernel.
 */
export function heapStridedSlice(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const a = args.attrs as unknown as {
      begin: number[]; end: number[]; strides: number[];
      beginMask: number; endMask: number; ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number;
    };
    const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
    if (info.isIdentity || !(info.sliceDim0 || info.isSimpleSlice)) return stock.kernelFunc(args);
    const extent = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
    return sliceOut(args.backend as unknown as HeapBackend, x, info.begin, extent, info.finalShape);
  };
}

/** A new tensor of shape `outShape` (default: `extent`) holding the box [start, start + extent) of x. */
function sliceOut(backend: HeapBackend, x: tf.TensorInfo, start: number[], extent: number[], outShape = extent): tf.TensorInfo {
  const out = backend.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(extent) === 0) return out;
  // Views taken after makeOutput: allocating may grow the heap, which detaches earlier views.
  copySlice(backend.typedArrayFromHeap(x), x.shape, backend.typedArrayFromHeap(out), start, extent);
  return out;
}

type HeapArray = Float32Array | Int32Array | Uint8Array;

/**
 * Copy the box [start, start + extent) of a row-major array of the given shape (rank >= 1: tfjs refuses to slice
 * a scalar) into `dst` (row-major, dense).
 */
function copySlice(src: HeapArray, shape: number[], dst: HeapArray, start: number[], extent: number[]): void {
  const rank = shape.length;
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
