export {
  CIFAR10_CLASSES,
  CIFAR10_MEAN,
  CIFAR10_STD,
  CIFAR10_FILES,
  CIFAR10_SIZES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_RECORDS_PER_FILE,
  defaultCifar10Dir,
} from './cifar10';
export type { ExpectedFile } from './cifar10';
export { defaultDataDir } from './data-dir';
export { prepareCifar10, printProgress, CIFAR10_NPM_PACKAGE, CIFAR10_OFFICIAL_URL } from './prepare-cifar10';
export type { PrepareCifar10Options, PrepareCifar10Result, PrepareProgress, PrepareStage } from './prepare-cifar10';
export { runDataCommand } from './data-command';
export { barProgress } from './bar-progress';
export type { DataCommandIo } from './data-command';
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
export type { CommandRunner } from './run-command';
