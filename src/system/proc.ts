/**
 * Facts about a process, read from Linux /proc without shelling out. The parsers are pure
 * so the awkward cases (a comm with spaces or parentheses) are unit-tested.
 */
import { readFileSync } from 'node:fs';

/**
 * Field 22 (starttime, clock ticks since boot) of /proc/<pid>/stat. The comm field (2) is in
 * parentheses and may itself contain spaces and ')', so fields are counted after the *last* ')'.
 */
export function parseStatStartTime(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); field 22 is fields[19].
  const value = Number(fields[19]);
  return Number.isFinite(value) && fields[19] !== '' ? value : null;
}

export function parseStatState(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  return close < 0 ? null : stat.slice(close + 2, close + 3) || null;
}

function readStat(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
}

export function readProcStartTime(pid: number): number | null {
  const stat = readStat(pid);
  return stat ? parseStatStartTime(stat) : null;
}

/**
 * Alive by the gateway's rules (facts §5): `kill(pid, 0)` throwing — EPERM included — means
 * not alive, and so does a zombie.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readStat(pid);
  return !(stat && parseStatState(stat) === 'Z');
}

export function parseNulList(raw: string): string[] {
  return raw.split('\0').filter((part, index, all) => part !== '' || index < all.length - 1);
}

export function readProcCmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw ? parseNulList(raw) : null;
  } catch {
    return null;
  }
}

export function parseEnviron(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of raw.split('\0')) {
    const eq = pair.indexOf('=');
    if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** The process's environment at exec time; null when unreadable (another user, no /proc). */
export function readProcEnviron(pid: number): Record<string, string> | null {
  try {
    return parseEnviron(readFileSync(`/proc/${pid}/environ`, 'utf8'));
  } catch {
    return null;
  }
}

/** The short name (comm, at most 15 chars): what `process.title` sets on Linux. */
export function readProcTitle(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || null;
  } catch {
    return null;
  }
}
