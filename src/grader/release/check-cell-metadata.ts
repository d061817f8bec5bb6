import { gradeIdOf, nbgraderOf, roleOf } from '../nbgrader-metadata';
import { where, type ReleaseStep } from './context';

/** grade_ids present and unique per notebook; test cells have points; solution and test cells are code. */
export const checkCellMetadata: ReleaseStep = (ctx) => {
  for (const { name, notebook } of ctx.sources) {
    const seen = new Map<string, number>();
    notebook.cells.forEach((cell, i) => {
      const meta = nbgraderOf(cell);
      if (!meta) return;
      const id = gradeIdOf(cell);
      const at = where(name, id, i);
      if ((meta.solution || meta.grade || meta.locked) && !id) {
        ctx.errors.push(`${at}: nbgrader cell without a grade_id; give it a unique metadata.nbgrader.grade_id`);
        return;
      }
      if (id) {
        if (seen.has(id)) ctx.errors.push(`${at}: duplicate grade_id "${id}" (also cell ${seen.get(id)! + 1}); grade_ids must be unique in a notebook`);
        else seen.set(id, i);
      }
      const role = roleOf(cell);
      if (meta.solution && cell.cell_type !== 'code') {
        ctx.errors.push(`${at}: a solution cell must be a code cell (written answers are not auto-graded)`);
      }
      if (role === 'test' && !(typeof meta.points === 'number' && Number.isFinite(meta.points) && meta.points >= 0)) {
        ctx.errors.push(`${at}: a test cell needs metadata.nbgrader.points, a number >= 0`);
      }
      if (meta.solution && meta.grade) {
        ctx.errors.push(`${at}: a cell cannot be both a solution and a test; split the code and its tests into two cells`);
      }
    });
  }
};
