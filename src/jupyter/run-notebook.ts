import { randomUUID } from 'node:crypto';
import { KernelSession, type CellResult, type CellStatus, type KernelSessionOptions } from './kernel-session';
import { sourceText, toMultiline, type Notebook, type Output } from './notebook';

/** The outcome of one code cell in a notebook run. */
export interface CellRun {
  /** Position among all the notebook's cells (0-based). */
  index: number;
  /** 'not-run': a cell after one that stopped the kernel, with onKernelLoss 'stop'. */
  status: CellStatus | 'not-run';
  result: CellResult | null;
}

export interface NotebookRun {
  /** A copy of the notebook with every executed cell's outputs and execution count filled in. */
  notebook: Notebook;
  cells: CellRun[];
  /** True when every code cell ran with status 'ok'. */
  ok: boolean;
  durationMs: number;
}

export interface RunNotebookOptions extends KernelSessionOptions {
  /** Per-cell time limit in milliseconds (default 10 minutes; 0 = none). */
  timeoutMs?: number;
  /** What to do after a cell kills or hangs the kernel: stop (later cells 'not-run'), or restart and go on. */
  onKernelLoss?: 'stop' | 'restart';
  /** Run in this already-started kernel instead of a new one (the caller shuts it down). */
  session?: KernelSession;
  /** Called after every code cell. */
  onCell?: (cell: CellRun, source: string) => void;
  /** Called for every output as it arrives. */
  onOutput?: (output: Output, index: number) => void;
}

/**
 * Execute every code cell of `nb` in order in a tslab kernel and collect the outputs in
 * nbformat 4 shape. A failing cell never stops the cells after it; a cell that times out or kills
 * the kernel is reported as such and (by default) ends the run, marking later cells 'not-run'.
 */
export async function runNotebook(nb: Notebook, options: RunNotebookOptions = {}): Promise<NotebookRun> {
  const started = Date.now();
  const notebook = JSON.parse(JSON.stringify(nb)) as Notebook;
  if (notebook.nbformat === 4 && notebook.nbformat_minor >= 5) {
    notebook.cells.forEach((cell) => (cell.id ??= randomUUID().slice(0, 8)));
  }
  const session = options.session ?? (await KernelSession.start(options));
  const cells: CellRun[] = [];
  let stopped = false;
  try {
    for (let index = 0; index < notebook.cells.length; index++) {
      const cell = notebook.cells[index];
      if (cell.cell_type !== 'code') continue;
      const source = sourceText(cell.source);
      cell.outputs = [];
      cell.execution_count = null;
      if (source.trim() === '') continue;
      if (stopped) {
        const run: CellRun = { index, status: 'not-run', result: null };
        cells.push(run);
        options.onCell?.(run, source);
        continue;
      }
      const result = await session.execute(source, {
        timeoutMs: options.timeoutMs ?? 600_000,
        onOutput: options.onOutput ? (o) => options.onOutput!(o, index) : undefined,
      });
      cell.outputs = result.outputs.map(toStoredOutput);
      cell.execution_count = result.executionCount;
      const run: CellRun = { index, status: result.status, result };
      cells.push(run);
      options.onCell?.(run, source);
      if (!session.alive) {
        if (options.onKernelLoss === 'restart') await session.restart();
        else stopped = true;
      }
    }
  } finally {
    if (!options.session) await session.shutdown();
  }
  return { notebook, cells, ok: cells.every((c) => c.status === 'ok'), durationMs: Date.now() - started };
}

/** Outputs as Jupyter stores them: text as a list of lines. */
function toStoredOutput(output: Output): Output {
  if (output.output_type === 'stream') return { ...output, text: toMultiline(String(output.text)) };
  return output;
}

/** One line per notebook: "✔ name: 12 code cells, all ok (3.1 s)" or which cells failed and how. */
export function summarizeRun(name: string, run: NotebookRun): string {
  const counts = new Map<string, number[]>();
  run.cells.forEach((c) => counts.set(c.status, [...(counts.get(c.status) ?? []), c.index + 1]));
  const seconds = (run.durationMs / 1000).toFixed(1);
  if (run.ok) return `✔ ${name}: ${run.cells.length} code cells, all ok (${seconds} s)`;
  const label: Record<string, string> = { error: 'failed', timeout: 'timed out', dead: 'killed the kernel', 'not-run': 'not run' };
  const parts = ['error', 'timeout', 'dead', 'not-run']
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)!.length} ${label[s]} (cell${counts.get(s)!.length > 1 ? 's' : ''} ${counts.get(s)!.join(', ')})`);
  const ok = counts.get('ok')?.length ?? 0;
  return `✖ ${name}: ${run.cells.length} code cells, ${ok} ok, ${parts.join(', ')} (${seconds} s)`;
}
