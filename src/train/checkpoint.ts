/**
 * Checkpoints: named tensors plus JSON metadata, written atomically into a folder.
 *
 *   <dir>/step-00000120/tensors.bin     every tensor's values, raw little-endian, concatenated
 *   <dir>/step-00000120/manifest.json   { format, version, step, tensors: [{ name, dtype, shape,
 *                                        offset, bytes }], meta }
 *   <dir>/latest.json                   { checkpoint: "step-00000120", step: 120 }
 *
 * A checkpoint is written to `step-00000120.partial-<pid>` and renamed into place when
 * complete, then latest.json is replaced the same way (write a temporary file, rename): a
 * crash leaves either the previous checkpoint or the new one, never a torn one. Values are
 * stored bit for bit (float32, int32, bool), so loading restores exactly what was saved.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomicSync } from '../io/write-file-atomic';

/** Format tag in every manifest. */
export const CHECKPOINT_FORMAT = 'selfsup-checkpoint';

interface ManifestEntry {
  name: string;
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  offset: number;
  bytes: number;
}

interface Manifest {
  format: string;
  version: 1;
  step: number;
  tensors: ManifestEntry[];
  meta: unknown;
}

/** What `loadCheckpoint` returns; the caller disposes `tensors`. */
export interface LoadedCheckpoint {
  /** The checkpoint folder. */
  path: string;
  step: number;
  tensors: tf.NamedTensorMap;
  meta: unknown;
}

function folderName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Write `tensors` and `meta` as the checkpoint of `step` under `dir`, make it the latest, and
 * keep only the newest `keep` checkpoints (0 keeps all).
 *
 * @returns the checkpoint folder.
 * @throws "Error in saveCheckpoint: ..." for an unsupported dtype.
 * @example
 * saveCheckpoint('runs/simclr', 120, { 'encoder.stem.kernel': kernel }, { seed: 0 });
 */
export function saveCheckpoint(dir: string, step: number, tensors: tf.NamedTensorMap, meta: unknown, keep = 0): string {
  fs.mkdirSync(dir, { recursive: true });
  const entries: ManifestEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') {
      throw new Error(`Error in saveCheckpoint: tensor '${name}' has dtype ${t.dtype}; only float32, int32 and bool are supported`);
    }
    const values = t.dataSync();
    const typed = t.dtype === 'float32' ? Float32Array.from(values) : t.dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values);
    const buf = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
    entries.push({ name, dtype: t.dtype, shape: [...t.shape], offset, bytes: buf.byteLength });
    chunks.push(buf);
    offset += buf.byteLength;
  }
  const manifest: Manifest = { format: CHECKPOINT_FORMAT, version: 1, step, tensors: entries, meta };
  const final = path.join(dir, folderName(step));
  const partial = `${final}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial);
  writeFileAtomicSync(path.join(partial, 'tensors.bin'), Buffer.concat(chunks), { fsync: true });
  writeFileAtomicSync(path.join(partial, 'manifest.json'), JSON.stringify(manifest), { fsync: true });
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(partial, final);
  const latest = path.join(dir, 'latest.json');
  writeFileAtomicSync(latest, JSON.stringify({ checkpoint: folderName(step), step }) + '\n', { fsync: true });
  if (keep > 0) {
    const all = listCheckpoints(dir);
    for (const old of all.slice(0, Math.max(0, all.length - keep))) fs.rmSync(path.join(dir, old), { recursive: true, force: true });
  }
  return final;
}


function listCheckpoints(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^step-\d{8}$/.test(f)).sort();
}

/** The folder of the latest complete checkpoint under `dir`, or null if there is none. */
export function latestCheckpoint(dir: string): string | null {
  const latest = path.join(dir, 'latest.json');
  if (fs.existsSync(latest)) {
    const { checkpoint } = JSON.parse(fs.readFileSync(latest, 'utf8')) as { checkpoint: string };
    const folder = path.join(dir, checkpoint);
    if (fs.existsSync(path.join(folder, 'manifest.json'))) return folder;
  }
  const all = listCheckpoints(dir);
  return all.length > 0 ? path.join(dir, all[all.length - 1]) : null;
}

/**
 * Read a checkpoint folder (or, given a run folder, its latest checkpoint).
 *
 * @throws "Error in loadCheckpoint: ..." when there is no checkpoint or the files do not match.
 */
export function loadCheckpoint(dirOrCheckpoint: string): LoadedCheckpoint {
  const folder = fs.existsSync(path.join(dirOrCheckpoint, 'manifest.json')) ? dirOrCheckpoint : latestCheckpoint(dirOrCheckpoint);
  if (!folder) throw new Error(`Error in loadCheckpoint: no checkpoint in ${dirOrCheckpoint}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as Manifest;
  if (manifest.format !== CHECKPOINT_FORMAT || manifest.version !== 1) {
    throw new Error(`Error in loadCheckpoint: ${folder} is not a ${CHECKPOINT_FORMAT} version 1`);
  }
  const data = fs.readFileSync(path.join(folder, 'tensors.bin'));
  const expected = manifest.tensors.reduce((a, e) => a + e.bytes, 0);
  if (data.byteLength !== expected) {
    throw new Error(`Error in loadCheckpoint: ${folder}/tensors.bin has ${data.byteLength} bytes, expected ${expected}`);
  }
  const tensors: tf.NamedTensorMap = {};
  for (const e of manifest.tensors) {
    const bytes = new Uint8Array(data.subarray(e.offset, e.offset + e.bytes)); // aligned copy
    const values = e.dtype === 'float32' ? new Float32Array(bytes.buffer) : e.dtype === 'int32' ? new Int32Array(bytes.buffer) : bytes;
    tensors[e.name] = tf.tensor(values, e.shape, e.dtype);
  }
  return { path: folder, step: manifest.step, tensors, meta: manifest.meta };
}
