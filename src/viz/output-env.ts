/**
 * Where live output (progress bars, live charts) goes: a notebook (updatable displays), a
 * terminal (one line redrawn with \r) or a log (occasional plain lines, for CI). Everything is
 * injectable so tests can fake the kernel, the terminal and the clock.
 */
import { findDisplayWriter, DisplayWriter } from './display';

export type OutputMode = 'notebook' | 'tty' | 'lines';

export interface OutputEnv {
  /** tslab's display writer; null outside a kernel. */
  writer: DisplayWriter | null;
  /** Is stdout an interactive terminal? */
  isTTY: boolean;
  /** Running in CI (the CI environment variable is set and not "false" or "0")? */
  ci: boolean;
  /** Raw text output for terminal and log modes; default process.stdout.write. */
  write: (text: string) => void;
  /** Clock in milliseconds; default Date.now. */
  now: () => number;
}

/** The real environment, with `overrides` taking precedence (tests pass fakes here). */
export function detectOutputEnv(overrides: Partial<OutputEnv> = {}): OutputEnv {
  const ciVar = process.env.CI;
  return {
    writer: overrides.writer !== undefined ? overrides.writer : findDisplayWriter(),
    isTTY: overrides.isTTY ?? process.stdout.isTTY === true,
    ci: overrides.ci ?? (ciVar !== undefined && ciVar !== '' && ciVar !== 'false' && ciVar !== '0'),
    write: overrides.write ?? ((text: string) => void process.stdout.write(text)),
    now: overrides.now ?? Date.now,
  };
}

/** A kernel wins; otherwise a TTY outside CI redraws in place; anything else prints lines. */
export function outputMode(env: OutputEnv): OutputMode {
  if (env.writer) return 'notebook';
  if (env.isTTY && !env.ci) return 'tty';
  return 'lines';
}
