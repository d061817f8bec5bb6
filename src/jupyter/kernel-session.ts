/**
 * A running kernel, driven over the Jupyter messaging protocol. Why this file is long (about
 * 700 lines): it is one state machine over one child process and its four sockets (launch,
 * readiness, execute with tslab's abort-and-retry, timeout -> interrupt -> kill, death
 * reporting, the memory watch, cleanup on every exit path), and its pieces share that private
 * state. What does not need it lives next to it: the wire format (wire.ts), one cell's iopub
 * outputs (output-collector.ts), the kernelspec (kernelspec.ts), the process table
 * (process-tree.ts). Its side effects (spawn, clock, process table) are injectable options.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { findKernelSpec, KERNEL_NAME, type KernelSpec } from './kernelspec';
import type { ErrorOutput, Output } from './notebook';
import { createMessage, decodeMessage, encodeMessage, type JupyterMessage } from './wire';
import { errorFromStderr, OutputCollector } from './output-collector';
import { procTable, processTree, type ProcessTable } from './process-tree';

/** How one cell ended. */
export type CellStatus = 'ok' | 'error' | 'timeout' | 'dead';

/** What executing one cell produced. */
export interface CellResult {
  status: CellStatus;
  /** The kernel's execution counter for this cell (null when the kernel never answered). */
  executionCount: number | null;
  /** nbformat 4 outputs, in order, with display updates applied. */
  outputs: Output[];
  /** Set for every status but 'ok': what went wrong, in nbformat's error shape. */
  error?: ErrorOutput;
  durationMs: number;
}

