import type { GradeReport } from '../types';
import { cleanText } from './clean-text';

function esc(s: string): string {
  return cleanText(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** JUnit XML: a testsuite per submission, a testcase per check (classname = notebook.grade_id). */
export function junitXml(report: GradeReport): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = report.submissions.flatMap((s) => s.exercises.flatMap((e) => e.checks));
  const count = (pred: (st: string) => boolean) => all.filter((c) => pred(c.status)).length;
  out.push(
    `<testsuites name="selfsup grades" tests="${all.length}" failures="${count((s) => s === 'fail')}" errors="${count((s) => s === 'error' || s === 'timeout')}" skipped="${count((s) => s === 'not-run')}">`,
  );
  for (const s of report.submissions) {
    const checks = s.exercises.flatMap((e) => e.checks);
    const n = (st: string[]) => checks.filter((c) => st.includes(c.status)).length;
    out.push(
      `  <testsuite name="${esc(s.id)}" tests="${checks.length}" failures="${n(['fail'])}" errors="${n(['error', 'timeout']) + (s.status === 'error' ? 1 : 0)}" skipped="${n(['not-run'])}" time="${(s.durationMs / 1000).toFixed(3)}">`,
    );
    out.push(`    <properties><property name="score" value="${s.score}"/><property name="max_score" value="${s.maxScore}"/></properties>`);
    if (s.status === 'error') {
      out.push(`    <testcase classname="${esc(s.id)}" name="submission"><error message="${esc(s.messages.join('; '))}"/></testcase>`);
    }
    for (const e of s.exercises) {
      for (const c of e.checks) {
        const name = `${esc(c.name)} (${c.points}/${c.maxPoints})`;
        const head = `    <testcase classname="${esc(`${e.notebook}.${e.gradeId}`)}" name="${name}">`;
        if (c.status === 'pass') out.push(`${head}</testcase>`);
        else if (c.status === 'fail') out.push(`${head}<failure message="${esc(c.message)}"/></testcase>`);
        else if (c.status === 'not-run') out.push(`${head}<skipped message="${esc(c.message)}"/></testcase>`);
        else out.push(`${head}<error type="${c.status}" message="${esc(c.message)}"/></testcase>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
