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
  /** Something answers as the gateway on the configured port or URL (verified pid or not). */
  gatewayRunning: boolean;
  /**
   * Nothing answers on the port, yet a live OpenClaw gateway process holds this config's lock
   * (start time and identity proven; it does not hold the socket on that port): a gateway with
   * a port other than the one this run was given. Its pid and why; null when there is none.
   */
  unreachableGateway?: { pid: number | null; why: string } | null;
  generation: StoreGeneration;
  rpc: { ok: true } | { ok: false; why: string };
  /** ok only when a verified pid would be *replaced* by the restart (respawn.ts). */
  restart: { ok: true } | { ok: false; why: string; fix?: string };
  allowRestart: boolean;
  /** Planned sessions that hold an ACP slot. */
  slotsToFree: number;
  /** Planned entries with an `acp` object: each may have a live runtime handle. */
  acpEntries: number;
}

export type RecomputeDecision =
  | { method: 'file'; note: string | null }
  | { method: 'rpc'; allViaRpc: boolean }
  | { method: 'restart' }
  | { method: 'refuse'; kind: FailureKind; why: string };

/**
 * Never orphan a handle (issue 9): while any gateway answers, an entry with an `acp` object
 * leaves the file only through `sessions.delete` (the gateway closes the handle first) or as
 * part of a verified restart that replaces the process. `--recompute restart` restarts or
 * refuses; it never silently becomes RPC or a plain file edit.
 */
export function chooseRecompute(input: RecomputeInput): RecomputeDecision {
  if (!input.gatewayRunning && input.unreachableGateway && input.acpEntries > 0) {
    // It may hold the handles of these entries: a file edit would orphan them, unseen.
    const who = input.unreachableGateway.pid === null ? 'a gateway process' : `gateway pid ${input.unreachableGateway.pid}`;
    return {
      method: 'refuse',
      kind: 'not-recomputed',
      why: `nothing answers on the gateway port, but ${who} holds this config's lock (${input.unreachableGateway.why}): removing ${input.acpEntries} ACP entr${input.acpEntries === 1 ? 'y' : 'ies'} from the file could orphan their runtime handles; point the tool at the port that gateway listens on (--port, OPENCLAW_GATEWAY_PORT or --url) and run again; nothing was changed`,
    };
  }
  if (!input.gatewayRunning) {
    const note = input.requested === 'rpc' || input.requested === 'restart' ? 'no gateway is running: nothing to recompute; the file is pruned directly' : null;
    return { method: 'file', note };
  }
  // Without a cross-process lock (5.2–7.x) or with SQLite (8.1+), only the gateway may write.
  if (input.generation === 'unlocked-json' || input.generation === 'sqlite') {
    if (input.requested === 'restart') return { method: 'refuse', kind: 'unsafe', why: '--recompute restart: this OpenClaw version\'s store cannot be edited while its gateway runs; use --recompute rpc (or auto)' };
    if (input.rpc.ok) return { method: 'rpc', allViaRpc: true };
    const what = input.generation === 'sqlite' ? 'OpenClaw 8.1+ stores change only through the gateway' : 'this OpenClaw version (5.2–7.x) has no cross-process store lock, so the file cannot be written while its gateway runs';
    return { method: 'refuse', kind: 'unsafe', why: `${what}, and RPC is unavailable: ${input.rpc.why}` };
  }
  const restartFix = 'openclaw-sessions prune --recompute restart --allow-restart';
  switch (input.requested) {
    case 'none':
      if (input.acpEntries === 0) return { method: 'file', note: 'requested with --recompute none' };
      return { method: 'refuse', kind: 'not-recomputed', why: `--recompute none: a gateway answers, and removing ${input.acpEntries} ACP entr${input.acpEntries === 1 ? 'y' : 'ies'} from the file would orphan their runtime handles (only a restart clears those); use --recompute rpc or restart; nothing was changed` };
    case 'rpc':
      if (input.acpEntries === 0) return { method: 'file', note: 'no planned session has an ACP handle: nothing to recompute' };
      return input.rpc.ok ? { method: 'rpc', allViaRpc: false } : { method: 'refuse', kind: 'not-recomputed', why: `--recompute rpc: RPC is unavailable: ${input.rpc.why}; nothing was changed` };
    case 'restart':
      if (!input.restart.ok) return { method: 'refuse', kind: 'not-recomputed', why: `--recompute restart: ${input.restart.why}; nothing was changed${input.restart.fix ? ` (fix: ${input.restart.fix})` : ''}` };
      if (!input.allowRestart) return { method: 'refuse', kind: 'usage', why: 'a restart drops running chats: pass --allow-restart to confirm it; nothing was changed' };
      return { method: 'restart' };
    case 'auto':
      if (input.acpEntries === 0) return { method: 'file', note: input.slotsToFree === 0 ? null : 'no planned session has an ACP handle' };
      if (input.rpc.ok) return { method: 'rpc', allViaRpc: false };
      if (input.restart.ok && input.allowRestart) return { method: 'restart' };
      return {
        method: 'refuse',
        kind: 'not-recomputed',
        why: `a gateway answers, so the ${input.acpEntries} ACP entr${input.acpEntries === 1 ? 'y' : 'ies'} may leave the file only through it, and neither way works: RPC is unavailable (${input.rpc.why}); ${input.restart.ok ? `a restart was not allowed (fix: ${restartFix})` : `a restart is not possible (${input.restart.why})`}; nothing was changed`,
      };
  }
}
