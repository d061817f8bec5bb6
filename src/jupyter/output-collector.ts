/**
 * One cell's outputs as the kernel publishes them on iopub, gathered into nbformat 4 outputs:
 * consecutive stream chunks of the same name merged, `update_display_data` applied to every
 * output with that display_id, `clear_output` (at once, or with `wait` before the next output),
 * and stream text capped so a runaway print loop cannot exhaust memory.
 */
import type { ErrorOutput, Output } from './notebook';

export class OutputCollector {
  readonly outputs: Output[] = [];
  /** Stream bytes dropped over the cap. */
  droppedBytes = 0;
  private readonly byDisplayId = new Map<string, Output[]>();
  private clearOnNext = false;
  private streamBytes = 0;

  /** @param maxStreamBytes - stream text kept at most (later text is counted in droppedBytes); onOutput sees every new piece. */
  constructor(readonly maxStreamBytes = 4 * 1024 * 1024, private readonly onOutput?: (output: Output) => void) {}

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
        const output = this.add({ output_type: 'display_data', data: c.data ?? {}, metadata: c.metadata ?? {} });
        const id = c.transient?.display_id;
        if (id) this.byDisplayId.set(id, [...(this.byDisplayId.get(id) ?? []), output]);
        break;
      }
      case 'update_display_data': {
        const id = c.transient?.display_id;
        for (const output of (id && this.byDisplayId.get(id)) || []) {
          if (output.output_type === 'display_data') {
            output.data = c.data ?? {};
            output.metadata = c.metadata ?? {};
          }
        }
        break;
      }
      case 'execute_result':
        this.add({ output_type: 'execute_result', execution_count: c.execution_count ?? null, data: c.data ?? {}, metadata: c.metadata ?? {} });
        break;
      case 'error':
        this.add({ output_type: 'error', ename: c.ename, evalue: c.evalue, traceback: c.traceback ?? [] });
        break;
      case 'clear_output':
        if (c.wait) this.clearOnNext = true;
        else this.clear();
        break;
      default:
        break;
    }
  }

  /** Append the "N more bytes were dropped" note, if any were. */
  noteDropped(): void {
    if (this.droppedBytes > 0) {
      this.outputs.push({ output_type: 'stream', name: 'stderr', text: `\n[selfsup: ${this.droppedBytes} more bytes of output were dropped; a cell keeps at most ${this.maxStreamBytes} bytes]\n` });
    }
  }

  private add(output: Output): Output {
    if (this.clearOnNext) {
      this.clear();
      this.clearOnNext = false;
    }
    this.outputs.push(output);
    this.onOutput?.(output);
    return output;
  }

  private clear(): void {
    this.outputs.length = 0;
    this.byDisplayId.clear();
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
