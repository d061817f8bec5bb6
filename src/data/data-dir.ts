import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The folder datasets are cached in: $SELFSUP_DATA_DIR if set, else the `data/` folder of the
 * selfsup package root (found by walking up from this file to the package.json named
 * "selfsup"), so notebooks, tests and the CLI agree wherever they run from.
 */
export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  if (env.SELFSUP_DATA_DIR) return path.resolve(env.SELFSUP_DATA_DIR);
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'selfsup') return path.join(dir, 'data');
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('data');
    dir = parent;
  }
}
