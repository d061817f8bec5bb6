import * as tf from '@tensorflow/tfjs';
import type { RefCountingBackend } from './kernel-utils';

/**
 * Identity without a copy. tfjs saves every tensor a gradient needs with engine.clone (an Identity kernel run);
 * the stock wasm Identity copies the data, so on wasm each saved activation was stored twice and copied once
 * per step. Tensors are immutable, so sharing the data (a second reference, as the cpu backend and wasm's own
 * Reshape do) is equivalent. With the BatchNorm gradient tidied, the wasm heap of a batch-128 SimCLR step went
 * from 2.1 GB to 1.4 GB (docs/backend.md).
 */
export function sharingIdentity(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
}
