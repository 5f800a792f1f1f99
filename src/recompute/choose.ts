/**
 * How a prune makes the running gateway drop its stale ACP handles (docs/openclaw.md §1, §8): a pure
 * decision over what the probe found, so every branch is unit-tested.
 *
 *   rpc      sessions.delete per ACP session while its entry still has `acp` (the gateway closes
 *            the handle, then deletes the entry under its own lock): the count drops at once
 *   restart  prune the file, then a restart signal to the verified pid: the new process starts
 *            without the pruned entries
 *   none     prune the file only; the running gateway keeps counting until it restarts
 */
import type { FailureKind } from '../errors.js';
import type { StoreGeneration } from '../store/openclaw-version.js';

export const RECOMPUTE_REQUESTS = ['auto', 'rpc', 'restart', 'none'] as const;
export type RecomputeRequest = (typeof RECOMPUTE_REQUESTS)[number];

export interface RecomputeInput {
  requested: RecomputeRequest;
  gatewayRunning: boolean;
  generation: StoreGeneration;
  rpc: { ok: true } | { ok: false; why: string };
  restart: { ok: true } | { ok: false; why: string };
  allowRestart: boolean;
  /** Planned sessions that hold an ACP slot. */
  slotsToFree: number;
}

export type RecomputeDecision =
  | { method: 'file'; note: string | null }
  | { method: 'rpc'; allViaRpc: boolean }
  | { method: 'restart' }
  | { method: 'none'; why: string; /** true when auto fell back: the prune then exits 5 */ fallback: boolean }
  | { method: 'refuse'; kind: FailureKind; why: string };

export function chooseRecompute(input: RecomputeInput): RecomputeDecision {
  if (!input.gatewayRunning) {
    const note = input.requested === 'rpc' || input.requested === 'restart' ? 'no gateway is running: nothing to recompute; the file is pruned directly' : null;
    return { method: 'file', note };
  }
  // Without a cross-process lock (5.2–7.x) or with SQLite (8.1+), only the gateway may write.
  if (input.generation === 'unlocked-json' || input.generation === 'sqlite') {
    if (input.rpc.ok) return { method: 'rpc', allViaRpc: true };
    const what = input.generation === 'sqlite' ? 'OpenClaw 8.1+ stores change only through the gateway' : 'this OpenClaw version (5.2–7.x) has no cross-process store lock, so the file cannot be written while its gateway runs';
    return { method: 'refuse', kind: 'unsafe', why: `${what}, and RPC is unavailable: ${input.rpc.why}` };
  }
  if (input.requested === 'none') {
    return { method: 'none', why: 'requested with --recompute none', fallback: false };
  }
  if (input.slotsToFree === 0) return { method: 'file', note: 'no pruned session holds an ACP slot: nothing to recompute' };
  switch (input.requested) {
    case 'rpc':
      return input.rpc.ok ? { method: 'rpc', allViaRpc: false } : { method: 'refuse', kind: 'not-recomputed', why: `--recompute rpc: RPC is unavailable: ${input.rpc.why}; nothing was changed` };
    case 'restart':
      if (!input.restart.ok) return { method: 'refuse', kind: 'not-recomputed', why: `--recompute restart: ${input.restart.why}; nothing was changed` };
      if (!input.allowRestart) return { method: 'refuse', kind: 'usage', why: 'a restart drops running chats: pass --allow-restart to confirm it; nothing was changed' };
      return { method: 'restart' };
    case 'auto':
      if (input.rpc.ok) return { method: 'rpc', allViaRpc: false };
      if (input.restart.ok && input.allowRestart) return { method: 'restart' };
      return {
        method: 'none',
        fallback: true,
        why: `RPC is unavailable (${input.rpc.why}) and ${input.restart.ok ? 'a restart was not allowed (--allow-restart)' : `a restart is not possible (${input.restart.why})`}`,
      };
  }
}
