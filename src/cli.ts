#!/usr/bin/env node
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { installSignalCleanup } from './jupyter/kernel-session';
import { readNotebook, writeNotebook } from './jupyter/notebook';
import { runNotebook, summarizeRun } from './jupyter/run-notebook';
import { installKernel, setup } from './jupyter/setup';
import { startLab } from './jupyter/lab';

const USAGE = `Usage: selfsup <command> [options]

Commands:
  run <notebook.ipynb...>   execute notebooks headlessly in the tslab kernel
      --out DIR             write the executed notebooks (with outputs) into DIR
      --timeout SECONDS     per-cell time limit (default 600)
      --env K=V             set an environment variable in the kernel (repeatable),
                            e.g. --env SELFSUP_QUICK=1 for a quick run
  lab [jupyter args...]     start JupyterLab (or classic Notebook) on notebooks/
  kernel install [--user | --prefix DIR]
                            register the tslab kernelspec (default: this checkout's .jupyter/)
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

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'lab':
      return startLab(rest);
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

