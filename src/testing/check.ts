import { AsyncLocalStorage } from 'node:async_hooks';
import { createSecretKey as nodeCreateSecretKey, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import { displayBundle } from '../viz/display';
import { addProbe, requireCacheProbe, tamperFindings, watch } from './guard';
import {
  CELL_SUMMARY_MIME,
  CHECK_MIME,
  signCheck,
  signSummary,
  type CellSummary,
  type CheckRecord,
  type CheckStatus,
  type SignedCheckRecord,
} from './protocol';

// Captured when the module loads (the grader loads it before any learner code runs), so that
// code under test cannot swap them to read the grading secret or change what is reported.
const sign = signCheck;
const signCell = signSummary;
const show = displayBundle;
const findings = tamperFindings;
const readSync = fs.readSync;
const ReflectApply = Reflect.apply;
const alsRun = AsyncLocalStorage.prototype.run;
const alsGetStore = AsyncLocalStorage.prototype.getStore;
const alsEnterWith = AsyncLocalStorage.prototype.enterWith;
const BufferAlloc = Buffer.alloc;
const BufferConcat = Buffer.concat;
const createSecretKey = nodeCreateSecretKey;
watch('AsyncLocalStorage.prototype', AsyncLocalStorage.prototype);

/** Thrown by the expect* helpers: a failed expectation (as opposed to code that crashed). */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

// The run's secret: read once from stdin by the grader's setup cell, kept only here, as a
// KeyObject: its bytes live in native memory, so a V8 heap snapshot does not contain them.
let secret: KeyObject | null = null;
let secretRead = false;

interface GradedCellState {
  gradeId: string;
  nonce: string;
  number: number;
  records: Array<CheckRecord & { seq: number }>;
  tampered: string[];
}
// The test cell being graded (between beginGradedCell and endGradedCell).
let cell: GradedCellState | null = null;
let cellCount = 0;
// The graded cell whose code is running, followed through awaits, timers and promises: a check
// started from a timer or callback of earlier code does not carry it.
const cellScope = new AsyncLocalStorage<number>();
// The check whose code is running, followed the same way, so that a check started from inside
// it is recognised even after an await.
const running = new AsyncLocalStorage<{ name: string; cell: number }>();

function storeOf<T>(als: AsyncLocalStorage<T>): T | undefined {
  return ReflectApply(alsGetStore, als, []) as T | undefined;
}

/**
 * Called by the grader's setup cell, before any notebook cell runs; not for notebook authors.
 * Reads the run's secret from the kernel's stdin, to its end (`read` replaces that in tests),
 * and keeps it in this module. Later calls are refused, so code run after the setup cannot
 * replace the secret.
 */
export function receiveGraderSecret(read: () => Buffer = readStdinToEnd): void {
  if (secretRead) throw new Error('Error in receiveGraderSecret: the grader secret was already read');
  secretRead = true;
  const raw = read();
  // 64 hex digits (surrounding whitespace allowed) decoded by hand, never turned into a JS string
  let start = 0;
  let end = raw.length;
  while (start < end && raw[start] <= 32) start++;
  while (end > start && raw[end - 1] <= 32) end--;
  const key = BufferAlloc(32);
  let ok = end - start === 64;
  for (let i = 0; ok && i < 32; i++) {
    const hi = hexValue(raw[start + 2 * i]);
    const lo = hexValue(raw[start + 2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    key[i] = (hi << 4) | lo;
  }
  raw.fill(0);
  if (!ok) {
    key.fill(0);
    throw new Error('Error in receiveGraderSecret: no grader secret on stdin (the grader writes 64 hex digits there when it starts a kernel)');
  }
  secret = createSecretKey(key);
  key.fill(0);
  tamperFindings();
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1;
}

function readStdinToEnd(): Buffer {
  const chunks: Buffer[] = [];
  const buf = BufferAlloc(4096);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as { code?: string }).code === 'EAGAIN') continue;
      throw new Error(`Error in receiveGraderSecret: stdin could not be read (${(err as Error).message})`);
    }
    if (n === 0) break;
    chunks[chunks.length] = Buffer.from(buf.subarray(0, n));
  }
  buf.fill(0);
  const all = BufferConcat(chunks);
  for (let i = 0; i < chunks.length; i++) chunks[i].fill(0);
  return all;
}

/**
 * Called by the grader's first line in a test cell; not for notebook authors. Later checks in
 * the cell are numbered, labelled with `gradeId` and signed with the run's secret and `nonce`.
 */
export function beginGradedCell(gradeId: string, nonce: string): void {
  // The grader closes every cell before it begins the next; a second begin comes from elsewhere.
  const reopened = cell !== null;
  cellCount++;
  cell = { gradeId, nonce, number: cellCount, records: [], tampered: [] };
  ReflectApply(alsEnterWith, cellScope, [cellCount]);
  if (reopened) noteTampering(cell, ['a graded cell was begun again before the grader closed the previous one']);
  noteTampering(cell, findings());
}

/**
 * Called by the grader after a test cell, with a nonce the cell could not know; not for notebook
 * authors. Shows the signed list of every result the cell reported, so that a result dropped on
 * its way to the grader is noticed.
 */
