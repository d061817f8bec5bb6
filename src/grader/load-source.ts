import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNotebook, type Notebook } from '../jupyter/notebook';

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
  return files.map((file) => ({ name: path.basename(file), file, notebook: readNotebookFile(file).notebook }));
}

/**
 * A notebook file's text, whatever Unicode encoding an editor saved it in: UTF-8 (with or without
 * a byte-order mark) or UTF-16 (little or big endian, recognised by its byte-order mark, or
 * without one by the zero bytes of its ASCII characters). `encoding` is null for plain UTF-8.
 */
export function decodeNotebookBytes(bytes: Buffer): { text: string; encoding: 'utf-8 with BOM' | 'utf-16le' | 'utf-16be' | null } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8 with BOM' };
  let le = bytes[0] === 0xff && bytes[1] === 0xfe;
  let be = bytes[0] === 0xfe && bytes[1] === 0xff;
  if (!le && !be && bytes.length >= 4) {
    // no BOM: a JSON notebook starts with an ASCII character, which UTF-16 pairs with a zero byte
    le = bytes[0] !== 0 && bytes[1] === 0 && bytes[3] === 0;
    be = bytes[0] === 0 && bytes[2] === 0 && bytes[1] !== 0;
  }
  if (le || be) {
    const body = bytes.subarray(bytes[0] === 0xff || bytes[0] === 0xfe ? 2 : 0);
    const even = body.subarray(0, body.length - (body.length % 2));
    const swapped = be ? Buffer.from(even).swap16() : even;
    return { text: swapped.toString('utf16le'), encoding: be ? 'utf-16be' : 'utf-16le' };
  }
  return { text: bytes.toString('utf8'), encoding: null };
}

/** Read and parse a notebook file in any encoding decodeNotebookBytes knows. @throws naming the file when it is not a valid notebook. */
export function readNotebookFile(file: string, where = file): { notebook: Notebook; encoding: ReturnType<typeof decodeNotebookBytes>['encoding'] } {
  const { text, encoding } = decodeNotebookBytes(fs.readFileSync(file));
  return { notebook: parseNotebook(text, where), encoding };
}
