/**
 * Where a submission's kernel runs: its own temporary folder, holding only what a notebook needs
 * (a link to the installed packages, a private TMPDIR), inside the strongest sandbox this
 * machine offers. See docs/grading.md ("Isolation") for what each kind blocks and leaves open.
 *
 * - 'bubblewrap': a new mount, PID, IPC and user namespace (bwrap). The kernel sees a minimal
 *   system (/usr, the node binary), the library read-only (package.json, dist/, testing/,
 *   node_modules/, data/, checkpoints/), its own folder read-write, a private /tmp and /proc,
 *   and nothing else: no instructor notebooks, no other submissions, no grader command line.
 *   Every process in it ends with it.
 * - 'node-permission': Node's permission model (--experimental-permission) on the kernel's
 *   node: reads only the library and its own folder, writes only its folder; no child processes.
 * - 'none': only the private working folder.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelSession, type KernelSessionOptions } from '../jupyter/kernel-session';
import { findKernelSpec, KERNEL_NAME, packageRoot, type KernelSpec } from '../jupyter/kernelspec';

export type SandboxKind = 'bubblewrap' | 'node-permission' | 'none';
/** What a user asks for: a kind, or 'auto' for the strongest that works here. */
export type SandboxChoice = SandboxKind | 'auto';

export const SANDBOX_CHOICES: readonly SandboxChoice[] = ['auto', 'bubblewrap', 'node-permission', 'none'];

/** The sandbox chosen, and why (printed in the grader's log). */
export interface SandboxPlan {
  kind: SandboxKind;
  note: string;
}

/** Can bubblewrap start a process here? (Null when it can; else why not.) Injected in tests. */
export type BubblewrapProbe = () => string | null;

/** What every sandbox gives the kernel, and takes back with `dispose`. */
export interface SubmissionSandbox {
  kind: SandboxKind;
  /** The kernelspec to start: the original one wrapped (bwrap) or given flags (node). */
  spec: KernelSpec;
  /** The kernel's working directory: the private folder. */
  cwd: string;
  /** Environment for the kernel: the grader's own variables removed, TMPDIR and HOME private. */
  env: Record<string, string | undefined>;
  /** Remove the private folder. */
  dispose(): void;
}

/** Folders and files of the installed library a notebook may read (those that exist). */
const LIBRARY_ENTRIES = ['package.json', 'dist', 'testing', 'node_modules', 'data', 'checkpoints'];
/** Variables of the grader's environment a kernel keeps; every other one is removed. */
const KEPT_ENV = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TERM', 'NODE_OPTIONS', 'SELFSUP_QUICK'];
/** System files a Node process reads at start (dynamic linker, time zone), bound read-only when present. */
const SYSTEM_FILES = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/nsswitch.conf', '/etc/hosts'];

/** The bwrap arguments that isolate a process, shared by the probe and the real run. */
function bwrapIsolation(): string[] {
  return [
    '--die-with-parent',
    '--unshare-user', '--uid', '65534', '--gid', '65534', '--cap-drop', 'ALL',
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--unshare-net',
    '--new-session',
    '--clearenv',
  ];
}

/** System folders: /usr read-only, and /bin, /lib... as the host has them (links into usr, or folders). */
function bwrapSystem(nodePath: string): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64']) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  for (const file of SYSTEM_FILES) if (fs.existsSync(file)) args.push('--ro-bind', file, file);
  // node itself, when installed outside /usr (nvm, setup-node's tool cache): its whole prefix
  const node = fs.realpathSync(nodePath);
  if (!node.startsWith('/usr/')) args.push('--ro-bind', path.dirname(path.dirname(node)), path.dirname(path.dirname(node)));
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  return args;
}

