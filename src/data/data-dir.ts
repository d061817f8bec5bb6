import * as path from 'node:path';
import { findPackageRoot } from '../backend/package-root';

/**
 * The folder datasets are cached in: $SELFSUP_DATA_DIR if set, else the `data/` folder of the
 * selfsup package root (found by walking up from this file to the package.json named
 * "selfsup"), so notebooks, tests and the CLI agree wherever they run from.
 */
export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  if (env.SELFSUP_DATA_DIR) return path.resolve(env.SELFSUP_DATA_DIR);
  const root = findPackageRoot();
  return root === null ? path.resolve('data') : path.join(root, 'data');
}
