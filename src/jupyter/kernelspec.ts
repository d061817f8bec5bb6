import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot as sharedPackageRoot } from '../backend/package-root';
import { writeFileAtomicSync } from '../io/write-file-atomic';

/** A Jupyter kernelspec (the kernel.json file). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: 'signal' | 'message';
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/** The kernelspec name notebooks declare (DESIGN: the standard tslab kernelspec). */
export const KERNEL_NAME = 'tslab';

/** The selfsup package root (the kernelspec, the project's .jupyter folder and the CLI live there). */
export function packageRoot(): string {
  return sharedPackageRoot('kernelspec');
}

/** The project-local Jupyter data folder that `npm install` registers the kernel in. */
export function projectJupyterDir(root = packageRoot()): string {
  return path.join(root, '.jupyter');
}

/** The per-user Jupyter data folder, as `jupyter --data-dir` computes it. */
export function userJupyterDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Jupyter');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'jupyter');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'jupyter');
}

/** The kernelspec that starts tslab from this checkout, with absolute paths (no PATH lookups). */
export function tslabKernelSpec(root = packageRoot(), nodePath = process.execPath): KernelSpec {
  const tslab = require.resolve('tslab/bin/tslab', { paths: [root] });
  return {
    argv: [nodePath, tslab, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (tslab)',
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { selfsup_root: root },
  };
}

/**
 * Write `spec` as <dataDir>/kernels/<name>/kernel.json (atomically: temp file + rename).
 * @returns the kernelspec folder.
 */
export function installKernelSpec(dataDir: string, spec: KernelSpec = tslabKernelSpec(), name = KERNEL_NAME): string {
  const dir = path.join(dataDir, 'kernels', name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'kernel.json');
  writeFileAtomicSync(file, JSON.stringify(spec, null, 2) + '\n');
  return dir;
}

/** Folders searched for kernelspecs, in Jupyter's order: JUPYTER_PATH, user, then system folders. */
export function kernelSearchPath(env: NodeJS.ProcessEnv = process.env, root?: string): string[] {
  const dirs: string[] = [];
  if (root !== undefined) dirs.push(projectJupyterDir(root));
  for (const p of (env.JUPYTER_PATH ?? '').split(path.delimiter)) if (p) dirs.push(p);
  dirs.push(userJupyterDir(env));
  dirs.push('/usr/local/share/jupyter', '/usr/share/jupyter');
  return [...new Set(dirs)];
}

/**
 * Find and read the kernelspec `name`.
 * @throws with the folders searched and the command that installs it, when absent.
 */
export function findKernelSpec(name = KERNEL_NAME, searchPath = kernelSearchPath(process.env, safeRoot())): { spec: KernelSpec; dir: string } {
  for (const base of searchPath) {
    const dir = path.join(base, 'kernels', name);
    const file = path.join(dir, 'kernel.json');
    if (fs.existsSync(file)) {
      const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as KernelSpec;
      if (!Array.isArray(spec.argv) || spec.argv.length === 0) {
        throw new Error(`Kernelspec ${file} has no argv; reinstall it with: npm run kernel:install`);
      }
      return { spec, dir };
    }
  }
  throw new Error(
    `No Jupyter kernelspec named '${name}' in ${searchPath.join(', ')}. ` +
      `Run npm install (or npm run kernel:install) in the selfsup folder to register it.`,
  );
}

function safeRoot(): string | undefined {
  try {
    return packageRoot();
  } catch {
    return undefined;
  }
}
