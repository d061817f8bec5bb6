import type { Output } from '../../jupyter/notebook';
import { outputBytes } from '../../jupyter/output-collector';
import type { GradedCell } from '../execute-graded';

/** Outputs a feedback notebook keeps at most, all cells together (each cell is capped on its own by the kernel session). */
export const MAX_NOTEBOOK_OUTPUT_BYTES = 32 * 1024 * 1024;

/**
 * Keep a graded run's outputs within `maxBytes`, in cell order: once the budget is spent, each
 * later output is replaced by one note per cell saying what was dropped. Scoring is not
 * affected (check results were read from the outputs before). Returns what was dropped.
 */
export function capNotebookOutputs(cells: GradedCell[], maxBytes = MAX_NOTEBOOK_OUTPUT_BYTES): { outputs: number; bytes: number } {
  let used = 0;
  const dropped = { outputs: 0, bytes: 0 };
  for (const cell of cells) {
    const result = cell.result;
    if (!result) continue;
    const kept: Output[] = [];
    let here = 0;
    let hereBytes = 0;
    for (const output of result.outputs) {
      const size = outputBytes(output);
      if (used + size <= maxBytes) {
        used += size;
        kept.push(output);
      } else {
        here++;
        hereBytes += size;
      }
    }
    if (here > 0) {
      const size = Number.isFinite(hereBytes) ? `${hereBytes} bytes` : 'too large to measure';
      kept.push({
        output_type: 'stream',
        name: 'stderr',
        text: `\n[selfsup: ${here} output(s) of this cell were dropped (${size}); a feedback notebook keeps at most ${maxBytes} bytes of outputs]\n`,
      });
      result.outputs = kept;
      dropped.outputs += here;
      dropped.bytes += hereBytes;
    }
  }
  return dropped;
}
