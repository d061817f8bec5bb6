import { randomBytes } from 'node:crypto';
import { KernelSession, type CellResult, type KernelSessionOptions } from '../jupyter/kernel-session';
import type { Notebook, Output } from '../jupyter/notebook';
import { sourceText } from '../jupyter/notebook';
import {
  CELL_SUMMARY_MIME,
  CHECK_MIME,
  GRADER_SETUP_CELL,
  gradedCellClose,
  gradedCellPrelude,
  verifyCheck,
  verifySummary,
  type CellSummary,
  type CheckRecord,
  type SignedCheckRecord,
} from '../testing/protocol';
import { gradeIdOf, roleOf } from './nbgrader-metadata';
import { startSandboxedKernel, type SandboxKind } from './sandbox';

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
  /** Set when the cell's results cannot be trusted ("environment tampered: …"): every check of the cell fails with it. */
  tampered?: string;
  /** Why the cell did not run, when result is null. */
  notRunReason?: string;
}

export interface ExecuteGradedOptions extends KernelSessionOptions {
  /** Per-cell time limit (default 120 s). */
  timeoutMs?: number;
  /** Run the kernel in a private folder under this sandbox (see sandbox.ts); unset: in `cwd`, unsandboxed. */
  sandbox?: SandboxKind;
  /** The submission's time budget: cells stop at `deadline` (a Date.now() time); the rest report 'timeout'. */
  budget?: { deadline: number; totalMs: number };
}

/** A cell cut short, or never started, because the submission's time budget ran out. */
function outOfBudget(totalMs: number, partial?: CellResult): CellResult {
  const seconds = Math.round(totalMs / 100) / 10;
  const evalue = partial
    ? `the submission's time budget of ${seconds} s (--submission-timeout) ran out during this cell`
    : `not run: the submission's time budget of ${seconds} s (--submission-timeout) was used up before this cell`;
  const error = { output_type: 'error' as const, ename: 'SubmissionTimeoutError', evalue, traceback: [`SubmissionTimeoutError: ${evalue}`] };
  const outputs = [...(partial?.outputs ?? []).filter((o) => o.output_type !== 'error'), error];
  return { status: 'timeout', executionCount: partial?.executionCount ?? null, outputs, error, durationMs: partial?.durationMs ?? 0 };
}

function checksFrom(outputs: Output[], gradeId: string, secret: string, nonce: string): { checks: Array<CheckRecord & { seq: number }>; rejected: number } {
  const checks: Array<CheckRecord & { seq: number }> = [];
  let rejected = 0;
  for (const o of outputs) {
    if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') continue;
    const payload = o.data[CHECK_MIME] as SignedCheckRecord | undefined;
    if (!payload) continue;
    if (payload.gradeId === gradeId && verifyCheck(payload, secret, nonce)) {
      const { signature: _signature, ...record } = payload;
      checks.push(record);
    } else rejected++;
  }
  return { checks, rejected };
}

/**
 * The results of one test cell, from its signed summary when the closing line could run (the
 * summary lists every result, so one that was dropped on its way is noticed), else from the
 * signed outputs themselves (numbered from 0: a gap means one was dropped).
 */
