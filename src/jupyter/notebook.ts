import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../io/write-file-atomic';

/** nbformat 4 shapes (https://nbformat.readthedocs.io/en/latest/format_description.html). */
export type MultilineString = string | string[];
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput { output_type: 'stream'; name: 'stdout' | 'stderr'; text: MultilineString }
export interface DisplayDataOutput { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput { output_type: 'error'; ename: string; evalue: string; traceback: string[] }
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: 'code';
  id?: string;
  source: MultilineString;
  metadata: Record<string, any>;
  outputs: Output[];
  execution_count: number | null;
}
export interface TextCell {
  cell_type: 'markdown' | 'raw';
  id?: string;
  source: MultilineString;
  metadata: Record<string, any>;
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, any>;
  cells: Cell[];
}

/** Join a multiline string into one string. */
export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}

/** Split text the way Jupyter stores it: one string per line, each keeping its newline. */
export function toMultiline(text: string): string[] {
  if (text === '') return [];
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The kernelspec and language metadata every course notebook declares. */
export function tslabNotebookMetadata(): Record<string, unknown> {
  return {
    kernelspec: { name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' },
    language_info: {
      name: 'typescript',
      codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
      file_extension: '.ts',
      mimetype: 'text/typescript',
      version: '5.0.4',
    },
  };
}

/**
 * Check that `value` is an nbformat 4 notebook and return it typed.
 * @throws with `where` and the problem, e.g. "notebooks/a.ipynb: nbformat 3 is not supported; open and save it in Jupyter to upgrade to nbformat 4".
 */
export function parseNotebook(text: string, where = 'notebook'): Notebook {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: not a Jupyter notebook (expected a JSON object with "cells")`);
  }
  if (value.nbformat !== 4) {
    const got = value.nbformat === undefined ? 'no nbformat field' : `nbformat ${JSON.stringify(value.nbformat)}`;
    throw new Error(`${where}: ${got}; only nbformat 4 is supported (open and save it in Jupyter to upgrade)`);
  }
  if (!Array.isArray(value.cells)) throw new Error(`${where}: not a Jupyter notebook ("cells" is missing or not a list)`);
  value.cells.forEach((cell: any, i: number) => {
    if (!cell || !['code', 'markdown', 'raw'].includes(cell.cell_type)) {
      throw new Error(`${where}: cell ${i + 1} has no valid cell_type`);
    }
    if (typeof cell.source !== 'string' && !Array.isArray(cell.source)) {
      throw new Error(`${where}: cell ${i + 1} has no source`);
    }
    cell.metadata ??= {};
    if (cell.cell_type === 'code') {
      cell.outputs ??= [];
      if (cell.execution_count === undefined) cell.execution_count = null;
    }
  });
  value.metadata ??= {};
  value.nbformat_minor ??= 5;
  return value as Notebook;
}

export function readNotebook(file: string): Notebook {
  return parseNotebook(fs.readFileSync(file, 'utf8'), file);
}

/** Serialise like Jupyter does (1-space indent, trailing newline). */
export function stringifyNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + '\n';
}

/** Write a notebook atomically (temp file + rename): a reader never sees half a file. */
export function writeNotebook(file: string, nb: Notebook): void {
  writeFileAtomicSync(file, stringifyNotebook(nb));
}

/** A copy of `nb` with every output and execution count removed (how notebooks are committed). */
export function clearOutputs(nb: Notebook): Notebook {
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  for (const cell of copy.cells) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  return copy;
}
