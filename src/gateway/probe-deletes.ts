/**
 * The live read's housekeeping in flight: deleting its probe session (and leftovers of earlier
 * runs) after the count is known. On a real 2026.4.29 gateway each `sessions.delete` took 7–22 s
 * (its session cleanup loads the browser plugin's maintenance surface, which first runs a
 * synchronous `npm install` of the bundled plugins' runtime deps, blocking the gateway's event
 * loop; where that install fails it is run again on every delete: docs/openclaw-probe-delete.md). The count does
 * not depend on it (the probe session never holds an ACP handle), so the answer is shown first
 * and the delete is waited for afterwards: before anything else is asked of the gateway that
 * changes it, and before the process exits (the connection stays open until it is answered).
 */

import { setInterruptNote } from '../system/cleanup.js';

/** One line for the operator on a terminal (already decided by the caller); never JSON or cron output. */
export type ProgressLine = (line: string) => void;

const inFlight = new Set<Promise<unknown>>();

/** Registers the housekeeping of one live read; it leaves the set when it settles. */
export function trackProbeDeletes(work: Promise<unknown>): void {
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  inFlight.add(settled);
  void settled.then(() => inFlight.delete(settled));
}

/** How many live reads still delete their probe sessions. */
export function probeDeletesInFlight(): number {
  return inFlight.size;
}

/** How long a wait for the probe delete runs before a terminal is told about it, ms. */
const SAY_AFTER_MS = 1000;

/**
 * Resolves when every probe delete started so far has been answered (or timed out: each has its
 * own RPC timeout, live-acp.ts). With `progress`, one line says what is waited for, only when the
 * wait lasts (SAY_AFTER_MS). Never rejects.
 */
export async function probeDeletesSettled(progress?: ProgressLine): Promise<void> {
  if (inFlight.size === 0) return;
  const say = progress ? setTimeout(() => progress("waiting for the gateway to delete this run's probe session (one sessions.delete took 7 s to over 30 s on OpenClaw 2026.4.29)…"), SAY_AFTER_MS) : undefined;
  try {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  } finally {
    clearTimeout(say);
  }
}

/**
 * probeDeletesSettled once a run that changes things (prune) is over and its report is out: an
 * interrupt then cuts short only the delete of the run's own probe session, and its line says
 * so instead of "the store holds either its old or its new content" (helper-27, 2026.9.6).
 */
export async function probeDeletesSettledAtEnd(progress?: ProgressLine): Promise<void> {
  const forget = setInterruptNote(() => "the run had finished; only the gateway's delete of this run's own probe session was still pending (a later live read deletes a leftover probe session)");
  try {
    await probeDeletesSettled(progress);
  } finally {
    forget();
  }
}
