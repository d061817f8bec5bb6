/**
 * A process and everything it started, read from Linux's /proc: used to bound a kernel's memory
 * as a whole (V8 heap, Buffers, wasm memories and child processes together) and to end every
 * process a kernel started, even one that left the kernel's process group.
 */
import * as fs from 'node:fs';

/** One process of a tree. */
export interface TreeProcess {
  pid: number;
  /** Resident memory in bytes. */
  rssBytes: number;
}

/** Reads the process table; injected so tests can give a made-up one. */
export interface ProcessTable {
  /** Every process as pid → parent pid and resident bytes; empty where /proc is absent. */
  list(): Map<number, { ppid: number; rssBytes: number }>;
}

const PAGE_BYTES = 4096;

/** The process table of this machine, from /proc/<pid>/stat (Linux; empty elsewhere). */
export const procTable: ProcessTable = {
  list() {
    const table = new Map<number, { ppid: number; rssBytes: number }>();
    let entries: string[];
    try {
      entries = fs.readdirSync('/proc');
    } catch {
      return table;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        // Fields after the command name, which is in parentheses and may hold spaces: state ppid ... (rss is field 24 overall)
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        table.set(Number(entry), { ppid: Number(fields[1]), rssBytes: Number(fields[21]) * PAGE_BYTES });
      } catch {
        // the process ended while we looked
      }
    }
    return table;
  },
};

/** `root` and all its descendants (parent before child), with their resident memory. */
export function processTree(root: number, table: ProcessTable = procTable): TreeProcess[] {
  const all = table.list();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of all) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const tree: TreeProcess[] = [];
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const entry = all.get(pid);
    if (entry) tree.push({ pid, rssBytes: entry.rssBytes });
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}
