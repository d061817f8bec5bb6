import { spawn } from 'node:child_process';

/**
 * Runs an external command to completion and resolves with its stdout; rejects (with stderr in
 * the message) when it exits non-zero. Injected wherever selfsup shells out, so tests can
 * replace the real program (e.g. `npm pack`) with a function that writes a fixture.
 */
export type CommandRunner = (command: string, args: string[], options: { cwd: string }) => Promise<string>;

/** The default CommandRunner: `child_process.spawn`, no shell except on Windows (npm is npm.cmd there). */
export const runCommand: CommandRunner = (command, args, { cwd }) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, shell: process.platform === 'win32', stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else {
        const tail = stderr.trim().split('\n').slice(-5).join('\n');
        reject(new Error(`${command} ${args.join(' ')} exited with code ${code}${tail ? `:\n${tail}` : ''}`));
      }
    });
  });
