import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assembleSubmission } from '../assemble-submission';
import { readNotebookFile, type SourceNotebook } from '../load-source';
import type { SubmissionContext, SubmissionStep } from './context';

/**
 * The name a renamed copy was made from: "Copy of x.ipynb", "x (1).ipynb", "x-Copy1.ipynb"
 * (Jupyter's "Make a copy"), "x - Copy.ipynb" (Windows), "x copy.ipynb" (macOS) all give
 * "x.ipynb"; other names are returned as they are. Lower-cased, for comparison.
 */
export function originalName(file: string): string {
  let stem = file.replace(/\.ipynb$/i, '');
  for (;;) {
    const next = stem
      .replace(/^copy of /i, '')
      .replace(/ \(\d+\)$/, '')
      .replace(/-copy\d*$/i, '')
      .replace(/ - copy( \(\d+\))?$/i, '')
      .replace(/ copy( \d+)?$/i, '')
      .trim();
    if (next === stem) break;
    stem = next;
  }
  return `${stem}.ipynb`.toLowerCase();
}

/** Notebooks a submission folder holds: at its top, and in notebooks/ (a student repository's layout). */
function notebooksIn(folder: string): string[] {
  const list = (dir: string) =>
    fs.existsSync(dir) && fs.statSync(dir).isDirectory()
      ? fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.ipynb')).map((e) => path.join(dir, e.name)).sort()
      : [];
  return [...list(path.join(folder, 'notebooks')), ...list(folder)];
}

interface Candidate {
  file: string;
  /** Its name is the source's own (not a renamed copy). */
  exact: boolean;
  /** Solution cells answered (not the stub); -1 when it cannot be read. */
  answered: number;
  solutions: number;
  /** A hash of its bytes (identical copies are no choice). */
  text: string;
}

function candidate(file: string, source: SourceNotebook): Candidate {
  const exact = path.basename(file) === source.name;
  try {
    const text = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const { notebook } = readNotebookFile(file, path.basename(file));
    const assembled = assembleSubmission(source.notebook, notebook, source.name);
    return { file, exact, answered: assembled.answered, solutions: assembled.solutions, text };
  } catch {
    return { file, exact, answered: -1, solutions: 0, text: '' };
  }
}

/**
 * Choose among the files that could stand for one source notebook: the one with the most
 * answered solution cells; on a tie its exact name, then notebooks/ before the folder's top
 * (the order `candidates` come in). Says what was chosen whenever there was a choice or a rename.
 */
function choose(ctx: SubmissionContext, source: SourceNotebook, files: string[], root: string): string | null {
  if (files.length === 0) return null;
  const rel = (f: string) => path.relative(root, f) || path.basename(f);
  const all = files.map((f) => candidate(f, source));
  const best = all.reduce((a, b) => (b.answered > a.answered || (b.answered === a.answered && b.exact && !a.exact) ? b : a));
  const distinct = new Set(all.map((c) => c.text)).size > 1;
  if (all.length > 1 && distinct) {
    const listed = all.map((c) => `${rel(c.file)} (${c.answered < 0 ? 'unreadable' : `${c.answered} of ${c.solutions} solution cells answered`})`).join(', ');
    ctx.grade.messages.push(
      `${source.name}: found ${all.length} versions: ${listed}; graded ${rel(best.file)}. Keep only the one you want graded, named ${source.name}, in one place`,
    );
  }
  if (!best.exact) {
    ctx.grade.messages.push(`${source.name}: graded ${rel(best.file)} in its place (it looks like a renamed copy); name the file ${source.name}`);
  }
  return best.file;
}

/** Find the submitted notebook for each source notebook (by name, or a renamed copy's original name). */
export const matchFiles: SubmissionStep = (ctx) => {
  const target = ctx.grade.path;
  if (!fs.existsSync(target)) {
    ctx.grade.messages.push(`${target} does not exist`);
    return;
  }
  if (fs.statSync(target).isFile()) {
    const name = path.basename(target);
    const match =
      ctx.sources.find((s) => s.name === name) ??
      ctx.sources.find((s) => originalName(s.name) === originalName(name)) ??
      (ctx.sources.length === 1 ? ctx.sources[0] : undefined);
    for (const s of ctx.sources) ctx.files.set(s.name, s === match ? target : null);
    if (!match) ctx.grade.messages.push(`${name} matches none of the assignment's notebooks (${ctx.sources.map((s) => s.name).join(', ')})`);
    else if (match.name !== name && originalName(match.name) === originalName(name)) {
      ctx.grade.messages.push(`${match.name}: graded ${name} in its place (it looks like a renamed copy); name the file ${match.name}`);
    }
    return;
  }
  const files = notebooksIn(target);
  const sourceNames = new Set(ctx.sources.map((s) => s.name));
  for (const s of ctx.sources) {
    const exact = files.filter((f) => path.basename(f) === s.name);
    // a renamed copy counts only when it is not itself another source notebook's name
    const renamed = files.filter((f) => path.basename(f) !== s.name && !sourceNames.has(path.basename(f)) && originalName(path.basename(f)) === originalName(s.name));
    ctx.files.set(s.name, choose(ctx, s, [...exact, ...renamed], target));
  }
};
