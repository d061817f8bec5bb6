import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../jupyter/kernelspec';
import { loadSource } from './load-source';
import { checkCellMetadata } from './release/check-cell-metadata';
import { checkMarkers } from './release/check-markers';
import { checkNoHiddenTests } from './release/check-no-hidden-tests';
import type { ReleaseContext, ReleaseOptions, ReleaseStep } from './release/context';
import { makeStudentNotebooks } from './release/make-student-notebooks';
import { verifyExercises } from './release/verify-exercises';
import { writeStudentRepo } from './release/write-student-repo';

export type { ReleaseOptions } from './release/context';

/**
 * The release steps, in order:
 * - the two checks come first: the later steps assume valid metadata and balanced markers;
 * - verifyExercises runs kernels, so it runs only when the checks found nothing;
 * - makeStudentNotebooks before writeStudentRepo, which writes them;
 * - checkNoHiddenTests last, over everything written.
 */
export const RELEASE_STEPS: Array<{ step: ReleaseStep; name: string; needsClean: boolean }> = [
  { name: 'check cell metadata', step: checkCellMetadata, needsClean: false },
  { name: 'check markers', step: checkMarkers, needsClean: false },
  { name: 'verify exercises', step: verifyExercises, needsClean: true },
  { name: 'make student notebooks', step: makeStudentNotebooks, needsClean: true },
  { name: 'write student repository', step: writeStudentRepo, needsClean: true },
  { name: 'check for hidden tests', step: checkNoHiddenTests, needsClean: true },
];

export interface ReleaseResult {
  ok: boolean;
  errors: string[];
  out: string;
  notebooks: string[];
}

/**
 * Write the student version of the course to `out`: solutions replaced by stubs, hidden tests
 * removed, outputs cleared, checksums recorded, plus what a student repository needs. On any
 * problem nothing is written (a previous release stays as it was) and every problem is listed.
 */
export async function release(options: ReleaseOptions): Promise<ReleaseResult> {
  const log = options.log ?? (() => undefined);
  const root = options.root ?? packageRoot();
  const sources = loadSource(options.source);
  const out = path.resolve(options.out);
  const staging = `${out}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const ctx: ReleaseContext = { options: { ...options, root }, sources, student: new Map(), staging, errors: [], log };
  try {
    for (const { step, name, needsClean } of RELEASE_STEPS) {
      if (needsClean && ctx.errors.length > 0) break;
      log(`release: ${name}`);
      await step(ctx);
    }
    if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors, out, notebooks: [] };
    const old = `${out}.old-${process.pid}`;
    if (fs.existsSync(out)) fs.renameSync(out, old);
    fs.renameSync(staging, out);
    fs.rmSync(old, { recursive: true, force: true });
    return { ok: true, errors: [], out, notebooks: [...ctx.student.keys()] };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
