/**
 * Writing a file so that a reader, or the next run after a crash, sees the old content or the
 * new, never half of it: write a temporary file in the same folder, then rename it over the
 * target (atomic on one file system). The one copy of this mechanism: datasets, checkpoints,
 * notebooks, grade reports, the kernelspec and the wasm worker file all write through it.
 */
import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import * as path from 'node:path';

/** Suffix marking an unfinished write; files carrying it are stale leftovers of an interrupted run. */
export const TEMP_SUFFIX = '.partial';

/** The file system calls an atomic write needs, injectable so tests can simulate a crash. */
export interface AtomicWriteFs {
  writeFile(file: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(file: string, options: { force: boolean }): Promise<void>;
}

const nodeFs: AtomicWriteFs = {
  writeFile: (file, data) => fs.writeFile(file, data),
  rename: (from, to) => fs.rename(from, to),
  rm: (file, options) => fs.rm(file, options),
};

/**
 * Write `data` to `file` so that `file` is either absent/unchanged or complete: write to
 * `.<name>.<pid>.partial` in the same folder, then rename over the target (atomic on one file
 * system). If the write fails the temporary file is removed; if the process is killed the
 * leftover `.partial` file is cleaned up by `removeStaleTempFiles` on the next run.
 */
export async function writeFileAtomic(file: string, data: Uint8Array, io: AtomicWriteFs = nodeFs): Promise<void> {
  const temp = tempName(file);
  try {
    await io.writeFile(temp, data);
    await io.rename(temp, file);
  } catch (err) {
    await io.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Remove `.*.partial` leftovers of interrupted writes from `dir`; returns the names removed. */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const stale = names.filter((n) => n.startsWith('.') && n.endsWith(TEMP_SUFFIX));
  await Promise.all(stale.map((n) => fs.rm(path.join(dir, n), { force: true })));
  return stale;
}

export interface WriteFileAtomicSyncOptions {
  /** Flush the data to disk before the rename (default false), for files a crash must not lose. */
  fsync?: boolean;
  /** Create the parent folder first (default true). */
  mkdir?: boolean;
}

/** The synchronous form of `writeFileAtomic`, for small files (reports, notebooks, manifests). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: WriteFileAtomicSyncOptions = {}): void {
  if (options.mkdir ?? true) fsSync.mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempName(file);
  try {
    const fd = fsSync.openSync(temp, 'w');
    try {
      fsSync.writeFileSync(fd, data);
      if (options.fsync) fsSync.fsyncSync(fd);
    } finally {
      fsSync.closeSync(fd);
    }
    fsSync.renameSync(temp, file);
  } catch (err) {
    fsSync.rmSync(temp, { force: true });
    throw err;
  }
}

// Unique per process and call: two writers of one file in one process never share a temp file.
let counter = 0;
function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}${TEMP_SUFFIX}`);
}
