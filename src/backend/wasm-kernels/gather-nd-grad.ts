import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-core has no gradient for GatherNd on any backend (ViT/MAE token selection needs it): the gradient of
 * gatherND(params, indices) with respect to params is scatterND(indices, dy, params.shape), which adds the rows of
 * dy gathered more than once.
 */
export const gatherNdGradConfig: tf.GradConfig = {
  kernelName: 'GatherNd',
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy, saved) => {
    const [params, indices] = saved;
    return {
      params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
      indices: () => tf.zerosLike(indices),
    };
  },
};
