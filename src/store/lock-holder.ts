/**
 * Who holds a lock, in words an operator can act on: the OpenClaw gateway, another run of this
 * tool, or some other process (named by its command line), judged from /proc at the moment the
 * wait gave up. A lock-busy message that always said "the gateway is writing" sent people to
 * look at the gateway while a stuck cron run of this tool held the store.
 */
import path from 'node:path';
import { readProcCmdline, readProcTitle } from '../system/proc.js';

export type LockHolderKind = 'gateway' | 'openclaw-sessions' | 'unknown';

export interface LockHolder {
  kind: LockHolderKind;
  /** "the OpenClaw gateway (pid 123)", "another openclaw-sessions run (pid 9)", "an unknown process (pid 5: \"vim sessions.json\")". */
  description: string;
  /** What to do about it, one clause. */
  advice: string;
}

/** `argv[0..1]` of a run of this tool: the bin (`openclaw-sessions`, `…/bin/openclaw-sessions.js`) under node, or the bin itself. */
export function looksLikeThisTool(cmdline: readonly string[]): boolean {
  return cmdline.slice(0, 2).some((arg) => /^openclaw-sessions(\.js)?$/.test(path.basename(arg)));
}

/**
 * The gateway by its command line or process title (it sets `process.title = "openclaw-gateway"`,
 * which replaces argv in /proc; gateway/identify.ts). Words for a message only: nothing is ever
 * signalled on this guess (signals go only to a gateway proven by gateway/identify.ts).
 */
function looksLikeGateway(cmdline: readonly string[], title: string | null): boolean {
  if (cmdline.some((arg) => /(^|\/)openclaw-gateway\b/.test(arg))) return true;
  if (title === 'openclaw-gateway' || title?.startsWith('openclaw-gatew')) return true;
  const joined = cmdline.join(' ');
  return /openclaw/.test(joined) && /\bgateway\b/.test(joined);
}

export function describeHolder(pid: number | null, facts: { cmdline: string[] | null; title: string | null }): LockHolder {
  if (pid === null) return { kind: 'unknown', description: 'a process that has not written its pid yet', advice: 'try again' };
  const { cmdline, title } = facts;
  if (cmdline && looksLikeThisTool(cmdline)) {
    return { kind: 'openclaw-sessions', description: `another openclaw-sessions run (pid ${pid})`, advice: 'let it finish (or stop it), then run again' };
  }
  if ((cmdline || title) && looksLikeGateway(cmdline ?? [], title)) {
    return { kind: 'gateway', description: `the OpenClaw gateway (pid ${pid})`, advice: 'the gateway is writing this store: try again' };
  }
  const what = cmdline?.join(' ') || title;
  const shown = what ? JSON.stringify(what.length > 60 ? `${what.slice(0, 59)}…` : what) : 'its command line is unreadable';
  return { kind: 'unknown', description: `an unknown process (pid ${pid}: ${shown})`, advice: `see what it is (ps -o pid,user,args -p ${pid}), then try again` };
}

export function readLockHolder(pid: number | null): LockHolder {
  return describeHolder(pid, pid === null ? { cmdline: null, title: null } : { cmdline: readProcCmdline(pid), title: readProcTitle(pid) });
}
