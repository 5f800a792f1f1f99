/**
 * Why a live read got no answer, when the gateway took the `/acp doctor` command (chat.send was
 * acknowledged) but sent no reply in time. A gateway's first chat command after a start loads its
 * plugins and ACP runtime synchronously on its event loop: observed 15–19 s on 2026.4.2 and
 * 21–76 s on 2026.4.29 on a shared 2-core machine, just as slow after 45–60 s of idle uptime
 * (it is the first command, not the start, that pays: docs/openclaw-first-read.md). Meanwhile
 * the gateway process burns CPU (0.6–1.0 s of CPU per second waited), while a stopped or stuck
 * gateway uses next to none. The count is never guessed: the reason says which of the two was
 * measured, so the operator knows whether to run again in a minute or to look at the gateway.
 */

/** What was measured while the reply was awaited. */
export interface PendingRead {
  /** How long the reply was awaited after chat.send was acknowledged, ms. */
  waitedMs: number;
  /** CPU time the gateway process used meanwhile, ms; null when not measurable (remote, no /proc). */
  gatewayCpuMs: number | null;
}

/**
 * Busy: the gateway process and the processes it started (system/proc-tree.ts) used at least
 * this share of one core while the reply was awaited. Observed: 0.6–1.0 while loading
 * (docs/openclaw-first-read.md); an idle 4.29 gateway well under 0.05; and a process computing
 * flat out got only 0.21 on this 2-core machine while CI's real-gateway lanes ran beside it. Low
 * on purpose: a busy gateway called stuck is advised a restart, which drops its chats' running
 * turns; a stuck one called busy is only asked about again.
 */
const BUSY_SHARE = 0.1;

/**
 * Idle: under this share of one core (an idle 4.29 gateway uses well under it). Between this and
 * busy neither is claimed: a gateway starved on a loaded machine, or waiting on its disk, still
 * works, and calling it stopped or stuck leads to a restart that drops its chats' turns.
 */
const IDLE_SHARE = 0.05;

export type PendingVerdict = 'busy' | 'idle' | 'unknown';

export function judgePendingRead(read: PendingRead): PendingVerdict {
  if (read.gatewayCpuMs === null || read.waitedMs <= 0) return 'unknown';
  if (read.gatewayCpuMs >= BUSY_SHARE * read.waitedMs) return 'busy';
  return read.gatewayCpuMs < IDLE_SHARE * read.waitedMs ? 'idle' : 'unknown';
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** One clause for the live line's "unreadable (…)": what was measured, and what to do. */
export function pendingReadWhy(read: PendingRead): string {
  const waited = `${Math.round(read.waitedMs / 1000)} s`;
  switch (judgePendingRead(read)) {
    case 'busy':
      return `the gateway took /acp doctor but is still working on it after ${waited} (it and the processes it started used ${seconds(read.gatewayCpuMs!)} of CPU meanwhile): a gateway's first chat command after a start loads its plugins, up to 76 s on OpenClaw 2026.4.29; not read yet, run again in a minute`;
    case 'idle':
      return `the gateway took /acp doctor but gave no reply within ${waited} while it and the processes it started stayed idle (${seconds(read.gatewayCpuMs!)} of CPU): it is not loading anything, it is stopped or stuck`;
    default:
      return `the gateway took /acp doctor but gave no reply within ${waited} (a gateway's first chat command after a start loads its plugins, up to 76 s on OpenClaw 2026.4.29)`;
  }
}
