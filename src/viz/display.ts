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

/** What `displayBundle` did with a bundle. */
export type DisplayTarget = 'kernel' | 'stdout';

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
 * @example
 * displayBundle({ 'text/plain': 'hello', 'text/html': '<b>hello</b>' });
 */
export function displayBundle(data: MimeBundle, options: DisplayBundleOptions = {}): DisplayTarget {
  const writer = options.writer !== undefined ? options.writer : findDisplayWriter();
  if (writer) {
    const transient = options.displayId !== undefined ? { display_id: options.displayId } : {};
    writer({ data, metadata: options.metadata ?? {}, transient }, options.update === true);
    return 'kernel';
  }
  if (!options.update) {
    const text = typeof data['text/plain'] === 'string' ? (data['text/plain'] as string) : '';
    const print = options.print ?? ((s: string) => process.stdout.write(s + '\n'));
    if (text) print(text);
  }
  return 'stdout';
}

/** An output that can be shown once and then replaced in place. */
export interface DisplayHandle {
  /** The Jupyter display_id shared by the first output and its updates. */
  readonly id: string;
  /** Show `data` (first call: display_data; later calls: update_display_data). */
  show(data: MimeBundle): DisplayTarget;
}

/**
 * A handle for an updatable output: the first `show` adds it, later calls replace it in place
 * (also from later cells). Outside a kernel only the first `show` prints its text/plain.
 */
export function newDisplayHandle(options: Omit<DisplayBundleOptions, 'displayId' | 'update'> = {}): DisplayHandle {
  const id = randomBytes(8).toString('hex');
  let shown = false;
  return {
    id,
    show(data: MimeBundle): DisplayTarget {
      const target = displayBundle(data, { ...options, displayId: id, update: shown });
      shown = true;
      return target;
    },
  };
}
