import * as tf from '@tensorflow/tfjs';
import { asTensor } from './kernel-utils';

/**
 * The wasm BatchMatMul and _FusedMatMul kernels hand XNNPACK only the untransposed case; with transposeA or
 * transposeB they fall back to a slow loop (measured 1024^3: 0.1 s plain, 1.3 s transposeB, 6-8 s transposeA).
 * The gradient of every matMul asks for exactly those. These wrappers transpose the operand explicitly (one
 * memory pass) and call the stock kernel untransposed.
 */
export function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(t, perm);
}

type Attrs = { transposeA?: boolean; transposeB?: boolean } & Record<string, unknown>;

/** Wrap a stock matmul-like kernel (inputs a and b) so that it never sees a transpose flag. */
export function untransposingKernel(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const attrs = (args.attrs ?? {}) as Attrs;
    if (!attrs.transposeA && !attrs.transposeB) return stock.kernelFunc(args);
    const temps: tf.Tensor[] = [];
    const flat = (info: tf.TensorInfo | undefined, flag: boolean | undefined) => {
      if (!info || !flag) return info;
      const source = asTensor(info, args.backend as tf.KernelBackend);
      if (source !== info) temps.push(source);
      const t = swapLastTwo(source);
      temps.push(t);
      return t;
    };
    const inputs = { ...args.inputs, a: flat(args.inputs.a, attrs.transposeA), b: flat(args.inputs.b, attrs.transposeB) };
    try {
      return stock.kernelFunc({ ...args, inputs: inputs as tf.NamedTensorInfoMap, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      tf.dispose(temps);
    }
  };
}
