import * as fs from 'node:fs';
import * as path from 'node:path';
import { sourceText } from '../../jupyter/notebook';
import { findRegions, BEGIN_HIDDEN, BEGIN_SOLUTION } from '../markers';
import { roleOf } from '../nbgrader-metadata';
import type { ReleaseStep } from './context';

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

/**
 * The lines of every hidden-test region (long enough to be distinctive), except lines the
 * students see anyway: a hidden check may repeat a visible line (a shared setup line, the same
 * call with another argument on the next line), and that line gives nothing away.
 */
function secretLines(ctx: Parameters<ReleaseStep>[0]): string[] {
  const visible = new Set<string>();
  for (const notebook of ctx.student.values()) {
    for (const cell of notebook.cells) for (const line of sourceText(cell.source).split('\n')) visible.add(line.trim());
  }
  const lines = new Set<string>();
  for (const { notebook } of ctx.sources) {
    for (const cell of notebook.cells) {
      const role = roleOf(cell);
      if (role !== 'test') continue;
      const text = sourceText(cell.source);
      const all = text.split('\n');
      for (const r of findRegions(text).filter((x) => x.kind === 'hidden')) {
        for (const line of all.slice(r.begin + 1, r.end)) {
          const t = line.trim();
          if (t.length >= 24 && !visible.has(t)) lines.add(t);
        }
      }
    }
  }
  return [...lines];
}

/** Last: no file under the release may contain a marker or a line of a hidden test. */
export const checkNoHiddenTests: ReleaseStep = (ctx) => {
  const secrets = secretLines(ctx);
  for (const file of walk(ctx.staging)) {
    if (!/\.(ipynb|md|json|ts|js|yml|txt)$/.test(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(ctx.staging, file);
    if (rel.startsWith(`src${path.sep}`)) continue; // the library itself defines the marker strings
    if (text.includes(BEGIN_HIDDEN) || text.includes(BEGIN_SOLUTION)) ctx.errors.push(`release: ${rel} contains a marker; this is a bug in the release steps`);
    const leaked = secrets.find((s) => text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1)));
    if (leaked) ctx.errors.push(`release: ${rel} contains hidden test code ("${leaked.slice(0, 60)}")`);
  }
};
