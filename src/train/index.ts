/**
 * Training: a model-agnostic `fit` loop with schedules, AdamW and LARS, gradient clipping,
 * NaN and leak guards, checkpoints with exact resume; and SSL recipes built on it.
 */
export { fit, defaultFitConfig } from './fit';
export type { FitConfig, FitOptions, FitCallback, FitData, FitHistory, FitResult, LossWithMetrics, StepRecord } from './fit';
export { warmupCosineSchedule } from './warmup-cosine-schedule';
export type { WarmupCosineOptions } from './warmup-cosine-schedule';
export { AdamW, defaultAdamWConfig } from './adamw';
export type { AdamWConfig } from './adamw';
export { Lars, defaultLarsConfig } from './lars';
export type { LarsConfig } from './lars';
export { decaysByDefault } from './train-optimizer';
export type { TrainOptimizer } from './train-optimizer';
export { clipByGlobalNorm, globalNorm } from './clip-by-global-norm';
export { saveCheckpoint, loadCheckpoint, latestCheckpoint, CHECKPOINT_FORMAT } from './checkpoint';
export type { LoadedCheckpoint } from './checkpoint';
export { loadCheckpointWeights } from './load-checkpoint-weights';
export { pretrained, courseCheckpointMeta, referenceRun, COURSE_METHODS } from './pretrained';
export type { PretrainedModel, CourseCheckpointMeta, CourseMethod, ReferenceRun } from './pretrained';
export { stepSeed, batchIndices, stepsPerEpoch } from './step-seed';
export type { BatchIndicesOptions } from './step-seed';
export { liveChartCallback } from './live-chart-callback';
export type { LiveChartCallbackOptions } from './live-chart-callback';
export { logCallback } from './log-callback';
export { EncoderWithHead, featureDimOf } from './recipes/ssl-recipe';
export type { SslRecipe, ImageBatch } from './recipes/ssl-recipe';
export { simclr, defaultSimclrConfig } from './recipes/simclr';
export type { SimclrConfig } from './recipes/simclr';
export { moco, defaultMocoConfig } from './recipes/moco';
export type { MocoConfig } from './recipes/moco';
export { swav, defaultSwavConfig } from './recipes/swav';
export type { SwavConfig } from './recipes/swav';
export { byol, defaultByolConfig } from './recipes/byol';
export type { ByolConfig } from './recipes/byol';
export { simsiam, defaultSimsiamConfig } from './recipes/simsiam';
export type { SimsiamConfig } from './recipes/simsiam';
export { mae, defaultMaeRecipeConfig } from './recipes/mae';
export type { MaeRecipeConfig } from './recipes/mae';
export { rotation, defaultRotationConfig } from './recipes/rotation';
export type { RotationConfig } from './recipes/rotation';
