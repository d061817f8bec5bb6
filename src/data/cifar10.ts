import * as path from 'node:path';
import { defaultDataDir } from './data-dir';

/** The ten CIFAR-10 classes, in label order (label 0 is 'airplane'). */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/**
 * Per-channel (R, G, B) mean of the 50,000 CIFAR-10 training images, pixel values in [0, 1].
 * Measured on the converted data: mean over all training pixels of each channel.
 */
export const CIFAR10_MEAN: readonly [number, number, number] = [0.4914, 0.4822, 0.4465];

/**
 * Per-channel (R, G, B) standard deviation of the CIFAR-10 training pixels, values in [0, 1]:
 * std = sqrt(mean over all training pixels of (x - mean)^2). (The often-copied
 * 0.2023 / 0.1994 / 0.2010 is a mean of per-image stds, not this.)
 */
export const CIFAR10_STD: readonly [number, number, number] = [0.247, 0.2435, 0.2616];

/** One file of the converted dataset: name, size and official sha256. */
export interface ExpectedFile {
  /** File name inside the data folder, e.g. 'data_batch_1.bin'. */
  name: string;
  /** Size in bytes (records x 3073). */
  bytes: number;
  /** Lower-case hex sha256 of the whole file. */
  sha256: string;
}

/** Bytes per record in the official binary layout: 1 label byte, then 1024 R, 1024 G, 1024 B. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * 32 * 32;

/** Records (images) per file in the official layout. */
export const CIFAR10_RECORDS_PER_FILE = 10000;

/**
 * The six files of the official CIFAR-10 binary version (cifar-10-binary.tar.gz) with their
 * official sha256 sums: five training batches of 10,000 images and one test batch.
 */
export const CIFAR10_FILES: readonly ExpectedFile[] = [
  ['data_batch_1.bin', 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5'],
  ['data_batch_2.bin', 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed'],
  ['data_batch_3.bin', 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67'],
  ['data_batch_4.bin', '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48'],
  ['data_batch_5.bin', '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add'],
  ['test_batch.bin', '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b'],
].map(([name, sha256]) => ({ name, sha256, bytes: CIFAR10_RECORDS_PER_FILE * CIFAR10_RECORD_BYTES }));

/** Where CIFAR-10 lives by default: `<data dir>/cifar10` (see `defaultDataDir`). */
export function defaultCifar10Dir(): string {
  return path.join(defaultDataDir(), 'cifar10');
}

/** Number of images in a full split: 50,000 (train) or 10,000 (test). */
export const CIFAR10_SIZES = { train: 5 * CIFAR10_RECORDS_PER_FILE, test: CIFAR10_RECORDS_PER_FILE } as const;
