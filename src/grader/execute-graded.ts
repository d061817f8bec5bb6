import { randomBytes } from 'node:crypto';
import { KernelSession, type CellResult, type KernelSessionOptions } from '../jupyter/kernel-session';
import type { Notebook, Output } from '../jupyter/notebook';
import { sourceText } from '../jupyter/notebook';
import { CHECK_MIME, GRADER_SETUP_CELL, gradedCellPrelude, verifyCheck, type CheckRecord, type SignedCheckRecord } from '../testing/protocol';
import { gradeIdOf, roleOf } from './nbgrader-metadata';

/** One executed code cell of a graded run. */
export interface GradedCell {
  index: number;
  gradeId: string | null;
  role: ReturnType<typeof roleOf>;
  /** null when the cell could not be run (the kernel could not be brought back). */
  result: CellResult | null;
  /** Check results that carried this run's signature for this cell. */
  checks: CheckRecord[];
  /** Check-like outputs whose signature did not verify (printed or forged). */
  rejected: number;
  /** Why the cell did not run, when result is null. */
  notRunReason?: string;
}

export interface ExecuteGradedOptions extends KernelSessionOptions {
  /** Per-cell time limit (default 120 s). */
  timeoutMs?: number;
}

function checksFrom(outputs: Output[], gradeId: string, token: string): { checks: CheckRecord[]; rejected: number } {
  const checks: CheckRecord[] = [];
  let rejected = 0;
  for (const o of outputs) {
    if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') continue;
    const payload = o.data[CHECK_MIME] as SignedCheckRecord | undefined;
    if (!payload) continue;
    if (payload.gradeId === gradeId && verifyCheck(payload, token)) {
      const { signature: _signature, ...record } = payload;
      checks.push(record);
    } else rejected++;
  }
  return { checks, rejected };
}

/**
 * Execute a notebook for grading in a fresh kernel. Each test cell gets a one-time token in its
 * first line, which the `check` helper signs its results with. A cell that times out or kills
 * the kernel costs only itself: the kernel is restarted, the cells that had succeeded before it
 * are replayed, and the run goes on, so later exercises are still graded.
 */
export async function executeGraded(nb: Notebook, options: ExecuteGradedOptions = {}): Promise<GradedCell[]> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const kernel = await KernelSession.start(options);
  const cells: GradedCell[] = [];
  const succeeded: string[] = [GRADER_SETUP_CELL]; // sources to replay after a restart
  let broken: string | null = null;
  try {
    const setup = await kernel.execute(GRADER_SETUP_CELL, { timeoutMs });
    if (setup.status !== 'ok') {
      const where = options.cwd ?? process.cwd();
      throw new Error(
        `the grader's setup cell failed in ${where}: ${setup.error?.evalue ?? setup.status}. ` +
          `Notebooks run in their own folder, which must be inside a project where selfsup is installed (npm install).`,
      );
    }
    for (let index = 0; index < nb.cells.length; index++) {
      const cell = nb.cells[index];
      if (cell.cell_type !== 'code') continue;
      const source = sourceText(cell.source);
      if (source.trim() === '') continue;
      const gradeId = gradeIdOf(cell);
      const role = roleOf(cell);
      if (broken) {
        cells.push({ index, gradeId, role, result: null, checks: [], rejected: 0, notRunReason: broken });
        continue;
      }
      const token = role === 'test' && gradeId ? randomBytes(24).toString('hex') : null;
      const code = token && gradeId ? gradedCellPrelude(gradeId, token) + source : source;
      const result = await kernel.execute(code, { timeoutMs });
      const found = token && gradeId ? checksFrom(result.outputs, gradeId, token) : { checks: [], rejected: 0 };
      cells.push({ index, gradeId, role, result, ...found });
      if (result.status === 'ok') {
        succeeded.push(code.replace(/^require\('selfsup\/testing'\)\.beginGradedCell\([^\n]*\n/, ''));
      }
      if (!kernel.alive) {
        broken = await restartAndReplay(kernel, succeeded, timeoutMs, index);
      }
    }
  } finally {
    await kernel.shutdown();
  }
  return cells;
}

async function restartAndReplay(kernel: KernelSession, sources: string[], timeoutMs: number, index: number): Promise<string | null> {
  try {
    await kernel.restart();
  } catch (err) {
    return `the kernel could not be restarted after cell ${index + 1}: ${(err as Error).message}`;
  }
  for (const [i, code] of sources.entries()) {
    const replay = await kernel.execute(code, { timeoutMs });
    if (replay.status !== 'ok') {
      return `after cell ${index + 1} stopped the kernel, replaying the earlier cells failed at replayed cell ${i + 1} (${replay.status})`;
    }
  }
  return null;
}