/** Time as the session sees it; injected so tests can replace it. */
export interface Clock {
  now(): number;
  /** Call `fn` after `ms`; the handle may have `unref()` (Node's timers do). */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock: Date.now and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Starts the kernel process (node:child_process's spawn by default); injected so tests can replace it. */
export type SpawnProcess = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface KernelSessionOptions {
  /** Kernelspec name to look up (default 'tslab'); ignored when `spec` is given. */
  kernelName?: string;
  /** Use this kernelspec instead of looking one up. */
  spec?: KernelSpec;
  /** Working directory of the kernel process (notebooks run in their own folder). */
  cwd?: string;
  /** Extra environment variables for the kernel (added to this process's environment). */
  env?: Record<string, string | undefined>;
  /** How long the kernel may take to answer its first kernel_info request (default 60 s). */
  startupTimeoutMs?: number;
  /** After a timed-out cell is interrupted, how long to wait before killing the kernel (default 3 s). */
  interruptGraceMs?: number;
  /** Written to the kernel's stdin at every start, which is then closed (the grader hands its run secret over this way). */
  stdin?: string;
  /**
   * Talk to the kernel over Unix sockets in this folder instead of TCP on 127.0.0.1, so that it
   * can run without a network (the bubblewrap sandbox). The folder must be writable by both.
   */
  ipcDir?: string;
  /**
   * Memory limit in MB for the kernel and every process it started, together (resident memory,
   * sampled every `memoryPollMs`): over it, the kernel is stopped and the cell reported as dead,
   * out of memory. Linux only (read from /proc); elsewhere no limit. Default none.
   */
  memoryLimitMb?: number;
  /** How often resident memory is sampled for `memoryLimitMb` (default 100 ms). */
  memoryPollMs?: number;
  /** Starts the kernel process (default node:child_process's spawn). */
  spawn?: SpawnProcess;
  /** Time and timers (default the system clock). */
  clock?: Clock;
  /** The process table read for the memory limit and for ending a kernel's processes (default /proc). */
  processTable?: ProcessTable;
}

export interface ExecuteOptions {
  /** Per-cell time limit; 0 or undefined means none. */
  timeoutMs?: number;
  /** Called for every output as it arrives (e.g. to echo streams to a terminal). */
  onOutput?: (output: Output) => void;
  /** Stream text kept per cell (default 4 MB); the rest is dropped with a note, so a cell that prints gigabytes cannot exhaust memory. */
  maxStreamBytes?: number;
}

interface Connection {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

interface PendingExecution {
  msgId: string;
  collector: OutputCollector;
  reply: Record<string, any> | null;
  idle: boolean;
  settle: () => void;
}

const live = new Set<KernelSession>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: never leave a kernel behind when this process exits for any reason.
  process.on('exit', () => {
    for (const session of live) session.killNow();
  });
}

/**
 * Kill every running kernel and exit on Ctrl-C / SIGTERM. For command-line tools; a library
 * user keeps control of their own signals.
 */
export function installSignalCleanup(): void {
  installExitHook();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const session of live) session.killNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** How long a failed cell's kernel is watched for an exit before the failure is reported. */
const EXIT_GRACE_MS = 250;
/** How long the idle status may lag behind a cell's execute_reply before the cell is ended without it. */
const IDLE_AFTER_REPLY_MS = 10_000;

function tail(text: string, max = 4000): string {
  return text.length > max ? text.slice(text.length - max) : text;
}

/**
 * A running Jupyter kernel, driven over the Jupyter messaging protocol (ZeroMQ: shell, iopub,
 * control and heartbeat channels; HMAC-SHA256 signed messages).
 *
 * - `execute` runs one cell and returns its outputs in nbformat 4 shape. When tslab answers
 *   "abort" (it does for 200 ms after any failed cell), the request is sent again, so a failed
 *   cell never silently skips the next one.
 * - A cell that exceeds its time limit is interrupted; if the kernel does not come back (a busy
 *   loop in Node ignores SIGINT), the kernel is killed and the cell reported as 'timeout'.
 * - A kernel that exits or crashes mid-cell is reported as 'dead', with its exit code and the
 *   last thing it printed; never as a hang.
 * - Kernels are killed and their connection files removed on `shutdown()`, and when this process
 *   exits for any reason.
 *
 * @example
 * const kernel = await KernelSession.start({ cwd: 'notebooks' });
 * const result = await kernel.execute('console.log(1 + 1)', { timeoutMs: 60_000 });
 * await kernel.shutdown();
 */
export class KernelSession {
  readonly spec: KernelSpec;
  readonly options: KernelSessionOptions;
  private child: ChildProcess | null = null;
  private tmpDir: string | null = null;
  private conn: Connection | null = null;
  private shell: zmq.Dealer | null = null;
  private control: zmq.Dealer | null = null;
  private iopub: zmq.Subscriber | null = null;
  private hb: zmq.Request | null = null;
  private readonly sessionId = randomUUID();
  private pending: PendingExecution | null = null;
  private replyWaiters = new Map<string, (msg: JupyterMessage) => void>();
  private iopubSeen = false;
  private output = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exitWaiters: Array<() => void> = [];
  private killedByUs = false;
  /** Set when the memory watch stopped the kernel. */
  private memoryStop: { usedMb: number; limitMb: number } | null = null;
  private memoryTimer: unknown = null;
  private readonly clock: Clock;

  private constructor(spec: KernelSpec, options: KernelSessionOptions) {
    this.spec = spec;
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  /** Start a kernel and wait until it answers kernel_info on shell and publishes on iopub. */
  static async start(options: KernelSessionOptions = {}): Promise<KernelSession> {
    const spec = options.spec ?? findKernelSpec(options.kernelName ?? KERNEL_NAME).spec;
    const session = new KernelSession(spec, options);
    await session.launch();
    return session;
  }

  /** True while the kernel process is running. */
  get alive(): boolean {
    return this.child !== null && this.exitInfo === null;
  }

  /** The kernel process id (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid ?? undefined;
  }

  /** The connection file path while the kernel runs. */
  get connectionFile(): string | null {
    return this.tmpDir ? path.join(this.tmpDir, 'kernel.json') : null;
  }

  private async launch(): Promise<void> {
    installExitHook();
    // ipc: Unix sockets named <ipcDir>/kernel-<random>:<n> (Jupyter's ipc naming), for a kernel without a network
    const ipc = this.options.ipcDir ? path.join(this.options.ipcDir, `kernel-${randomBytes(4).toString('hex')}`) : null;
    const [shell, iopub, stdin, control, hb] = ipc ? [1, 2, 3, 4, 5] : await freePorts(5);
    this.conn = {
      transport: ipc ? 'ipc' : 'tcp',
      ip: ipc ?? '127.0.0.1',
      shell_port: shell,
      iopub_port: iopub,
      stdin_port: stdin,
      control_port: control,
      hb_port: hb,
      key: randomBytes(32).toString('hex'),
      signature_scheme: 'hmac-sha256',
      kernel_name: this.options.kernelName ?? KERNEL_NAME,
    };
    this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfsup-kernel-'));
    const connectionFile = path.join(this.tmpDir, 'kernel.json');
    fs.writeFileSync(connectionFile, JSON.stringify(this.conn), { mode: 0o600 });

    const argv = this.spec.argv.map((a) => a.replace('{connection_file}', connectionFile));
    this.output = '';
    this.exitInfo = null;
    this.killedByUs = false;
    this.memoryStop = null;
    const spawn = this.options.spawn ?? nodeSpawn;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: this.options.cwd ?? process.cwd(),
      env: { ...process.env, ...this.spec.env, ...this.options.env } as NodeJS.ProcessEnv,
      stdio: [this.options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group: killing it takes any children along
    });
    this.child = child;
    if (this.options.stdin !== undefined) {
      child.stdin?.on('error', () => undefined); // a kernel that dies at once closes the pipe; its exit is reported
      child.stdin?.end(this.options.stdin);
    }
    live.add(this);
    const capture = (chunk: Buffer) => {
      this.output = tail(this.output + chunk.toString('utf8'), 16_000);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    child.once('error', (err) => {
      this.output += `\n${err.message}`;
      this.onExit(null, null);
    });
    child.once('exit', (code, signal) => this.onExit(code, signal));
    this.watchMemory();

    const addr = (port: number) => `${this.conn!.transport}://${this.conn!.ip}:${port}`;
    this.shell = new zmq.Dealer({ linger: 0 });
    this.control = new zmq.Dealer({ linger: 0 });
    // No receive limit: ZeroMQ drops what overflows a subscriber's queue, and a burst of outputs (thousands
    // of display updates) would otherwise lose the status message that ends a cell.
    this.iopub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
    this.hb = new zmq.Request({ linger: 0, relaxed: true, correlate: true });
    this.shell.connect(addr(shell));
    this.control.connect(addr(control));
    this.iopub.connect(addr(iopub));
    this.iopub.subscribe();
    this.hb.connect(addr(hb));
    void this.readLoop(this.shell, (m) => this.onReply(m));
    void this.readLoop(this.control, (m) => this.onReply(m));
    void this.readLoop(this.iopub, (m) => this.onIopub(m));

    await this.waitUntilReady(this.options.startupTimeoutMs ?? 60_000);
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    let replied = false;
    while (this.clock.now() < deadline) {
      if (!this.alive) {
        const why = this.describeExit();
        await this.cleanup();
        throw new Error(`The ${this.spec.display_name} kernel exited during start-up (${why}).`);
      }
      // Resend until shell answers and iopub delivers: a SUB socket misses what was published
      // before it connected (ZeroMQ's "slow joiner"), so one exchange is not proof.
      const msg = createMessage('kernel_info_request', {}, this.sessionId);
      const reply = this.request(this.shell!, msg, 1000);
      const answer = await reply;
      if (answer) replied = true;
      if (replied && this.iopubSeen) return;
    }
    const tailText = this.output.trim() ? ` Kernel output:\n${tail(this.output, 2000)}` : '';
    await this.killAndWait();
    throw new Error(
      `The ${this.spec.display_name} kernel did not answer within ${Math.round(timeoutMs / 1000)} s of starting.${tailText}`,
    );
  }

  private async readLoop(socket: zmq.Dealer | zmq.Subscriber, handle: (m: JupyterMessage) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: JupyterMessage;
        try {
          message = decodeMessage(frames as Buffer[], this.conn!.key);
        } catch {
          continue; // unsigned or malformed: ignore, as Jupyter clients do
        }
        handle(message);
      }
    } catch {
      // socket closed
    }
  }

  private request(socket: zmq.Dealer, msg: JupyterMessage<unknown>, timeoutMs: number): Promise<JupyterMessage | null> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.replyWaiters.delete(msg.header.msg_id);
        resolve(null);
      }, timeoutMs);
      this.replyWaiters.set(msg.header.msg_id, (reply) => {
        this.clock.clearTimeout(timer);
        this.replyWaiters.delete(msg.header.msg_id);
        resolve(reply);
      });
      socket.send(encodeMessage(msg, this.conn!.key)).catch(() => undefined);
    });
  }

  private onReply(message: JupyterMessage): void {
    const parentId = message.parent_header.msg_id;
    if (!parentId) return;
    const waiter = this.replyWaiters.get(parentId);
    if (waiter) waiter(message);
    const p = this.pending;
    if (p && p.msgId === parentId && message.header.msg_type === 'execute_reply') {
      p.reply = message.content;
      if (p.idle || message.content.status === 'abort') p.settle();
      // The idle status normally follows at once; should it be lost (iopub is lossy by design
      // in ZeroMQ), the reply alone ends the cell after a while instead of hanging the run.
      else (this.clock.setTimeout(() => p.settle(), IDLE_AFTER_REPLY_MS) as { unref?: () => void }).unref?.();
    }
  }

  private onIopub(message: JupyterMessage): void {
    this.iopubSeen = true;
    const p = this.pending;
    if (!p || message.parent_header.msg_id !== p.msgId) return;
    const c = message.content;
    if (message.header.msg_type === 'status') {
      if (c.execution_state === 'idle') {
        p.idle = true;
        if (p.reply) p.settle();
      }
      return;
    }
    p.collector.handle(message.header.msg_type, c);
  }

  /**
   * Sample the resident memory of the kernel and everything it started; over the limit, stop
   * it all. Resident memory, not address space: V8 and wasm reserve far more address space
   * than they touch, so an address-space limit (RLIMIT_AS) stops healthy kernels.
   */
  private watchMemory(): void {
    const limitMb = this.options.memoryLimitMb;
    const pid = this.child?.pid;
    if (!limitMb || !pid) return;
    const table = this.options.processTable ?? procTable;
    const tick = () => {
      this.memoryTimer = null;
      if (this.exitInfo || this.child?.pid !== pid) return;
      const usedBytes = processTree(pid, table).reduce((sum, p) => sum + p.rssBytes, 0);
      if (usedBytes > limitMb * 1024 * 1024) {
        this.memoryStop = { usedMb: Math.round(usedBytes / (1024 * 1024)), limitMb };
        this.killNow();
        return;
      }
      this.memoryTimer = this.clock.setTimeout(tick, this.options.memoryPollMs ?? 100);
      (this.memoryTimer as { unref?: () => void }).unref?.();
    };
    tick();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitInfo) return;
    this.exitInfo = { code, signal };
    if (this.memoryTimer !== null) this.clock.clearTimeout(this.memoryTimer);
    this.memoryTimer = null;
    live.delete(this);
    this.pending?.settle();
    for (const w of this.exitWaiters.splice(0)) w();
  }

  /**
   * "exit code 3" or "killed by SIGKILL", whether it looks like running out of memory, and the
   * last of what it printed (`last`, default the process's own stdout and stderr).
   */
  private describeExit(last: string[] = this.lastLines()): string {
    const e = this.exitInfo;
    if (!e) return 'still running';
    const m = this.memoryStop;
    const how = m
      ? `stopped by the grader: out of memory, it used ${m.usedMb} MB with the processes it started, over the limit of ${m.limitMb} MB`
      : e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
    const oom = /heap out of memory|Reached heap limit|ENOMEM|Cannot allocate memory/i.test(this.output)
      || (e.signal === 'SIGKILL' && !this.killedByUs);
    if (m) return `${how}${last.length > 0 ? `; last output: ${last.slice(-3).join(' | ').slice(0, 300)}` : ''}`;
    const shown = last.slice(-3).join(' | ');
    return `${how}${oom ? ', probably out of memory' : ''}${shown ? `; last output: ${shown.slice(0, 300)}` : ''}`;
  }

  /**
   * The kernel's last non-empty output lines (at most `max`): what the process wrote to its
   * stdout and stderr (V8's fatal errors, native crashes, tslab's own messages) and, before
   * that, the cell's stderr stream (tslab sends the process's stderr there while a cell runs).
   */
  private lastLines(cellOutputs: Output[] = [], max = 10): string[] {
    const cellStderr = cellOutputs
      .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
      .map((o) => String((o as { text: string }).text))
      .join('');
    const lines = (text: string) => text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
    return [...lines(tail(cellStderr, 4000)), ...lines(this.output)].slice(-max);
  }

  /**
   * Execute one cell. Resolves with the cell's status and outputs; never rejects for anything the
   * cell does (errors, hangs, killing the kernel). Rejects only when the session is not running.
   */
  async execute(code: string, options: ExecuteOptions = {}): Promise<CellResult> {
    if (!this.alive) throw new Error('Cannot execute: the kernel is not running (call restart())');
    if (this.pending) throw new Error('Cannot execute: another cell is still running in this kernel');
    const started = this.clock.now();
    const timeoutMs = options.timeoutMs ?? 0;
    const deadline = timeoutMs > 0 ? started + timeoutMs : Infinity;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.executeOnce(code, options, deadline);
      const aborted = outcome.kind === 'reply' && outcome.reply.status === 'abort';
      if (!aborted) {
        // A kernel that is going down may still send its error reply first (an exception in
        // its own send path, a fatal error after the cell's catch): give it a moment to exit,
        // so the cell is reported as the kernel's death rather than as an ordinary error.
        // tslab refuses requests for 200 ms after a failed cell anyway.
        if (outcome.kind === 'reply' && outcome.reply.status !== 'ok') await Promise.race([this.waitForExit(), this.sleep(EXIT_GRACE_MS)]);
        return this.finishResult(outcome, started, timeoutMs);
      }
      // tslab refuses requests for 200 ms after a failed cell: wait it out and ask again.
      if (attempt >= 50 || this.clock.now() > deadline) {
        return this.finishResult({ kind: 'reply', reply: { status: 'error' }, outputs: [] }, started, timeoutMs, 'the kernel kept aborting the request');
      }
      await this.sleep(250);
    }
  }

  private async executeOnce(
    code: string,
    options: ExecuteOptions,
    deadline: number,
  ): Promise<{ kind: 'reply'; reply: Record<string, any>; outputs: Output[] } | { kind: 'timeout' | 'dead'; outputs: Output[]; reply?: Record<string, any> }> {
    const msg = createMessage(
      'execute_request',
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false },
      this.sessionId,
    );
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const p: PendingExecution = {
      msgId: msg.header.msg_id,
      collector: new OutputCollector(options.maxStreamBytes ?? 4 * 1024 * 1024, options.onOutput),
      reply: null,
      idle: false,
      settle,
    };
    const outputs = p.collector.outputs;
    this.pending = p;
    try {
      await this.shell!.send(encodeMessage(msg, this.conn!.key));
      const remaining = deadline - this.clock.now();
      let timer: unknown;
      const timedOut = Number.isFinite(remaining)
        ? new Promise<'timeout'>((resolve) => (timer = this.clock.setTimeout(() => resolve('timeout'), Math.max(0, remaining))))
        : new Promise<'timeout'>(() => undefined);
      const first = await Promise.race([done.then(() => 'done' as const), timedOut]);
      if (timer !== undefined) this.clock.clearTimeout(timer);
      p.collector.noteDropped();
      if (first === 'done') {
        if (p.reply) return { kind: 'reply', reply: p.reply, outputs };
        return { kind: 'dead', outputs };
      }
      // Over time: interrupt, give it a moment, then kill.
      await this.interrupt();
      const grace = this.options.interruptGraceMs ?? 3000;
      const recovered = await Promise.race([done.then(() => true), this.sleep(grace).then(() => false)]);
      if (!recovered || !p.reply) await this.killAndWait();
      return { kind: 'timeout', outputs, reply: p.reply ?? undefined };
    } finally {
      this.pending = null;
    }
  }

  private finishResult(
    outcome: { kind: 'reply'; reply: Record<string, any>; outputs: Output[] } | { kind: 'timeout' | 'dead'; outputs: Output[]; reply?: Record<string, any> },
    started: number,
    timeoutMs: number,
    note?: string,
  ): CellResult {
    const outputs = outcome.outputs;
    const durationMs = this.clock.now() - started;
    let status: CellStatus;
    let error: ErrorOutput | undefined;
    let executionCount: number | null = null;
    if (outcome.kind === 'reply' && outcome.reply.status !== 'ok' && this.exitInfo && !this.killedByUs) {
      // The kernel answered, then died: what killed it is the news, not the error reply.
      outcome = { kind: 'dead', outputs, reply: outcome.reply };
    }
    if (outcome.kind === 'reply') {
      executionCount = typeof outcome.reply.execution_count === 'number' ? outcome.reply.execution_count : null;
      if (outcome.reply.status === 'ok') status = 'ok';
      else {
        status = 'error';
        const reported = outputs.find((o): o is ErrorOutput => o.output_type === 'error');
        if (reported) error = reported;
        else {
          const stderr = outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr').map((o) => String((o as { text: string }).text)).join('');
          error = outcome.reply.ename
            ? { output_type: 'error', ename: outcome.reply.ename, evalue: outcome.reply.evalue ?? '', traceback: outcome.reply.traceback ?? [] }
            : errorFromStderr(stderr || note || 'the cell failed');
          outputs.push(error);
        }
      }
    } else if (outcome.kind === 'timeout') {
      status = 'timeout';
      if (typeof outcome.reply?.execution_count === 'number') executionCount = outcome.reply.execution_count;
      const killed = !this.alive;
      error = {
        output_type: 'error',
        ename: 'CellTimeoutError',
        evalue: `the cell did not finish within ${Math.round(timeoutMs / 100) / 10} s; ${killed ? 'the kernel did not respond to an interrupt and was stopped' : 'it was interrupted'}`,
        traceback: [],
      };
      error.traceback = [`${error.ename}: ${error.evalue}`];
      outputs.push(error);
    } else {
      status = 'dead';
      const last = this.lastLines(outputs);
      error = { output_type: 'error', ename: 'KernelDiedError', evalue: `the kernel died while running this cell (${this.describeExit(last)})`, traceback: [] };
      error.traceback = [`${error.ename}: ${error.evalue}`];
      if (last.length > 0) error.traceback.push("The kernel's last output:", ...last.map((l) => `  ${l}`));
      outputs.push(error);
    }
    return { status, executionCount, outputs, error, durationMs };
  }

  /** Ask the kernel to stop the running cell (SIGINT, or interrupt_request when the spec says so). */
  async interrupt(): Promise<void> {
    if (!this.alive) return;
    if (this.spec.interrupt_mode === 'message') {
      const msg = createMessage('interrupt_request', {}, this.sessionId);
      await this.request(this.control!, msg, 1000);
    } else {
      try {
        process.kill(this.child!.pid!, 'SIGINT');
      } catch {
        // already gone
      }
    }
  }

  /** Heartbeat: does the kernel echo within `timeoutMs`? (A kernel busy in a synchronous loop does not.) */
  async ping(timeoutMs = 1000): Promise<boolean> {
    if (!this.alive || !this.hb) return false;
    const payload = Buffer.from(randomUUID());
    try {
      await this.hb.send(payload);
      const answer = await Promise.race([this.hb.receive(), this.sleep(timeoutMs).then(() => null)]);
      return answer !== null && Buffer.from(answer[0]).equals(payload);
    } catch {
      return false;
    }
  }

  /** Stop the kernel and start a fresh one with the same spec and options. */
  async restart(): Promise<void> {
    await this.shutdown();
    await this.launch();
  }

  /** Ask the kernel to shut down; kill it if it has not exited within `graceMs`. Always cleans up. */
  async shutdown(graceMs = 2000): Promise<void> {
    if (this.alive && this.control) {
      const msg = createMessage('shutdown_request', { restart: false }, this.sessionId);
      this.control.send(encodeMessage(msg, this.conn!.key)).catch(() => undefined);
      await Promise.race([this.waitForExit(), this.sleep(graceMs)]);
    }
    await this.killAndWait();
  }

  private waitForExit(): Promise<void> {
    if (!this.child || this.exitInfo) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  private async killAndWait(): Promise<void> {
    this.killNow();
    await Promise.race([this.waitForExit(), this.sleep(5000)]);
    await this.cleanup();
  }

  /**
   * Synchronously kill the kernel, its process group, and every process below it (also those
   * that left the group with setsid), and remove its connection file.
   */
  killNow(): void {
    if (this.child?.pid && !this.exitInfo) {
      this.killedByUs = true;
      // Descendants first, read before the kernel dies (an orphan is re-parented and lost to the tree).
      for (const p of processTree(this.child.pid, this.options.processTable ?? procTable).slice(1)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        try {
          this.child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    if (this.tmpDir) {
      fs.rmSync(this.tmpDir, { recursive: true, force: true });
      this.tmpDir = null;
    }
  }

  private async cleanup(): Promise<void> {
    for (const socket of [this.shell, this.control, this.iopub, this.hb]) {
      try {
        socket?.close();
      } catch {
        // already closed
      }
    }
    this.shell = this.control = this.iopub = null;
    this.hb = null;
    this.iopubSeen = false;
    this.replyWaiters.clear();
    if (this.tmpDir) {
      fs.rmSync(this.tmpDir, { recursive: true, force: true });
      this.tmpDir = null;
    }
    live.delete(this);
  }
}
