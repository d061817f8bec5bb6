import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The selfsup package's root folder: the nearest folder above `from` (default: this file's)
 * holding a package.json named "selfsup". The same answer from src/, dist/ and build/, so the
 * data cache, the course checkpoints, the kernelspec and the scripts agree wherever they run.
 * Imports nothing but node:fs and node:path (the grader uses it and never loads tfjs).
 *
 * @returns the folder, or null when there is none (a copy of the code outside the package).
 */
export function findPackageRoot(from = __dirname): string | null {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        if (JSON.parse(fs.readFileSync(candidate, 'utf8')).name === 'selfsup') return dir;
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * As `findPackageRoot`, but throws "Error in <fn>: cannot find the selfsup package.json
 * above <folder>" when there is none.
 */
export function packageRoot(fn = 'packageRoot', from = __dirname): string {
  const root = findPackageRoot(from);
  if (root === null) throw new Error(`Error in ${fn}: cannot find the selfsup package.json above ${from}`);
  return root;
}
