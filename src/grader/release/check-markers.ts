import { sourceText } from '../../jupyter/notebook';
import { findRegions } from '../markers';
import { gradeIdOf, roleOf } from '../nbgrader-metadata';
import { where, type ReleaseStep } from './context';

/** Markers balanced, not nested, and only where they belong: SOLUTION in solution cells, HIDDEN TESTS in test cells. */
export const checkMarkers: ReleaseStep = (ctx) => {
  for (const { name, notebook } of ctx.sources) {
    notebook.cells.forEach((cell, i) => {
      const at = where(name, gradeIdOf(cell), i);
      let regions;
      try {
        regions = findRegions(sourceText(cell.source));
      } catch (err) {
        ctx.errors.push(`${at}: ${(err as Error).message}`);
        return;
      }
      const role = roleOf(cell);
      for (const r of regions) {
        if (r.kind === 'solution' && role !== 'solution') {
          ctx.errors.push(`${at}: solution markers (line ${r.begin + 1}) outside a solution cell; mark the cell as a solution (nbgrader.solution = true) or remove them`);
        }
        if (r.kind === 'hidden' && role !== 'test') {
          ctx.errors.push(`${at}: hidden-test markers (line ${r.begin + 1}) outside a test cell; they would be released to students`);
        }
      }
    });
  }
};
