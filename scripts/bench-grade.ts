/**
 * Grading throughput: grades N copies of a notebook with --jobs J and compares the time per
 * notebook with a plain headless run of the same notebook measured in the same process.
 *
 *   npm run bench:grade -- [--notebook FILE] [--copies 20] [--jobs 2] [--sandboxes none,auto]
 *
 * Default notebook: the course's 10.0-getting-started (instructor copy, so every exercise runs).
 * The batch is graded once per sandbox listed (default: unsandboxed, then the one grading uses),
 * so the cost of isolation reads off one run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { grade } from '../src/grader/grade';
import { chooseSandbox, SANDBOX_CHOICES, type SandboxChoice } from '../src/grader/sandbox';
import { readNotebook } from '../src/jupyter/notebook';
import { runNotebook } from '../src/jupyter/run-notebook';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const { values } = parseArgs({
    options: {
      notebook: { type: 'string', default: path.join(root, 'notebooks', '10.0-getting-started.ipynb') },
      copies: { type: 'string', default: '20' },
      jobs: { type: 'string', default: '2' },
      sandboxes: { type: 'string', default: 'none,auto' },
    },
  });
  const sandboxes = values.sandboxes!.split(',') as SandboxChoice[];
  for (const s of sandboxes) if (!SANDBOX_CHOICES.includes(s)) throw new Error(`--sandboxes expects a comma-separated list of ${SANDBOX_CHOICES.join(', ')}, got "${s}"`);
  const copies = Number(values.copies);
  const jobs = Number(values.jobs);
  const notebook = path.resolve(values.notebook!);
  // inside the checkout, so that kernels resolve 'selfsup' from the notebooks' folder
  fs.mkdirSync(path.join(root, 'build'), { recursive: true });
  const work = fs.mkdtempSync(path.join(root, 'build', 'bench-grade-'));
  try {
    const source = path.join(work, 'source');
    fs.mkdirSync(source);
    fs.copyFileSync(notebook, path.join(source, path.basename(notebook)));
    const subs: string[] = [];
    for (let i = 0; i < copies; i++) {
      const dir = path.join(work, 'subs', `student-${String(i + 1).padStart(2, '0')}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(notebook, path.join(dir, path.basename(notebook)));
      subs.push(dir);
    }
    console.log(`bench:grade — ${copies} copies of ${path.relative(root, notebook)}, --jobs ${jobs}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);

    // Baseline: a plain headless run (kernel start + cells), twice before grading and once after
    // (the machine is shared: keep the fastest).
    const plain: number[] = [];
    const plainRun = async () => {
      const t = Date.now();
      const run = await runNotebook(readNotebook(notebook), { cwd: path.dirname(notebook), env: { SELFSUP_QUICK: '1' } });
      if (!run.ok) throw new Error('the notebook does not run cleanly; fix it before benchmarking grading');
      plain.push((Date.now() - t) / 1000);
    };
    await plainRun();
    await plainRun();

    const batches: Array<{ sandbox: string; wall: number; graded: number; median: number; full: number }> = [];
    for (const choice of sandboxes) {
      const sandbox = chooseSandbox(choice).kind;
      const started = Date.now();
      const report = await grade({ source, submissions: subs, out: path.join(work, `grades-${sandbox}`), jobs, sandbox });
      const wall = (Date.now() - started) / 1000;
      const perSubmission = report.submissions.map((s) => s.durationMs / 1000).sort((a, b) => a - b);
      batches.push({
        sandbox,
        wall,
        graded: report.submissions.filter((s) => s.status === 'graded').length,
        median: perSubmission[Math.floor(perSubmission.length / 2)],
        full: report.submissions.filter((s) => s.score === s.maxScore).length,
      });
    }
    await plainRun();
    const baseline = Math.min(...plain);

    const rows: Array<[string, string]> = [
      ['baseline: one plain headless run (selfsup run), serial', `${baseline.toFixed(1)} s  (fastest of ${plain.map((p) => p.toFixed(1)).join(', ')})`],
    ];
    for (const { sandbox, wall, graded, median, full } of batches) {
      const perNotebook = wall / graded;
      rows.push(
        [`[sandbox ${sandbox}] batch wall time (incl. one reference run)`, `${wall.toFixed(1)} s`],
        [`[sandbox ${sandbox}] wall time per notebook`, `${perNotebook.toFixed(1)} s  (${(perNotebook / baseline).toFixed(2)}× the baseline; ideal with ${jobs} jobs on ${os.cpus().length} cores: ${(1 / Math.min(jobs, os.cpus().length)).toFixed(2)}×)`],
        [`[sandbox ${sandbox}] median time one submission took`, `${median.toFixed(1)} s  (${(median / baseline).toFixed(2)}× the baseline; kernels share the cores)`],
        [`[sandbox ${sandbox}] throughput`, `${((graded / wall) * 60).toFixed(1)} notebooks/min vs ${(60 / baseline).toFixed(1)} for serial plain runs`],
        [`[sandbox ${sandbox}] graded / with full marks`, `${graded} / ${full} of ${copies}`],
      );
    }
    if (batches.length > 1) {
      const first = batches[0];
      for (const b of batches.slice(1)) {
        rows.push([`isolation cost: ${b.sandbox} vs ${first.sandbox}, wall time per notebook`, `${(b.wall / b.graded / (first.wall / first.graded)).toFixed(2)}×`]);
      }
    }
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
