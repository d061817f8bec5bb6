/**
 * One cell's outputs as the kernel publishes them on iopub, gathered into nbformat 4 outputs:
 * consecutive stream chunks of the same name merged, `update_display_data` applied to every
 * output with that display_id, `clear_output` (at once, or with `wait` before the next output),
 * and every kind of output capped so a runaway print or display loop cannot exhaust memory or
 * make a notebook too large to write: stream text (default 4 MB per cell), rich outputs
 * (display_data, execute_result; default 16 MB per cell, a single output over it dropped whole)
 * and error texts (each evalue and traceback line cut at 8,000 characters, at most 100 lines).
 * What was dropped is counted and noted at the end of the cell's outputs.
 */
import type { ErrorOutput, Output } from './notebook';

/** Characters kept of an error's evalue and of each traceback line, and traceback lines kept. */
export const MAX_ERROR_CHARS = 8000;
export const MAX_TRACEBACK_LINES = 100;

/** The size of an output's payload in bytes (UTF-8 of its strings; JSON for other values); Infinity when it cannot be measured. */
export function outputBytes(output: Output): number {
  try {
    switch (output.output_type) {
      case 'stream':
        return Buffer.byteLength(String(output.text));
      case 'error':
        return Buffer.byteLength(String(output.evalue)) + output.traceback.reduce((s, l) => s + Buffer.byteLength(String(l)), 0);
      default:
        return Object.values(output.data ?? {}).reduce<number>((s, v) => s + (typeof v === 'string' ? Buffer.byteLength(v) : Buffer.byteLength(JSON.stringify(v) ?? '')), 0);
    }
  } catch {
    return Infinity; // e.g. "Invalid string length" for a value too large to serialise
  }
}

export class OutputCollector {
  readonly outputs: Output[] = [];
  /** Stream bytes dropped over the cap. */
  droppedBytes = 0;
  /** Rich outputs (display_data, execute_result, display updates) dropped over the cap, and their bytes. */
  droppedDisplays = 0;
  droppedDisplayBytes = 0;
  /** Error outputs whose text was cut. */
  truncatedErrors = 0;
  private readonly byDisplayId = new Map<string, Output[]>();
  private readonly displaySizes = new Map<Output, number>();
  private clearOnNext = false;
  private streamBytes = 0;
  private displayBytes = 0;

  /**
   * @param maxStreamBytes - stream text kept at most (later text is counted in droppedBytes)
   * @param onOutput - sees every new piece that is kept
   * @param maxDisplayBytes - rich output kept at most (an output that would pass it is dropped whole)
   */
  constructor(
    readonly maxStreamBytes = 4 * 1024 * 1024,
    private readonly onOutput?: (output: Output) => void,
    readonly maxDisplayBytes = 16 * 1024 * 1024,
  ) {}

  /** Handle one iopub message of the cell (`status` and unknown types are ignored). */
  handle(msgType: string, content: Record<string, any>): void {
    const c = content;
    switch (msgType) {
      case 'stream': {
        const size = Buffer.byteLength(String(c.text));
        if (this.streamBytes + size > this.maxStreamBytes) {
          this.droppedBytes += size;
          break;
        }
        this.streamBytes += size;
        const last = this.outputs[this.outputs.length - 1];
        if (!this.clearOnNext && last && last.output_type === 'stream' && last.name === c.name) {
          last.text = String(last.text) + c.text;
          this.onOutput?.({ output_type: 'stream', name: c.name, text: c.text });
        } else {
          this.add({ output_type: 'stream', name: c.name, text: String(c.text) });
        }
        break;
      }
      case 'display_data': {
        const candidate: Output = { output_type: 'display_data', data: c.data ?? {}, metadata: c.metadata ?? {} };
        const size = this.fits(candidate, 0);
        if (size === null) break;
        const output = this.add(candidate, size);
        const id = c.transient?.display_id;
        if (id) this.byDisplayId.set(id, [...(this.byDisplayId.get(id) ?? []), output]);
        break;
      }
      case 'update_display_data': {
        const id = c.transient?.display_id;
        for (const output of (id && this.byDisplayId.get(id)) || []) {
          if (output.output_type === 'display_data') {
            const updated: Output = { output_type: 'display_data', data: c.data ?? {}, metadata: c.metadata ?? {} };
            const old = this.displaySizes.get(output) ?? 0;
            const size = this.fits(updated, old);
            if (size === null) continue;
            this.displayBytes += size - old;
            this.displaySizes.set(output, size);
            output.data = updated.data;
            output.metadata = updated.metadata;
          }
        }
        break;
      }
      case 'execute_result': {
        const candidate: Output = { output_type: 'execute_result', execution_count: c.execution_count ?? null, data: c.data ?? {}, metadata: c.metadata ?? {} };
        const size = this.fits(candidate, 0);
        if (size !== null) this.add(candidate, size);
        break;
      }
      case 'error':
        this.add(this.capError({ output_type: 'error', ename: String(c.ename ?? 'Error'), evalue: String(c.evalue ?? ''), traceback: Array.isArray(c.traceback) ? c.traceback : [] }));
        break;
      case 'clear_output':
        if (c.wait) this.clearOnNext = true;
        else this.clear();
        break;
      default:
        break;
    }
  }

