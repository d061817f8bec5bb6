import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { KernelSession, type Clock, type SpawnProcess } from '../../src/jupyter/kernel-session';
import type { KernelSpec } from '../../src/jupyter/kernelspec';
import { procTable, processTree, type ProcessTable } from '../../src/jupyter/process-tree';
import { isRunning } from '../helpers/notebooks';

// KernelSession with its side effects injected (issue #13): a "kernel" that never answers, a
// recording spawn, a clock that runs fast, a process table with made-up memory figures.

/** A kernelspec whose process runs `script` (node) and never speaks the Jupyter protocol. */
const silent = (script: string): KernelSpec => ({
  argv: [process.execPath, '-e', script, '{connection_file}'],
  display_name: 'silent',
  language: 'none',
});

function recordingSpawn(): { spawn: SpawnProcess; children: ChildProcess[]; argvs: string[][] } {
  const children: ChildProcess[] = [];
  const argvs: string[][] = [];
  return {
    children,
    argvs,
    spawn: (command, args, options) => {
      argvs.push([command, ...args]);
      const child = spawn(command, args, options);
      children.push(child);
      return child;
    },
  };
}

/** Processes whose command line holds `marker`. */
function withMarker(marker: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((e) => {
      try {
        return fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('Does start-up give up on the injected clock, without waiting that long in real time, and stop the process?', async () => {
  let now = 0;
  const clock: Clock = {
    now: () => (now += 5_000), // every reading is 5 s later
    setTimeout: (fn) => setTimeout(fn, 1),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
  const recorder = recordingSpawn();
  const started = Date.now();
  await assert.rejects(
    KernelSession.start({ spec: silent('setInterval(() => {}, 1000)'), clock, spawn: recorder.spawn, startupTimeoutMs: 60_000 }),
    /The silent kernel did not answer within 60 s of starting/,
  );
  assert.ok(Date.now() - started < 10_000, `gave up after ${Date.now() - started} ms of real time`);
  assert.equal(recorder.children.length, 1, 'the injected spawn started the kernel');
  assert.match(recorder.argvs[0][recorder.argvs[0].length - 1], /selfsup-kernel-.*kernel\.json$/, 'the connection file is filled in');
  // (the fake clock's 5 s grace for the exit is 1 ms of real time: wait for the kill to land)
  const child = recorder.children[0];
  const signal = child.exitCode !== null || child.signalCode !== null ? child.signalCode : await new Promise((r) => child.once('exit', (_code, sig) => r(sig)));
  assert.equal(signal, 'SIGKILL');
});

test('Does the memory limit count the kernel and the processes it started together, and stop them all (even one that left the process group)?', async () => {
  const marker = `selfsup-memory-test-${process.pid}-${Date.now()}`;
  // The kernel starts a child in its own session (setsid), then idles. Each process "uses" 40 MB:
  // neither alone is over 60 MB, the two together are.
  const script = `require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000) // ${marker}'], { detached: true, stdio: 'ignore' }); setInterval(() => {}, 1000);`;
  const table: ProcessTable = {
    list: () => new Map([...procTable.list()].map(([pid, p]) => [pid, { ...p, rssBytes: 40 * 1024 * 1024 }])),
  };
  const recorder = recordingSpawn();
  await assert.rejects(
    KernelSession.start({ spec: silent(script), spawn: recorder.spawn, processTable: table, memoryLimitMb: 60, memoryPollMs: 50, startupTimeoutMs: 30_000 }),
    /exited during start-up \(stopped by the grader: out of memory, it used 80 MB with the processes it started, over the limit of 60 MB/,
  );
  assert.equal(isRunning(recorder.children[0].pid!), false);
  for (let i = 0; i < 20 && withMarker(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(withMarker(marker), [], 'the child in its own session was stopped too');
});

test('Does processTree list a process and its descendants, parents first, and nothing else?', () => {
  const rows: Array<[number, number]> = [[10, 1], [11, 10], [12, 10], [13, 11], [20, 1], [21, 20]];
  const table: ProcessTable = { list: () => new Map(rows.map(([pid, ppid]) => [pid, { ppid, rssBytes: pid }])) };
  assert.deepEqual(processTree(10, table).map((p) => p.pid), [10, 11, 12, 13]);
  assert.deepEqual(processTree(10, table).reduce((s, p) => s + p.rssBytes, 0), 10 + 11 + 12 + 13);
  assert.deepEqual(processTree(99, table), [], 'a process that is gone has no tree');
  assert.ok(processTree(process.pid).some((p) => p.pid === process.pid && p.rssBytes > 1024 * 1024), 'the real table reads this process');
});
