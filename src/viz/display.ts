/**
 * The one place that talks to tslab's display machinery.
 *
 * tslab's public API (`tslab.display.*`, `tslab.newDisplay()`) sends one MIME type per output.
 * A chart needs several in ONE output (vega-lite JSON for JupyterLab, a static SVG for classic
 * Notebook / GitHub / nbconvert, text/plain for terminals), so we call tslab's internal
 * writer instead: `lastWriteDisplayData({ data, metadata, transient }, update)` exported by
 * tslab/dist/jupyter.js (tslab 1.0.22, pinned in package.json). tslab sets that function anew
 * for every execute request, so it is looked up at call time, never cached. `update = true`
 * makes tslab send `update_display_data` instead of `display_data`; `transient.display_id`
 * names the output that an update replaces (it may live in an earlier cell).
 *
 * Outside a kernel (plain Node, tests, scripts) there is no writer: `displayBundle` then prints
 * the bundle's text/plain to stdout, so the same code runs everywhere. Tests inject a writer
 * with `setDisplayWriter` or the `writer` option.
 */
import { randomBytes } from 'crypto';

/** One output's data, keyed by MIME type (e.g. 'image/svg+xml'). Binary types are base64. */
export type MimeBundle = Record<string, unknown>;

/** The message content tslab's writer takes: an output of a Jupyter display_data message. */
export interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

/** tslab's internal writer: `update` true sends update_display_data, else display_data. */
export type DisplayWriter = (message: DisplayMessage, update: boolean) => void;

/** What `displayBundle` did with a bundle: sent it to the kernel, printed it, or failed to send it. */
export type DisplayTarget = 'kernel' | 'stdout' | 'failed';

export interface DisplayBundleOptions {
  /** Identifies an updatable output (Jupyter's transient.display_id). */
  displayId?: string;
  /** Replace the output named by `displayId` instead of adding a new one. */
  update?: boolean;
  /** Per-MIME metadata, e.g. `{ 'image/png': { width: 256 } }`. */
  metadata?: Record<string, unknown>;
  /** Writer to use instead of tslab's (null: behave as outside a kernel). */
  writer?: DisplayWriter | null;
  /** Where text/plain goes outside a kernel; default process.stdout. Updates are not printed. */
  print?: (text: string) => void;
}

let injectedWriter: DisplayWriter | null | undefined;

/**
 * Replace the writer for every viz output (tests, or a custom front end). `undefined` restores
 * the automatic tslab lookup; `null` forces "not in a kernel".
 */
export function setDisplayWriter(writer: DisplayWriter | null | undefined): void {
  injectedWriter = writer;
}

const TSLAB_JUPYTER = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/**
 * The display writer of the running tslab kernel, or null outside one.
 *
 * It only looks at modules already loaded (require.cache), so plain Node never pays for
 * loading tslab (its jupyter module pulls in a TypeScript compiler), and a kernel started from
 * a tslab other than the one next to selfsup is still found.
 */
export function findDisplayWriter(): DisplayWriter | null {
  if (injectedWriter !== undefined) return injectedWriter;
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!TSLAB_JUPYTER.test(file) || !mod) continue;
    const write = (mod.exports as { lastWriteDisplayData?: unknown }).lastWriteDisplayData;
    if (typeof write === 'function') return write as DisplayWriter;
  }
  return null;
}

/**
 * Emit one output holding several MIME types. In a tslab kernel this is a display_data (or
 * update_display_data) message; elsewhere the text/plain part is printed (updates are not,
 * so a live chart does not flood a terminal) and 'stdout' is returned.
 *
 * A writer that throws (a kernel whose channel is gone, a broken custom writer) never throws
 * into the caller's cell: the output is dropped, 'failed' is returned, and the first such
 * failure is reported once on stderr.
 *
 * @example
 * displayBundle({ 'text/plain': 'hello', 'text/html': '<b>hello</b>' });
 */