  /** Append the notes saying what was dropped or cut, if anything was. */
  noteDropped(): void {
    if (this.droppedBytes > 0) {
      this.outputs.push({ output_type: 'stream', name: 'stderr', text: `\n[selfsup: ${this.droppedBytes} more bytes of output were dropped; a cell keeps at most ${this.maxStreamBytes} bytes]\n` });
    }
    if (this.droppedDisplays > 0) {
      const size = Number.isFinite(this.droppedDisplayBytes) ? `${this.droppedDisplayBytes} bytes` : 'too large to measure';
      this.outputs.push({
        output_type: 'stream',
        name: 'stderr',
        text: `\n[selfsup: ${this.droppedDisplays} display output(s) were dropped (${size}); a cell keeps at most ${this.maxDisplayBytes} bytes of displays and results]\n`,
      });
    }
    if (this.truncatedErrors > 0) {
      this.outputs.push({ output_type: 'stream', name: 'stderr', text: `\n[selfsup: ${this.truncatedErrors} error message(s) were cut to ${MAX_ERROR_CHARS} characters per line and ${MAX_TRACEBACK_LINES} lines]\n` });
    }
  }

  /** The size of a rich output if it may replace one of `replacing` bytes; null (and counted as dropped) if it would pass the cap. */
  private fits(output: Output, replacing: number): number | null {
    const size = outputBytes(output);
    const base = this.clearOnNext && replacing === 0 ? 0 : this.displayBytes - replacing;
    if (base + size > this.maxDisplayBytes) {
      this.droppedDisplays++;
      this.droppedDisplayBytes += size;
      return null;
    }
    return size;
  }

  private capError(error: Output & { output_type: 'error' }): Output {
    const cut = (s: unknown) => {
      const text = String(s);
      return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}… [${text.length - MAX_ERROR_CHARS} more characters]` : text;
    };
    const evalue = cut(error.evalue);
    const traceback = error.traceback.slice(0, MAX_TRACEBACK_LINES).map(cut);
    if (error.traceback.length > MAX_TRACEBACK_LINES) traceback.push(`… [${error.traceback.length - MAX_TRACEBACK_LINES} more lines]`);
    if (evalue !== error.evalue || traceback.some((l, i) => l !== error.traceback[i]) || traceback.length !== error.traceback.length) this.truncatedErrors++;
    return { ...error, evalue, traceback };
  }

  /** @param size - bytes of a rich output (counted against its cap) */
  private add(output: Output, size = 0): Output {
    if (this.clearOnNext) {
      this.clear();
      this.clearOnNext = false;
    }
    this.outputs.push(output);
    if (size > 0) {
      this.displayBytes += size;
      this.displaySizes.set(output, size);
    }
    this.onOutput?.(output);
    return output;
  }

  private clear(): void {
    this.outputs.length = 0;
    this.byDisplayId.clear();
    this.displaySizes.clear();
    this.displayBytes = 0;
  }
}

/**
 * Turn tslab's stderr text for a failed cell into nbformat's error fields. tslab prints the full
 * error to stderr (already in the cell's outputs), so the traceback is kept to one line.
 */
export function errorFromStderr(stderr: string): ErrorOutput {
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const typeError = lines.find((l) => /^(\S+ )?\d+:\d+ - /.test(l));
  let ename = 'Error';
  let evalue: string;
  if (typeError) {
    ename = 'TypeScriptError';
    evalue = typeError.replace(/^\S+ (?=\d+:\d+ - )/, '');
  } else {
    const thrown = lines.find((l) => /^[\w$]*(Error|Exception)(:|$)/.test(l)) ?? lines[0] ?? 'the cell failed';
    const m = /^([A-Za-z_$][\w$]*):\s?(.*)$/.exec(thrown);
    if (m) [ename, evalue] = [m[1], m[2]];
    else evalue = thrown;
  }
  return { output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] };
}
