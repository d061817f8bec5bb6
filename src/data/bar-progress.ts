import { progress, type ProgressBar, type ProgressOptions } from '../viz/progress';
import type { PrepareProgress } from './prepare-cifar10';

const UNITS: Record<PrepareProgress['stage'], string> = { check: 'files', download: 'tarballs', extract: 'archives', convert: 'files' };

/**
 * A `prepareCifar10` progress callback that shows selfsup's progress bar (viz `progress`): one
 * bar per stage — checking the cache, downloading (bytes, when the size is known), extracting,
 * converting — updated in place in a notebook or terminal, occasional lines in CI logs.
 *
 * @example
 * await prepareCifar10({ onProgress: barProgress() });
 */
export function barProgress(options: ProgressOptions = {}): (p: PrepareProgress) => void {
  let bar: ProgressBar | null = null;
  let key = '';
  let shown = 0;
  return ({ stage, done, total }) => {
    if (total === 0) return; // a download whose size is not known yet
    if (`${stage}/${total}` !== key) {
      bar?.close();
      key = `${stage}/${total}`;
      shown = 0;
      const unit = stage === 'download' && total > 1 ? 'B' : UNITS[stage]; // a URL download counts bytes
      bar = progress(total, { label: `cifar10 ${stage}`, unit, ...options });
    }
    if (done >= total) {
      bar!.count = done; // the final state is drawn once, by close()
      bar!.close();
      bar = null;
      key = '';
      return;
    }
    bar!.update(done - shown);
    shown = done;
  };
}
