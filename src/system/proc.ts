/**
 * Facts about a process, read from Linux /proc without shelling out. Each reader is a thin
 * fs wrapper around a pure parser, so the awkward inputs (a comm with spaces or ')', an
 * environment value containing '=') are unit-tested without a live process.
 *
 * Every reader returns null rather than throwing: a missing /proc (macOS), a process that exited
 * between two reads, or another user's process are all ordinary answers here.
 */
import { readFileSync, readlinkSync } from 'node:fs';

export function isValidPid(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0;
}

/**
 * The fields after comm in /proc/<pid>/stat; element 0 is field 3 (state). comm (field 2) sits in
 * parentheses and may itself contain spaces and ')', so counting starts after the *last* ')'.
 */
function fieldsAfterComm(stat: string): string[] | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const rest = stat.slice(close + 1).trim();
  return rest ? rest.split(/\s+/) : null;
}

/** Field 22, starttime: clock ticks after boot at which the process started. */
export function parseStatStartTime(stat: string): number | null {
  const raw = fieldsAfterComm(stat)?.[19];
  // Only a plain non-negative integer: the gateway writes and compares it as one.
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
}

/**
 * Fields 14 and 15, utime + stime: the CPU time the process itself has used, in clock ticks
 * (threads included; children are not, until waited for).
 */
export function parseStatCpuTicks(stat: string): number | null {
  return sumOfTwoFields(stat, 11);
}

/** Two adjacent tick counters after comm (index `first` and the next) added; null unless both are plain integers. */
function sumOfTwoFields(stat: string, first: number): number | null {
  const fields = fieldsAfterComm(stat);
  const a = fields?.[first];
  const b = fields?.[first + 1];
  return a !== undefined && b !== undefined && /^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) + Number(b) : null;
}

/**
 * Fields 16 and 17, cutime + cstime: the CPU time of the children it has waited for, in clock
 * ticks (a child's time moves here when it is reaped).
 */
export function parseStatReapedChildTicks(stat: string): number | null {
  return sumOfTwoFields(stat, 13);
}

/** Field 4, ppid. */
export function parseStatPpid(stat: string): number | null {
  const raw = fieldsAfterComm(stat)?.[1];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
}

/** Field 3, the one-letter state (R, S, D, Z, T, …). */
export function parseStatState(stat: string): string | null {
  const raw = fieldsAfterComm(stat)?.[0];
  return raw && /^[A-Za-z]$/.test(raw) ? raw : null;
}

/** Field 2 without its parentheses. */
export function parseStatComm(stat: string): string | null {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  return open >= 0 && close > open ? stat.slice(open + 1, close) : null;
}

export function readProcFile(pid: number, name: string): string | null {
  if (!isValidPid(pid)) return null;
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return null;
  }
}

export function readProcStartTime(pid: number): number | null {
  const stat = readProcFile(pid, 'stat');
  return stat === null ? null : parseStatStartTime(stat);
}

/**
 * CPU time the process has used so far, ms; null when unreadable. /proc counts in USER_HZ ticks,
 * which Linux fixes at 100 per second for user space on every architecture Node.js runs on
 * (sysconf(_SC_CLK_TCK); Node.js has no binding for it).
 */
export function readProcCpuMs(pid: number): number | null {
  const stat = readProcFile(pid, 'stat');
  const ticks = stat === null ? null : parseStatCpuTicks(stat);
  return ticks === null ? null : ticks * 10;
}


export function readProcState(pid: number): string | null {
  const stat = readProcFile(pid, 'stat');
  return stat === null ? null : parseStatState(stat);
}

/**
 * Alive by the gateway's rules (docs/openclaw.md §5), so that this tool and the gateway agree on which
 * locks are stale: `kill(pid, 0)` throwing — EPERM included — means not alive, and so does a
 * zombie (it holds its pid but will never release a lock).
 */
export function isProcessAlive(pid: number): boolean {
  if (!isValidPid(pid)) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return readProcState(pid) !== 'Z';
}

/** NUL-separated lists (cmdline, environ) end with a NUL; that terminator is not an element. */
export function parseNulList(raw: string): string[] {
  if (raw === '') return [];
  const parts = raw.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** argv as the process sees it now; null when unreadable or empty (kernel thread, zombie). */
export function readProcCmdline(pid: number): string[] | null {
  const raw = readProcFile(pid, 'cmdline');
  if (raw === null) return null;
  const argv = parseNulList(raw);
  return argv.length > 0 ? argv : null;
}

export function parseEnviron(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of parseNulList(raw)) {
    // Split at the first '=' only: values (URLs, tokens) often contain more.
    const eq = pair.indexOf('=');
    if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** The environment the process was exec'd with; null when unreadable (another user, no /proc). */
export function readProcEnviron(pid: number): Record<string, string> | null {
  const raw = readProcFile(pid, 'environ');
  return raw === null ? null : parseEnviron(raw);
}

/** comm: at most 15 bytes, what `process.title` sets on Linux (e.g. `openclaw-gatewa`). */
export function readProcTitle(pid: number): string | null {
  const raw = readProcFile(pid, 'comm');
  if (raw === null) return null;
  return raw.replace(/\n$/, '') || null;
}


/** The executable the process runs (`/proc/<pid>/exe`), without a ` (deleted)` suffix; null when unreadable. */
export function readProcExe(pid: number): string | null {
  if (!isValidPid(pid)) return null;
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return null;
  }
}

/** The real uid from the `Uid:` line of /proc/<pid>/status. */
export function parseStatusUid(status: string): number | null {
  const match = /^Uid:\s+(\d+)/m.exec(status);
  return match ? Number(match[1]) : null;
}

/** The real uid the process runs as; null when unreadable. */
export function readProcUid(pid: number): number | null {
  const status = readProcFile(pid, 'status');
  return status === null ? null : parseStatusUid(status);
}