function cellResults(
  shown: { checks: Array<CheckRecord & { seq: number }>; rejected: number },
  close: CellResult | null,
  gradeId: string,
  secret: string,
  nonce: string,
  closeNonce: string,
  neverBegan: boolean,
): Pick<GradedCell, 'checks' | 'rejected' | 'tampered'> {
  const strip = (list: Array<CheckRecord & { seq: number }>): CheckRecord[] => list.map(({ seq: _seq, ...r }) => r);
  // The closing line could not run, or the kernel died or hung in it: only the outputs are left.
  if (close === null || (close.status !== 'ok' && close.status !== 'error')) {
    const seqs = shown.checks.map((c) => c.seq).sort((a, b) => a - b);
    const gap = seqs.some((s, i) => s !== i);
    return { checks: strip(shown.checks), rejected: shown.rejected, ...(gap ? { tampered: 'environment tampered: some of this test cell\'s results were intercepted before they reached the grader' } : {}) };
  }
  const summaries = close.outputs
    .filter((o) => o.output_type === 'display_data' || o.output_type === 'execute_result')
    .map((o) => (o as { data: Record<string, unknown> }).data[CELL_SUMMARY_MIME] as CellSummary | undefined)
    .filter((s): s is CellSummary => s !== undefined);
  const summary = summaries.find((s) => s.gradeId === gradeId && verifySummary(s, secret, nonce, closeNonce));
  if (!summary) {
    // A cell that never began because it did not compile (an earlier cell that defined a name
    // failed) has nothing to summarise and earns nothing: its own error explains it. Any other
    // cell without its summary is reported as tampered.
    if (neverBegan) return { checks: [], rejected: shown.rejected };
    return { checks: [], rejected: shown.rejected, tampered: 'environment tampered: the signed summary of this test cell\'s results did not reach the grader' };
  }
  const problems = [...summary.tampered];
  const delivered = new Set(shown.checks.map((c) => c.seq));
  const missing = summary.records.filter((r) => r.points > 0 || r.maxPoints > 0).filter((r) => !delivered.has(r.seq)).length;
  if (missing > 0) problems.push(`${missing} of this test cell's results were intercepted before they reached the grader`);
  const tampered = problems.length > 0 ? `environment tampered: ${problems.join('; ')}` : undefined;
  return { checks: strip(summary.records), rejected: shown.rejected, ...(tampered ? { tampered } : {}) };
}

/**
 * Execute a notebook for grading in a fresh kernel. The run's secret goes to the kernel through
 * its stdin, read by the setup cell before any notebook cell runs (see testing/protocol.ts).
 * Each test cell gets a public nonce in its first line, and a closing line after it makes the
 * kernel show the cell's signed summary. A cell that times out or kills
 * the kernel costs only itself: the kernel is restarted, the cells that had succeeded before it
 * are replayed, and the run goes on, so later exercises are still graded.
 */
export async function executeGraded(nb: Notebook, options: ExecuteGradedOptions = {}): Promise<GradedCell[]> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const secret = randomBytes(32).toString('hex');
  const { kernel, dispose } = options.sandbox
    ? await startSandboxedKernel(options.sandbox, { ...options, stdin: secret })
    : { kernel: await KernelSession.start({ ...options, stdin: secret }), dispose: () => undefined };
  const budget = options.budget;
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
      if (budget && Date.now() >= budget.deadline) {
        cells.push({ index, gradeId, role, result: outOfBudget(budget.totalMs), checks: [], rejected: 0 });
        continue;
      }
      if (broken) {
        cells.push({ index, gradeId, role, result: null, checks: [], rejected: 0, notRunReason: broken });
        continue;
      }
      const nonce = role === 'test' && gradeId ? randomBytes(24).toString('hex') : null;
      const code = nonce && gradeId ? gradedCellPrelude(gradeId, nonce) + source : source;
      const left = budget ? budget.deadline - Date.now() : Infinity;
      const ran = await kernel.execute(code, { timeoutMs: Math.min(timeoutMs, left) });
      const result = ran.status === 'timeout' && left < timeoutMs ? outOfBudget(budget!.totalMs, ran) : ran;
      if (nonce && gradeId) {
        const closeNonce = randomBytes(24).toString('hex');
        const close = kernel.alive ? await kernel.execute(gradedCellClose(closeNonce), { timeoutMs }) : null;
        const shown = checksFrom(result.outputs, gradeId, secret, nonce);
        // tslab reports a cell that does not type-check as a TypeScriptError before running any of it
        const neverBegan = shown.checks.length === 0 && result.status === 'error' && result.error?.ename === 'TypeScriptError';
        cells.push({ index, gradeId, role, result, ...cellResults(shown, close, gradeId, secret, nonce, closeNonce, neverBegan) });
      } else cells.push({ index, gradeId, role, result, checks: [], rejected: 0 });
      if (result.status === 'ok') {
        succeeded.push(code.replace(/^require\('selfsup\/testing'\)\.beginGradedCell\([^\n]*\n/, ''));
      }
      if (!kernel.alive && !(budget && Date.now() >= budget.deadline)) {
        broken = await restartAndReplay(kernel, succeeded, timeoutMs, index);
      }
    }
  } finally {
    await kernel.shutdown();
    dispose();
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
