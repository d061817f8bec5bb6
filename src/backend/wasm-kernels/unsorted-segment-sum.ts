import * as tf from '@tensorflow/tfjs';

/**
 * unsortedSegmentSum(x, segmentIds, numSegments): out[s, ...] = sum of x[i, ...] over i with segmentIds[i] = s.
 * segmentIds may have any shape that is a prefix of x's; ids outside [0, numSegments) are dropped, as in
 * TensorFlow. Computed by the backend's ScatterNd kernel (which adds duplicate indices), not a JS loop.
 */
export function unsortedSegmentSumImpl(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  const m = segmentIds.size;
  const rest = x.shape.slice(segmentIds.rank);
  const rows = tf.reshape(x, [m, ...rest]); // [M, ...rest]
  const ids = segmentIds.dataSync() as Int32Array; // small and already in wasm memory: a cheap synchronous read
  let outOfRange = false;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= numSegments) {
      outOfRange = true;
      break;
    }
  }
  if (!outOfRange) {
    return tf.scatterND(tf.reshape(segmentIds, [m, 1]), rows, [numSegments, ...rest]);
  }
  // Route dropped rows to one extra segment, then cut it off.
  const routed = Int32Array.from(ids, (id) => (id < 0 || id >= numSegments ? numSegments : id));
  const summed = tf.scatterND(tf.tensor2d(routed, [m, 1], 'int32'), rows, [numSegments + 1, ...rest]);
  return tf.slice(summed, 0, numSegments);
}
