import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNotebook, type Notebook } from '../jupyter/notebook';

export interface SourceNotebook {
  /** File name, e.g. "10.2-contrastive.ipynb": how submissions are matched to it. */
  name: string;
  file: string;
  notebook: Notebook;
}

/** Notebooks (.ipynb) directly in a folder, or the single file given; sorted by name. */
export function listNotebookFiles(target: string): string[] {
  const stat = fs.statSync(target);
  if (stat.isFile()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ipynb'))
    .map((e) => path.join(target, e.name))
    .sort();
}

/** Read the instructor's notebooks. @throws naming the file when one is not a valid notebook. */
export function loadSource(target: string): SourceNotebook[] {
  if (!fs.existsSync(target)) throw new Error(`source ${target} does not exist; pass the instructor's notebooks folder with --source`);
  const files = listNotebookFiles(target);
  if (files.length === 0) throw new Error(`source ${target} has no .ipynb notebooks`);
  return files.map((file) => ({ name: path.basename(file), file, notebook: readNotebook(file) }));
}