/** Does bwrap work here, with the namespaces we ask for? Null when it does; else what it said. */
export function probeBubblewrap(): string | null {
  const run = spawnSync('bwrap', [...bwrapIsolation(), ...bwrapSystem(process.execPath), '--', process.execPath, '-e', '0'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (run.error) return (run.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'bwrap is not installed' : run.error.message;
  if (run.status !== 0) return `bwrap failed: ${(run.stderr || `exit code ${run.status}`).trim().split('\n')[0]}`;
  return null;
}

let probed: string | null | undefined;

/**
 * The sandbox to use: the one asked for, or with 'auto' the strongest that works here
 * (bubblewrap, else Node's permission model, which Node 20+ has). Asking for bubblewrap where it
 * does not work is an error.
 */
export function chooseSandbox(choice: SandboxChoice = 'auto', probe: BubblewrapProbe = probeBubblewrap): SandboxPlan {
  if (!SANDBOX_CHOICES.includes(choice)) {
    throw new Error(`Unknown sandbox "${choice}": expected one of ${SANDBOX_CHOICES.join(', ')}`);
  }
  if (choice === 'none') return { kind: 'none', note: 'asked for: submissions run unsandboxed, in a private folder only' };
  if (choice === 'node-permission') return { kind: 'node-permission', note: "asked for: Node's permission model" };
  const why = probe === probeBubblewrap ? (probed === undefined ? (probed = probe()) : probed) : probe();
  if (why === null) return { kind: 'bubblewrap', note: 'bwrap: own mount, PID, IPC, network and user namespaces' };
  if (choice === 'bubblewrap') throw new Error(`The bubblewrap sandbox is not available here (${why}). Install it (apt-get install bubblewrap) or choose --sandbox node-permission.`);
  return { kind: 'node-permission', note: `Node's permission model; bubblewrap is not available (${why})` };
}

function isNode(command: string): boolean {
  return command === process.execPath || /^node(js)?(\.exe)?$/.test(path.basename(command));
}

/** The node_modules folder holding `file`, if any (for a kernelspec started from another install). */
function enclosingNodeModules(file: string): string | null {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  return at > 0 ? parts.slice(0, at + 1).join(path.sep) : null;
}

/**
 * Make a submission's private folder under the system temp folder and a kernelspec that runs in it
 * under `kind`. `root` is the installed library (the selfsup package root) the kernel may read;
 * `kernelEnv` the variables the kernel gets on top of the few it keeps from the grader's.
 */
export function prepareSandbox(kind: SandboxKind, spec: KernelSpec, root: string, kernelEnv: Record<string, string | undefined> = {}): SubmissionSandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfsup-submission-'));
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.mkdirSync(path.join(dir, 'tmp'));
    // `import ... from 'selfsup'` (and tfjs, tslab) resolve from the kernel's folder upwards.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const library = LIBRARY_ENTRIES.map((e) => path.join(root, e)).filter((p) => fs.existsSync(p));
    const extra = spec.argv.filter((a) => path.isAbsolute(a) && fs.existsSync(a)).map(enclosingNodeModules).filter((p): p is string => p !== null && !p.startsWith(root + path.sep));
    const env: Record<string, string | undefined> = {};
    for (const key of Object.keys(process.env)) if (!KEPT_ENV.includes(key)) env[key] = undefined; // undefined: not passed on
    Object.assign(env, kernelEnv, { TMPDIR: path.join(dir, 'tmp'), HOME: dir });
    let argv = spec.argv;
    if (kind === 'bubblewrap') {
      const ro = (p: string) => ['--ro-bind', p, p];
      // bwrap clears the environment (--clearenv): the kernel's variables go in as --setenv.
      const final: Record<string, string | undefined> = { ...process.env, ...spec.env, ...env };
      const setenv = Object.entries(final).filter((e): e is [string, string] => e[1] !== undefined).flatMap(([k, v]) => ['--setenv', k, v]);
      argv = [
        'bwrap',
        ...bwrapIsolation(),
        ...bwrapSystem(isNode(spec.argv[0]) ? spec.argv[0] : process.execPath),
        ...library.flatMap(ro),
        ...[...new Set(extra)].flatMap(ro),
        '--bind', dir, dir,
        '--ro-bind', '{connection_file}', '{connection_file}',
        '--chdir', dir,
        ...setenv,
        '--',
        ...spec.argv,
      ];
    } else if (kind === 'node-permission') {
      if (!isNode(spec.argv[0])) {
        throw new Error(`Cannot apply Node's permission model: the kernelspec starts "${spec.argv[0]}", not node. Use a kernelspec that starts node (selfsup kernel install), or --sandbox none.`);
      }
      const read = [...library, ...extra, dir].map((p) => (fs.statSync(p).isDirectory() ? `${p}/` : p));
      // tslab looks for a local copy of itself in every folder above its working directory (existsSync, which the permission model refuses rather than answering false).
      const probes: string[] = [];
      for (let d = dir; ; d = path.dirname(d)) {
        probes.push(path.join(d, 'node_modules', 'tslab', 'dist', 'main.js'));
        if (path.dirname(d) === d) break;
      }
      argv = [
        spec.argv[0],
        '--experimental-permission',
        '--disable-warning=ExperimentalWarning', // else every kernel's stderr starts with it
        ...read.map((p) => `--allow-fs-read=${p}`),
        ...probes.map((p) => `--allow-fs-read=${p}`),
        '--allow-fs-read=/etc/alpine-release', // zeromq's loader asks whether this is Alpine
        '--allow-fs-read={connection_file}',
        `--allow-fs-write=${dir}/`,
        '--allow-addons', // the kernel's ZeroMQ binding is an addon
        '--allow-worker', // the wasm backend's threads
        ...spec.argv.slice(1),
      ];
    }
    return { kind, spec: { ...spec, argv }, cwd: dir, env, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/**
 * Start a kernel for `options` (its spec, or the installed tslab kernelspec) inside a fresh
 * sandbox of `kind`; `dispose` removes the private folder once the kernel has been shut down.
 */
export async function startSandboxedKernel(kind: SandboxKind, options: KernelSessionOptions): Promise<{ kernel: KernelSession; dispose: () => void }> {
  const spec = options.spec ?? findKernelSpec(options.kernelName ?? KERNEL_NAME).spec;
  const box = prepareSandbox(kind, spec, packageRoot(), options.env);
  try {
    // Without a network in bubblewrap, the kernel's sockets are Unix sockets in its folder.
    const ipcDir = kind === 'bubblewrap' ? box.cwd : undefined;
    const kernel = await KernelSession.start({ ...options, spec: box.spec, cwd: box.cwd, env: box.env, ipcDir });
    return { kernel, dispose: box.dispose };
  } catch (err) {
    box.dispose();
    throw err;
  }
}
