import type { GradeReport } from '../types';
import { cleanText } from './clean-text';

function cell(value: string | number): string {
  const s = cleanText(String(value));
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** grades.csv: one row per submission, a column per exercise (notebook:grade_id), then score and max. */
export function gradesCsv(report: GradeReport): string {
  const columns: string[] = [];
  for (const s of report.submissions) {
    for (const e of s.exercises) {
      const key = `${e.notebook}:${e.gradeId}`;
      if (!columns.includes(key)) columns.push(key);
    }
  }
  const rows = [['id', 'status', 'score', 'max_score', ...columns, 'messages'].map(cell).join(',')];
  for (const s of report.submissions) {
    const points = new Map(s.exercises.map((e) => [`${e.notebook}:${e.gradeId}`, e.points]));
    rows.push(
      [s.id, s.status, s.score, s.maxScore, ...columns.map((c) => points.get(c) ?? ''), s.messages.join(' | ')].map(cell).join(','),
    );
  }
  return rows.join('\n') + '\n';
}
