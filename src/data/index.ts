export {
  CIFAR10_CLASSES,
  CIFAR10_MEAN,
  CIFAR10_STD,
  defaultCifar10Dir,
} from './cifar10';
export { defaultDataDir } from './data-dir';
export { prepareCifar10 } from './prepare-cifar10';
export type { PrepareCifar10Options, PrepareCifar10Result, PrepareProgress, PrepareStage } from './prepare-cifar10';
export { barProgress } from './bar-progress';
export { loadCifar10 } from './load-cifar10';
export type { LoadCifar10Options, ImageDataset } from './load-cifar10';
export { loadMnist } from './load-mnist';
export type { LoadMnistOptions } from './load-mnist';
export { makeShapes, SHAPE_FACTORS } from './make-shapes';
export type { MakeShapesOptions, Shapes, ShapeFactor } from './make-shapes';
export { batches, batchesPerEpoch } from './batches';
export type { BatchesOptions, BatchInfo, BatchColumn } from './batches';
export { labelSubset } from './label-subset';
export type { LabelSubsetOptions } from './label-subset';
