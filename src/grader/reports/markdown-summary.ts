import type { GradeReport } from '../types';
import { cleanText } from './clean-text';

const icon: Record<string, string> = { pass: '✅', fail: '❌', error: '💥', timeout: '⏱️', 'not-run': '⏭️' };

function md(s: string): string {
  return cleanText(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown summary for a CI step summary: a table of submissions, then each one's checks. */
export function markdownSummary(report: GradeReport): string {
  const lines = [`# Grades`, '', `${report.submissions.length} submission(s), graded against \`${md(report.source)}\`.`, ''];
  lines.push('| submission | score | status |', '|---|---:|---|');
  for (const s of report.submissions) lines.push(`| ${md(s.id)} | ${s.score} / ${s.maxScore} | ${s.status} |`);
  for (const s of report.submissions) {
    lines.push('', `## ${md(s.id)}: ${s.score} / ${s.maxScore}`, '');
    for (const m of s.messages) lines.push(`- ⚠️ ${md(m)}`);
    if (s.messages.length > 0) lines.push('');
    if (s.exercises.length > 0) {
      lines.push('| exercise | check | points | result |', '|---|---|---:|---|');
      for (const e of s.exercises) {
        for (const c of e.checks) {
          const why = c.message ? `: ${md(c.message.slice(0, 200))}` : '';
          lines.push(`| ${md(`${e.notebook} ${e.gradeId}`)} | ${md(c.name)} | ${c.points} / ${c.maxPoints} | ${icon[c.status]} ${c.status}${why} |`);
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}