export function endGradedCell(closeNonce: string): void {
  const c = cell;
  if (!c) return;
  cell = null;
  noteTampering(c, findings());
  const summary: Omit<CellSummary, 'signature'> = { gradeId: c.gradeId, records: c.records, tampered: c.tampered };
  const signature = secret ? signCell(summary, secret, c.nonce, closeNonce) : '';
  const line = c.tampered.length > 0 ? `environment tampered: ${c.tampered.join('; ')}` : `${c.records.length} check result(s)`;
  show({ [CELL_SUMMARY_MIME]: { ...summary, signature }, 'text/plain': line });
}

function noteTampering(c: GradedCellState | null, found: readonly string[]): void {
  if (!c) return;
  for (let i = 0; i < found.length; i++) {
    let known = false;
    for (let j = 0; j < c.tampered.length && !known; j++) known = c.tampered[j] === found[i];
    if (!known) c.tampered[c.tampered.length] = found[i];
  }
}

function statusOf(err: unknown): CheckStatus {
  try {
    if (err instanceof CheckFailure) return 'fail';
    const e = err as { code?: string; name?: string };
    return e?.code === 'ERR_ASSERTION' || e?.name === 'AssertionError' ? 'fail' : 'error';
  } catch {
    return 'error';
  }
}

function messageOf(err: unknown): string {
  let text: string;
  try {
    text = err instanceof Error ? `${err.name === 'CheckFailure' ? '' : `${err.name}: `}${err.message}` : String(err);
  } catch {
    text = 'the code under test threw a value that cannot be described';
  }
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

const tamperMessage = (found: readonly string[]) => `environment tampered: ${found.join('; ')}`;

/**
 * A named check worth `points`: runs `fn`, awards the points when it returns (or resolves)
 * without throwing. Never throws itself, so the checks after it still run; shows one line
 * ("✔ name (2/2)" or "✖ name (0/2): why") and, under the grader, reports a signed result.
 *
 * Call the learner's code inside `fn`: while grading, a check started from inside another check
 * is refused (and fails the outer one), so code under test cannot award itself points. Before
 * and after `fn`, the check looks for patched built-ins and helpers; if it finds any, it fails
 * with "environment tampered: …" saying what was changed.
 *
 * @example
 * await check('uniform logits give ln(2N-1)', 2, () => {
 *   expectClose(myLoss(z, z), Math.log(2 * 8 - 1), { atol: 1e-4 });
 * });
 */
export async function check(name: string, points: number, fn: () => unknown): Promise<void> {
  if (typeof name !== 'string' || name.trim() === '') throw new Error('Error in check: name must be a non-empty string');
  if (!(typeof points === 'number' && Number.isFinite(points) && points >= 0)) {
    throw new Error(`Error in check: points must be a number >= 0, but got ${String(points)}`);
  }
  if (typeof fn !== 'function') throw new Error('Error in check: the third argument must be a function');
  const c = cell;
  const outer = storeOf(running);
  if (outer !== undefined && c && outer.cell === c.number) {
    const why = `check "${name}" was started inside check "${outer.name}"; checks cannot be nested`;
    // recorded as a failure of the outer check too, in case the refusal is caught and ignored
    record(c, { gradeId: c.gradeId, name: outer.name, status: 'fail', points: 0, maxPoints: 0, message: why }, true);
    throw new CheckFailure(why);
  }
  // While a test cell is graded, only its own code may check: not a timer or callback of earlier code.
  const inCell = c !== null && storeOf(cellScope) === c.number;
  if (c && !inCell) {
    noteTampering(c, [`check "${name}" was started from a timer or callback of code outside the test cell`]);
  }
  let status: CheckStatus = 'pass';
  let message = '';
  let found = findings();
  if (found.length === 0) {
    try {
      await ReflectApply(alsRun, running, [{ name, cell: c ? c.number : 0 }, fn]);
    } catch (err) {
      status = statusOf(err);
      message = messageOf(err);
    }
    found = findings();
  }
  noteTampering(c, found);
  if (found.length > 0) {
    status = 'fail';
    message = tamperMessage(found);
  }
  const result: CheckRecord = { gradeId: c?.gradeId ?? null, name, status, points: status === 'pass' ? points : 0, maxPoints: points, message };
  if (c && inCell && cell === c) record(c, result, false);
  else display({ ...result, seq: -1, signature: null });
}

function record(c: GradedCellState, r: CheckRecord, quiet: boolean): void {
  const numbered = { ...r, seq: c.records.length };
  c.records[c.records.length] = numbered;
  const signed: SignedCheckRecord = { ...numbered, signature: secret ? sign(numbered, secret, c.nonce) : null };
  if (!quiet) display(signed);
}

function display(r: SignedCheckRecord): void {
  const mark = r.status === 'pass' ? '✔' : '✖';
  const why = r.status === 'pass' ? '' : `: ${r.status === 'error' ? 'error: ' : ''}${r.message}`;
  const line = `${mark} ${r.name} (${r.points}/${r.maxPoints})${why}`;
  show({ [CHECK_MIME]: r, 'text/plain': line });
}

// This module's own exports and entry in require.cache must stay as loaded.
addProbe(requireCacheProbe(module));
addProbe(requireCacheProbe(require.cache[require.resolve('./protocol')] as NodeJS.Module));

Object.freeze(module.exports);
