import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classroomOutputLine, classroomResult } from '../../src/grader/reports/classroom-result';
import { gradesCsv } from '../../src/grader/reports/grades-csv';
import { junitXml } from '../../src/grader/reports/junit-xml';
import { markdownSummary } from '../../src/grader/reports/markdown-summary';
import { cleanText } from '../../src/grader/reports/clean-text';
import type { GradeReport } from '../../src/grader/types';

const report: GradeReport = {
  schema: 'selfsup-grades',
  schemaVersion: 1,
  generatedAt: '2026-01-01T00:00:00.000Z',
  source: 'notebooks',
  maxScore: 3,
  submissions: [
    {
      id: 'Zoë, "the" <best>',
      path: 'subs/zoe',
      status: 'graded',
      score: 2,
      maxScore: 3,
      messages: ['a.ipynb: test cell t was changed; the instructor\'s version is used'],
      feedback: ['feedback/zoe/a.ipynb'],
      durationMs: 1500,
      exercises: [
        {
          notebook: 'a.ipynb',
          gradeId: 't',
          status: 'fail',
          points: 2,
          maxPoints: 3,
          checks: [
            { name: 'one', status: 'pass', points: 2, maxPoints: 2, message: '' },
            { name: 'two & <three>', status: 'fail', points: 0, maxPoints: 1, message: 'expected 1, got "2"\nsee' },
          ],
        },
      ],
    },
    { id: 'broken', path: 'subs/broken.ipynb', status: 'error', score: 0, maxScore: 3, messages: ['unreadable: not valid JSON'], feedback: [], durationMs: 0, exercises: [] },
  ],
};

test('grades.csv quotes names with commas and quotes, one column per exercise', () => {
  const lines = gradesCsv(report).trim().split('\n');
  assert.equal(lines[0], 'id,status,score,max_score,a.ipynb:t,messages');
  assert.equal(lines[1].split(',')[0], '"Zoë');
  assert.ok(lines[1].startsWith('"Zoë, ""the"" <best>",graded,2,3,2,'));
  assert.ok(lines[2].startsWith('broken,error,0,3,,unreadable'));
});

test('junit.xml escapes markup and counts failures and errors', () => {
  const xml = junitXml(report);
  assert.match(xml, /<testsuites name="selfsup grades" tests="2" failures="1" errors="0" skipped="0">/);
  assert.match(xml, /<testsuite name="Zoë, &quot;the&quot; &lt;best&gt;"/);
  assert.match(xml, /name="two &amp; &lt;three&gt; \(0\/1\)"><failure message="expected 1, got &quot;2&quot;\nsee"\/>/);
  assert.match(xml, /<testsuite name="broken" tests="0" failures="0" errors="1"/);
  const opened = (xml.match(/<testsuite /g) ?? []).length;
  assert.equal(opened, (xml.match(/<\/testsuite>/g) ?? []).length);
});

test('the Markdown summary has a row per submission', () => {
  const md = markdownSummary(report);
  assert.match(md, /\| Zoë, "the" <best> \| 2 \/ 3 \| graded \|/);
  assert.match(md, /\| broken \| 0 \/ 3 \| error \|/);
  assert.match(md, /❌ fail: expected 1, got "2" see/);
});

test('the GitHub Classroom result is base64 JSON the official reporter reads', () => {
  const line = classroomOutputLine(report);
  assert.match(line, /^result=[A-Za-z0-9+/=]+\n$/);
  const decoded = JSON.parse(Buffer.from(line.slice('result='.length).trim(), 'base64').toString('utf8'));
  assert.deepEqual(decoded, classroomResult(report));
  assert.equal(decoded.version, 1);
  assert.equal(decoded.max_score, 3);
  assert.equal(decoded.status, 'error');
  const t = decoded.tests.find((x) => x.name === 'a.ipynb t')!;
  assert.deepEqual([t.status, t.score, t.max_score], ['fail', 2, 3]);
  assert.match(t.message, /two & <three>: fail/);
});

test('Do NUL bytes and other control characters stay out of every report (issue 15)?', () => {
  const dirty = 'zoë\u0000\u0007\u001b[31m\u0085 done\r\nnext \uD800';
  const report: GradeReport = {
    schema: 'selfsup-grades', schemaVersion: 1, generatedAt: '2026-01-01T00:00:00Z', source: 'src\u0000', maxScore: 1,
    submissions: [{
      id: `a${dirty}`, path: 'p', status: 'graded', score: 0, maxScore: 1, messages: [dirty], feedback: [], durationMs: 1,
      exercises: [{ notebook: 'n.ipynb', gradeId: 'g', status: 'fail', points: 0, maxPoints: 1, checks: [{ name: dirty, status: 'fail', points: 0, maxPoints: 1, message: dirty }] }],
    }],
  };
  const controls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDFFF]/;
  const classroom = Buffer.from(classroomOutputLine(report).slice('result='.length), 'base64').toString('utf8');
  for (const [name, text] of [['csv', gradesCsv(report)], ['junit', junitXml(report)], ['md', markdownSummary(report)], ['classroom', classroom]]) {
    assert.doesNotMatch(text, controls, name);
    assert.match(text, /zoë\[31m done/, `${name} keeps the text`);
    assert.match(text, /next \uFFFD/, `${name}: an unpaired surrogate becomes U+FFFD`);
  }
  assert.equal(cleanText('a\r\nb\rc\td'), 'a\nb\nc\td');
});
