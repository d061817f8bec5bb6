import { clearOutputs, sourceText, type Notebook } from '../../jupyter/notebook';
import { cellChecksum } from '../checksum';
import { findRegions, removeHiddenTests, stubSolutions, STUB_LINES } from '../markers';
import { roleOf } from '../nbgrader-metadata';
import type { ReleaseStep } from './context';

/** The student version of one notebook: stubs for solutions, no hidden tests, no outputs, nbgrader checksums. */
export function studentVersion(nb: Notebook): Notebook {
  const out = clearOutputs(nb);
  for (const cell of out.cells) {
    const role = roleOf(cell);
    const text = sourceText(cell.source);
    if (role === 'solution') {
      const hasRegions = findRegions(text).some((r) => r.kind === 'solution');
      cell.source = hasRegions ? stubSolutions(text) : STUB_LINES.join('\n');
    } else if (role === 'test') {
      cell.source = removeHiddenTests(text);
    }
    // As nbgrader's generate_assignment does: every solution, test and locked cell records its
    // checksum (nbgrader's md5, over the student version) and its cell type.
    if (role !== 'plain') {
      cell.metadata.nbgrader = { ...cell.metadata.nbgrader, checksum: cellChecksum(cell), cell_type: cell.cell_type };
    }
  }
  return out;
}

/** Must run after the checks (it assumes well-formed markers). */
export const makeStudentNotebooks: ReleaseStep = (ctx) => {
  for (const { name, notebook } of ctx.sources) ctx.student.set(name, studentVersion(notebook));
};
