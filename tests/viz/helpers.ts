import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import * as vl from 'vega-lite';
import type { DisplayMessage, DisplayWriter } from '../../src/viz';

/** A fake tslab writer that records every message. */
export function captureWriter(): { writer: DisplayWriter; messages: { message: DisplayMessage; update: boolean }[] } {
  const messages: { message: DisplayMessage; update: boolean }[] = [];
  return { writer: (message, update) => messages.push({ message, update }), messages };
}

/** A clock the test moves by hand. */
export function fakeClock(start = 0) {
  let t = start;
  return { now: () => t, set: (ms: number) => void (t = ms), advance: (ms: number) => void (t += ms) };
}

/**
 * Parse-ish SVG check: one root <svg> with the given size, tags balanced, and the number of
 * elements per vega aria role description (e.g. 'line mark': one path per series).
 */
export function checkSvg(svg: string, size?: { width: number; height: number }): Record<string, number> {
  assert.match(svg, /^<svg /);
  assert.match(svg, /<\/svg>$/);
  if (size) {
    const head = svg.slice(0, svg.indexOf('>'));
    assert.match(head, new RegExp(`width="${size.width}"`));
    assert.match(head, new RegExp(`height="${size.height}"`));
  }
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (selfClose) continue;
    if (close) assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], 'unclosed tags');
  const roles: Record<string, number> = {};
  for (const m of svg.matchAll(/aria-roledescription="([^"]+)"/g)) roles[m[1]] = (roles[m[1]] ?? 0) + 1;
  return roles;
}

/** Run `fn` twice and assert the second call leaves tf.memory().numTensors unchanged. */
export async function assertNoLeak(fn: () => unknown | Promise<unknown>): Promise<void> {
  await fn();
  const before = tf.memory().numTensors;
  await fn();
  assert.equal(tf.memory().numTensors, before, 'leaked tensors');
}

/** Compile a vega-lite spec, failing on any warning or error; returns the vega spec. */
export function compileVegaLite(spec: unknown): unknown {
  const problems: string[] = [];
  const logger = {
    level: () => logger,
    warn: (...a: unknown[]) => (problems.push(a.join(' ')), logger),
    error: (...a: unknown[]) => (problems.push(a.join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  const out = vl.compile(spec as vl.TopLevelSpec, { logger: logger as never });
  assert.deepEqual(problems, [], 'vega-lite warnings');
  return out.spec;
}
