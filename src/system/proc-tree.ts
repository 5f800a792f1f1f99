/**
 * CPU time of a process *and the processes it started*, from /proc. A gateway blocked in a child
 * it waits for uses no CPU of its own: observed on OpenClaw 2026.4.29, whose every
 * `sessions.delete` waits 7–22 s in a `spawnSync`'d `npm install` (docs/openclaw-probe-delete.md),
 * answering nothing meanwhile. Its own clock alone called that gateway idle, "stuck", and advised
 * a restart; counted with its children it is what it is: working.
 */
import { readdirSync } from 'node:fs';
import { parseStatCpuTicks, parseStatPpid, parseStatReapedChildTicks, readProcFile } from './proc.js';

/** One process's own ticks plus those of the children it already reaped (cutime + cstime). */
function ticksOf(stat: string): number {
  return (parseStatCpuTicks(stat) ?? 0) + (parseStatReapedChildTicks(stat) ?? 0);
}

/**
 * CPU time, ms, used so far by `pid`, its reaped children and every live descendant (found by
 * ppid in one pass over /proc). Across two readings the difference is the work done for it in
 * between: a child reaped meanwhile moves from the descendants' sum into the parent's cutime, so
 * nothing is lost or counted twice (a descendant re-parented away by a double fork is lost; a
 * gateway does not do that for work it waits on). null when `pid`'s own stat is unreadable.
 * /proc counts in USER_HZ ticks, 100 per second (proc.ts readProcCpuMs).
 */
export function readProcTreeCpuMs(pid: number): number | null {
  const own = readProcFile(pid, 'stat');
  if (own === null || parseStatCpuTicks(own) === null) return null;
  // Every process's ticks, read once, under its parent's pid.
  const children = new Map<number, Array<{ pid: number; ticks: number }>>();
  let names: string[] = [];
  try {
    names = readdirSync('/proc');
  } catch {
    // The process's own clock is still a reading.
  }
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === pid) continue;
    const stat = readProcFile(Number(name), 'stat');
    const ppid = stat === null ? null : parseStatPpid(stat);
    if (ppid === null || stat === null) continue;
    const child = { pid: Number(name), ticks: ticksOf(stat) };
    const siblings = children.get(ppid);
    if (siblings) siblings.push(child);
    else children.set(ppid, [child]);
  }
  let ticks = ticksOf(own);
  const pending = [pid];
  const seen = new Set(pending);
  while (pending.length > 0) {
    for (const child of children.get(pending.pop()!) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      ticks += child.ticks;
      pending.push(child.pid);
    }
  }
  return ticks * 10;
}

/**
 * A CPU clock for one process and what it started (readProcTreeCpuMs bound to its pid), or none
 * without a pid: the verified local gateway's, for telling a working gateway from a stuck one
 * (gateway/pending-read.ts, gateway/silent-gateway.ts).
 */
export function cpuClockOf(pid: number | undefined): (() => number | null) | undefined {
  return pid === undefined ? undefined : () => readProcTreeCpuMs(pid);
}
