import { AsyncLocalStorage } from 'node:async_hooks';
import { displayBundle } from '../viz/display';
import { CHECK_MIME, signCheck, type CheckRecord, type CheckStatus, type SignedCheckRecord } from './protocol';

// Captured when the module loads (the grader loads it before any learner code runs), so that
// code under test cannot swap them to read a grading token or change what is reported.
const sign = signCheck;
const show = displayBundle;

/** Thrown by the expect* helpers: a failed expectation (as opposed to code that crashed). */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

// Module-private grading state: the token lives only here and in the test cell's source.
let current: { gradeId: string; token: string } | null = null;
// The check whose code is running, followed through awaits, timers and promises it starts, so
// that a check started from inside it is recognised even after an await. (A plain flag would
// stay set when an interrupted cell never reaches its `finally`.)
const running = new AsyncLocalStorage<{ name: string; cell: number }>();
// Counts graded cells: a context left behind by a check that an interrupt cut short (its
// cleanup never runs) belongs to an earlier cell and is ignored.
let cellNumber = 0;

/**
 * Called by the grader's first line in a test cell; not for notebook authors.
 * Later checks in the cell are signed with `token` and labelled with `gradeId`.
 */
export function beginGradedCell(gradeId: string, token: string): void {
  current = { gradeId, token };
  cellNumber++;
}

function statusOf(err: unknown): CheckStatus {
  if (err instanceof CheckFailure) return 'fail';
  const e = err as { code?: string; name?: string };
  return e?.code === 'ERR_ASSERTION' || e?.name === 'AssertionError' ? 'fail' : 'error';
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'CheckFailure' ? '' : `${err.name}: `}${err.message}` : String(err);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/**
 * A named check worth `points`: runs `fn`, awards the points when it returns (or resolves)
 * without throwing. Never throws itself, so the checks after it still run; shows one line
 * ("✔ name (2/2)" or "✖ name (0/2): why") and, under the grader, reports a signed result.
 *
 * Call the learner's code inside `fn`: while grading, a check started from inside another check
 * is refused (and fails the outer one), so code under test cannot award itself points.
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
  const outer = running.getStore();
  if (outer !== undefined && current && outer.cell === cellNumber) {
    throw new CheckFailure(`check "${name}" was started inside check "${outer.name}"; checks cannot be nested`);
  }
  let status: CheckStatus = 'pass';
  let message = '';
  try {
    await running.run({ name, cell: cellNumber }, fn);
  } catch (err) {
    status = statusOf(err);
    message = messageOf(err);
  }
  report({ gradeId: current?.gradeId ?? null, name, status, points: status === 'pass' ? points : 0, maxPoints: points, message });
}

function report(record: CheckRecord): void {
  const signed: SignedCheckRecord = { ...record, signature: current ? sign(record, current.token) : null };
  const mark = record.status === 'pass' ? '✔' : '✖';
  const why = record.status === 'pass' ? '' : `: ${record.status === 'error' ? 'error: ' : ''}${record.message}`;
  const line = `${mark} ${record.name} (${record.points}/${record.maxPoints})${why}`;
  show({ [CHECK_MIME]: signed, 'text/plain': line });
}

Object.freeze(module.exports);
