import * as fs from 'node:fs';
import * as path from 'node:path';
import { installKernelSpec, packageRoot, projectJupyterDir, tslabKernelSpec, userJupyterDir } from './kernelspec';

/**
 * Make `import ... from 'selfsup'` resolve from any notebook under notebooks/: tslab compiles
 * cells with Node10 module resolution and rootDir = the notebook's folder, so a relative import
 * of ../src fails; a package link node_modules/selfsup -> the checkout works (DESIGN, tslab#63).
 * Also links node_modules/.bin/selfsup so `npx selfsup` finds the command line.
 */
export function linkPackage(root = packageRoot()): string[] {
  const made: string[] = [];
  const link = path.join(root, 'node_modules', 'selfsup');
  fs.mkdirSync(path.dirname(link), { recursive: true });
  if (!isLinkTo(link, root)) {
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(path.relative(path.dirname(link), root) || '.', link, 'junction');
    made.push(link);
  }
  const bin = path.join(root, 'node_modules', '.bin', 'selfsup');
  const cli = path.join(root, 'dist', 'cli.js');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  if (!isLinkTo(bin, cli)) {
    fs.rmSync(bin, { force: true });
    fs.symlinkSync(path.relative(path.dirname(bin), cli), bin);
    made.push(bin);
  }
  if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
  return made;
}

function isLinkTo(link: string, target: string): boolean {
  try {
    return fs.lstatSync(link).isSymbolicLink() && fs.realpathSync(link) === fs.realpathSync(target);
  } catch {
    return false;
  }
}

export interface KernelInstallOptions {
  /** Install into the per-user Jupyter folder instead of the project's own. */
  user?: boolean;
  /** Install into <prefix>/share/jupyter (like `jupyter kernelspec install --prefix`). */
  prefix?: string;
  root?: string;
}

/** Register the tslab kernelspec; by default only in the project's .jupyter folder. Returns its folder. */
export function installKernel(options: KernelInstallOptions = {}): string {
  const root = options.root ?? packageRoot();
  const dataDir = options.prefix
    ? path.join(options.prefix, 'share', 'jupyter')
    : options.user
      ? userJupyterDir()
      : projectJupyterDir(root);
  return installKernelSpec(dataDir, tslabKernelSpec(root));
}

/** What `npm install` runs after building: link the package, register the kernel locally. */
export function setup(root = packageRoot(), log: (line: string) => void = console.log): void {
  linkPackage(root);
  const dir = installKernel({ root });
  log(`selfsup: library linked for notebooks; tslab kernel registered in ${path.relative(root, dir)} (npm run lab uses it)`);
}
