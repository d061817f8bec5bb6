import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Notebook } from '../../src/jupyter/notebook';

/** An nbformat 4.5 notebook with one code cell per source (markdown when it starts with "#md "). */
export function makeNotebook(sources: string[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' },
      language_info: { name: 'typescript' },
    },
    cells: sources.map((s, i) =>
      s.startsWith('#md ')
        ? { cell_type: 'markdown' as const, id: `md${i}`, metadata: {}, source: s.slice(4) }
        : { cell_type: 'code' as const, id: `c${i}`, metadata: {}, source: s, outputs: [], execution_count: null },
    ),
  };
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'selfsup-test-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The repository root (tests run from build/tests/...). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Is a process with this pid still running? */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Debian's Jupyter tools (python3-nbformat, python3-nbclient, jupyter-nbconvert) run under
 * /usr/bin/python3. CI installs them (.ci/run), so there a missing tool is a failure; on a
 * learner's machine the cross-checks are skipped with this reason.
 */
export function pythonJupyterMissing(modules = ['nbformat']): string | false {
  const probe = spawnSync('/usr/bin/python3', ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  if (probe.status === 0) return false;
  if (process.env.CI) throw new Error(`CI must have ${modules.join(', ')} for /usr/bin/python3 (.ci/run installs them)`);
  return `needs ${modules.join(', ')} under /usr/bin/python3 (apt-get install python3-nbformat python3-nbclient jupyter-nbconvert)`;
}

/** Validate a notebook file with the official nbformat schema; returns '' when valid, else the error. */
export function nbformatValidate(file: string): string {
  const code = [
    'import sys, warnings, nbformat',
    'warnings.simplefilter("error")',
    'nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)',
    'nbformat.validate(nb)',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', code, file], { encoding: 'utf8' });
  return r.status === 0 ? '' : (r.stderr || r.stdout || `exit ${r.status}`).trim();
}

/**
 * A notebook cell that trains a small MLP with `fit` for `seconds` (progress bar and live chart
 * on) and prints "fit: N steps, S s, stopped by timeLimit" (issue 12's long-cell check).
 */
export function longTrainingCell(seconds: number, label: string): string {
  return [
    "import * as tf from '@tensorflow/tfjs';",
    "import { useBackend, fit, liveChartCallback } from 'selfsup';",
    "await useBackend('wasm');",
    'const x = tf.randomNormal([512, 128], 0, 1, "float32", 1);',
    'const target = tf.matMul(x, tf.randomNormal([128, 16], 0, 1, "float32", 2));',
    'const w1 = tf.variable(tf.randomNormal([128, 256], 0, 0.05, "float32", 3));',
    'const w2 = tf.variable(tf.randomNormal([256, 16], 0, 0.05, "float32", 4));',
    'const result = await fit({',
    '  loss: () => tf.losses.meanSquaredError(target, tf.matMul(tf.relu(tf.matMul(x, w1)), w2)) as tf.Scalar,',
    '  variables: [w1, w2],',
    '  data: () => ({}),',
    `  config: { numSteps: 1e9, timeLimitSeconds: ${seconds}, lr: 1e-3, label: '${label}', progress: true },`,
    `  callbacks: [liveChartCallback({ title: '${label}', every: 5 }), { onStep: (s) => { if (s.step % 2000 === 0) console.log('step', s.step, 'loss', s.loss.toFixed(4)); } }],`,
    '});',
    'console.log(`fit: ${result.steps} steps, ${result.seconds.toFixed(0)} s, stopped by ${result.stoppedBy}`);',
  ].join('\n');
}
