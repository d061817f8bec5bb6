import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { packageRoot, projectJupyterDir } from './kernelspec';

export interface LabDeps {
  /** Is `command` on PATH? */
  has: (command: string) => boolean;
  /** Run the server; resolves with its exit code. */
  run: (command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) => Promise<number>;
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultDeps: LabDeps = {
  has: (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0,
  run: (command, args, env, cwd) =>
    new Promise((resolve) => {
      const child = spawn(command, args, { env, cwd, stdio: 'inherit' });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
      child.on('error', () => resolve(127));
    }),
  log: (line) => console.error(line),
  env: process.env,
};

export const NO_JUPYTER_MESSAGE = [
  'selfsup: no Jupyter found on PATH (looked for jupyter-lab, then jupyter-notebook).',
  'Install one of them, then run npm run lab again:',
  '  pip install jupyterlab                 (JupyterLab, recommended)',
  '  sudo apt-get install jupyter-notebook  (Debian/Ubuntu: classic Notebook)',
  'The course library and its tests work without Jupyter; only the interactive notebooks need it.',
].join('\n');

/**
 * Start JupyterLab on notebooks/ with this checkout's tslab kernelspec visible (JUPYTER_PATH),
 * or the classic Notebook when only that is installed. Extra arguments go to Jupyter.
 * @returns the server's exit code; 1 with instructions when no Jupyter is installed.
 */
export async function startLab(extraArgs: string[] = [], deps: Partial<LabDeps> = {}, root = packageRoot()): Promise<number> {
  const d = { ...defaultDeps, ...deps };
  const jupyterPath = [projectJupyterDir(root), d.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  const env = { ...d.env, JUPYTER_PATH: jupyterPath };
  const notebooks = path.join(root, 'notebooks');
  if (d.has('jupyter-lab')) {
    d.log(`selfsup: starting JupyterLab on ${notebooks} (kernel: TypeScript (tslab))`);
    return d.run('jupyter-lab', [`--notebook-dir=${notebooks}`, ...extraArgs], env, root);
  }
  if (d.has('jupyter-notebook')) {
    d.log(`selfsup: JupyterLab not found; starting the classic Jupyter Notebook on ${notebooks}`);
    return d.run('jupyter-notebook', [`--notebook-dir=${notebooks}`, ...extraArgs], env, root);
  }
  d.log(NO_JUPYTER_MESSAGE);
  return 1;
}
