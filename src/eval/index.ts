/**
 * Evaluation of frozen representations: features, weighted kNN, linear probe, alignment and
 * uniformity, PCA and UMAP projections for plots, a collapse detector.
 */
export { extractFeatures } from './extract-features';
export type { ExtractFeaturesOptions } from './extract-features';
export { knnPredict, knnScores, knnAccuracy } from './knn-predict';
export type { KnnOptions } from './knn-predict';
export { knnEvaluate } from './knn-evaluate';
export type { KnnEvaluateOptions, KnnEvaluation, EvaluableRecipe, LabelledImages } from './knn-evaluate';
export { nearestNeighbors } from './nearest-neighbors';
export type { NearestNeighborsOptions, Neighbors } from './nearest-neighbors';
export { linearProbe, defaultLinearProbeConfig } from './linear-probe';
export type { LinearProbeConfig, LinearProbeResult } from './linear-probe';
export { pca } from './pca';
export type { PcaOptions, PcaResult } from './pca';
export { umapProjection } from './umap-projection';
export type { UmapProjectionOptions } from './umap-projection';
export { detectCollapse } from './detect-collapse';
export type { DetectCollapseOptions, CollapseReport } from './detect-collapse';
export { embeddingMetrics } from './embedding-metrics';
export type { EmbeddingMetricsOptions } from './embedding-metrics';
