import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SubmissionStep } from './context';

/** Find the submitted notebook for each source notebook. */
export const matchFiles: SubmissionStep = (ctx) => {
  const target = ctx.grade.path;
  if (!fs.existsSync(target)) {
    ctx.grade.messages.push(`${target} does not exist`);
    return;
  }
  if (fs.statSync(target).isFile()) {
    const name = path.basename(target);
    const match = ctx.sources.find((s) => s.name === name) ?? (ctx.sources.length === 1 ? ctx.sources[0] : undefined);
    for (const s of ctx.sources) ctx.files.set(s.name, s === match ? target : null);
    if (!match) ctx.grade.messages.push(`${name} matches none of the assignment's notebooks (${ctx.sources.map((s) => s.name).join(', ')})`);
    return;
  }
  const dir = fs.existsSync(path.join(target, 'notebooks')) ? path.join(target, 'notebooks') : target;
  for (const s of ctx.sources) {
    const file = path.join(dir, s.name);
    ctx.files.set(s.name, fs.existsSync(file) ? file : null);
  }
};