export function displayBundle(data: MimeBundle, options: DisplayBundleOptions = {}): DisplayTarget {
  const writer = options.writer !== undefined ? options.writer : findDisplayWriter();
  if (writer) {
    const transient = options.displayId !== undefined ? { display_id: options.displayId } : {};
    try {
      writer({ data, metadata: options.metadata ?? {}, transient }, options.update === true);
    } catch (e) {
      reportSendFailure(e);
      return 'failed';
    }
    return 'kernel';
  }
  if (!options.update) {
    const text = typeof data['text/plain'] === 'string' ? (data['text/plain'] as string) : '';
    const print = options.print ?? ((s: string) => process.stdout.write(s + '\n'));
    if (text) print(text);
  }
  return 'stdout';
}

let sendFailuresReported = 0;

/** Say once per process that an output could not be sent; never throws itself. */
function reportSendFailure(e: unknown): void {
  if (sendFailuresReported++ > 0) return;
  try {
    const why = e instanceof Error ? e.message : String(e);
    process.stderr.write(`selfsup: a notebook output could not be sent and was dropped (${why}); later failures are not reported.\n`);
  } catch {
    // nowhere left to report to
  }
}

/** An output that can be shown once and then replaced in place. */
export interface DisplayHandle {
  /** The Jupyter display_id shared by the first output and its updates. */
  readonly id: string;
  /**
   * Show `data`. The first call adds the output at once; later calls replace it, at most once
   * every `minIntervalMs`: a call that comes sooner is held back, a newer call replaces the one
   * held back (the latest state wins), and it is sent when the interval has passed. Returns
   * 'kernel' for a held-back update.
   */
  show(data: MimeBundle): DisplayTarget;
  /** Send a held-back update now (a final state that must not wait). */
  flush(): void;
}

export interface DisplayHandleOptions extends Omit<DisplayBundleOptions, 'displayId' | 'update'> {
  /** Least time between two updates sent to the kernel; default 100 ms (10 a second). */
  minIntervalMs?: number;
  /** Clock in milliseconds; default Date.now (tests). */
  now?: () => number;
}

/**
 * A handle for an updatable output: the first `show` adds it, later calls replace it in place
 * (also from later cells), coalesced to at most one update every `minIntervalMs`, so a loop
 * may call `show` as often as it likes. Outside a kernel only the first `show` prints its
 * text/plain.
 *
 * @example
 * const h = newDisplayHandle();
 * for (let i = 0; i <= 10000; i++) h.show({ 'text/plain': `step ${i}` }); // a few updates reach the notebook
 * h.flush(); // and the last one always does
 */
export function newDisplayHandle(options: DisplayHandleOptions = {}): DisplayHandle {
  const { minIntervalMs = 100, now = Date.now, ...bundleOptions } = options;
  if (!(Number.isFinite(minIntervalMs) && minIntervalMs >= 0)) {
    throw new Error(`Error in newDisplayHandle: minIntervalMs must be a non-negative number, but got ${minIntervalMs}`);
  }
  const id = randomBytes(8).toString('hex');
  let shown = false;
  let lastSent = -Infinity;
  let held: MimeBundle | null = null;
  let timer: NodeJS.Timeout | null = null;

  const send = (data: MimeBundle): DisplayTarget => {
    const target = displayBundle(data, { ...bundleOptions, displayId: id, update: shown });
    shown = true;
    lastSent = now();
    return target;
  };
  const sendHeld = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (held === null) return;
    const data = held;
    held = null;
    send(data);
  };
  return {
    id,
    show(data: MimeBundle): DisplayTarget {
      if (!shown) return send(data);
      const writer = bundleOptions.writer !== undefined ? bundleOptions.writer : findDisplayWriter();
      if (!writer) return 'stdout'; // updates are never printed outside a kernel
      const wait = lastSent + minIntervalMs - now();
      if (wait <= 0 && held === null) return send(data);
      held = data;
      if (!timer) {
        timer = setTimeout(sendHeld, Math.max(0, wait));
        timer.unref?.();
      }
      return 'kernel';
    },
    flush: sendHeld,
  };
}
