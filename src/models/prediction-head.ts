import { type ProjectionHeadConfig, ProjectionHead } from './projection-head';

/**
 * BYOL/SimSiam's predictor on the small models: 64 -> 128 -> 64, BatchNorm, ReLU.
 * (SimSiam uses a bottleneck, 2048 -> 512 -> 2048; BYOL widens, 256 -> 4096 -> 256.)
 */
export function defaultPredictionHeadConfig(): ProjectionHeadConfig {
  return { inputDim: 64, hiddenDim: 128, outputDim: 64, numLayers: 2, batchNorm: true, lastBatchNorm: false, seed: 0 };
}

/**
 * The predictor q(.) of BYOL and h(.) of SimSiam: an MLP on top of the projection that only the
 * online branch has; the asymmetry (with stop-gradient or a momentum target) is what keeps
 * these methods from collapsing.
 *
 *   z -> Dense(hidden) -> BatchNorm -> ReLU -> Dense(out)
 *
 * Papers: Grill et al., BYOL (NeurIPS 2020), Sec. 3.3; Chen & He, SimSiam (CVPR 2021), Sec. 4.4.
 *
 * @example
 * const predictor = new PredictionHead({ inputDim: 64, hiddenDim: 128, outputDim: 64, seed: 2 });
 * const p = predictor.apply(z, { training: true });
 */
export class PredictionHead extends ProjectionHead {
  constructor(config: Partial<ProjectionHeadConfig> = {}) {
    super(config, 'PredictionHead', defaultPredictionHeadConfig());
  }
}
