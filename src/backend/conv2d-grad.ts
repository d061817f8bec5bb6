/**
 * The gradient of conv2d for every dilation, on every backend.
 *
 * tfjs-core's own Conv2D gradient refuses dilation > 1 ("Error in gradient of conv2D: dilation
 * rates greater than 1 are not yet supported"), and the backprop kernels of tfjs's backends take
 * no dilation attribute. A dilated convolution is an ordinary one with a dilated filter: the
 * kh x kw taps spread out to ((kh-1)*dh+1) x ((kw-1)*dw+1) with zeros between them. So
 *
 *   dx = conv2DBackpropInput(dy, dilate(filter))               (stride 1: conv2d refuses
 *   dW = conv2DBackpropFilter(x, dy, dilated shape)[::dh, ::dw]  stride > 1 with dilation > 1)
 *
 * which runs on the stock kernels of cpu, wasm (with selfsup's training kernels) and tensorflow.
 * With dilation 1 it is tfjs's own gradient (dimRoundingMode passed through as well).
 */
import * as tf from '@tensorflow/tfjs';

type Pair = [number, number];

const pair = (v: number | number[]): Pair => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** [kh, kw, ci, co] -> [(kh-1)*dh+1, (kw-1)*dw+1, ci, co] with zeros between the taps. */
export function dilateFilter(filter: tf.Tensor4D, dilations: number | Pair): tf.Tensor4D {
  const [dh, dw] = pair(dilations);
  if (dh === 1 && dw === 1) return filter.clone();
  return tf.tidy(() => {
    const [kh, kw, ci, co] = filter.shape;
    const rows = (kh - 1) * dh + 1;
    const cols = (kw - 1) * dw + 1;
    // rows: [kh, 1, kw*ci, co] -> pad the 1 to dh -> [kh*dh, kw, ci, co] -> first `rows`
    let f = tf.pad(tf.reshape(filter, [kh, 1, kw * ci, co]), [[0, 0], [0, dh - 1], [0, 0], [0, 0]]);
    f = tf.slice(tf.reshape(f, [kh * dh, kw, ci, co]), [0, 0, 0, 0], [rows, kw, ci, co]); // [rows, kw, ci, co]
    // columns: [rows*kw, 1, ci, co] -> pad the 1 to dw -> [rows, kw*dw, ci, co] -> first `cols`
    f = tf.pad(tf.reshape(f, [rows * kw, 1, ci, co]), [[0, 0], [0, dw - 1], [0, 0], [0, 0]]);
    return tf.slice(tf.reshape(f, [rows, kw * dw, ci, co]), [0, 0, 0, 0], [rows, cols, ci, co]) as tf.Tensor4D;
  });
}

export const conv2dGradConfig: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const grad = dy as tf.Tensor4D;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as {
      strides: number | Pair;
      pad: unknown;
      dataFormat: 'NHWC' | 'NCHW';
      dilations: number | Pair;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const [dh, dw] = pair(dilations ?? 1);
    const engine = tf.engine();
    const common = { strides, pad, dataFormat, dimRoundingMode } as unknown as tf.NamedAttrMap;
    return {
      x: () =>
        tf.tidy(() => {
          const dilated = dilateFilter(filter, [dh, dw]);
          return engine.runKernel('Conv2DBackpropInput', { dy: grad, filter: dilated }, { ...common, inputShape: x.shape }) as unknown as tf.Tensor4D;
        }),
      filter: () =>
        tf.tidy(() => {
          const [kh, kw, ci, co] = filter.shape;
          const dilatedShape = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co];
          const dFilter = engine.runKernel('Conv2DBackpropFilter', { x, dy: grad }, { ...common, filterShape: dilatedShape }) as unknown as tf.Tensor4D;
          if (dh === 1 && dw === 1) return dFilter;
          return tf.stridedSlice(dFilter, [0, 0, 0, 0], dilatedShape, [dh, dw, 1, 1]); // [kh, kw, ci, co]
        }),
    };
  },
};

/** Register `conv2dGradConfig` as the gradient of Conv2D (done when selfsup is imported). */
export function registerConv2dGradient(): void {
  if (tf.getGradient('Conv2D') !== conv2dGradConfig) tf.registerGradient(conv2dGradConfig);
}
