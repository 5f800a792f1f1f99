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
import { UNPINNED_COMMANDS, type InstallCommands } from '../install-commands.js';

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
  /**
   * Nothing answers as a gateway, yet the probed port accepts connections and may hold a gateway
   * too hung to answer (`pid` when a verified lock proves it holds the socket; else a listener
   * that gave no HTTP response at all, which may also be another program). A hung gateway still
   * holds its runtime handles in memory. `advice`: what the verified gateway was measured doing
   * (gateway/silent-gateway.ts). null otherwise (prune/recompute.ts says when).
   */
  unansweringListener?: { port: number; pid: number | null; advice?: { clause: string; fix: string } } | null;
  /** The gateway answering on this install's port serves another state dir (gateway/served-state-dir.ts). */
  foreignGateway?: { port: number; pid: number; dir: string } | null;
  generation: StoreGeneration;
  rpc: { ok: true } | { ok: false; why: string };
  /** ok only when a verified pid would be *replaced* by the restart (respawn.ts). */
  restart: { ok: true } | { ok: false; why: string; fix?: string };
  allowRestart: boolean;
  /** Planned sessions that hold an ACP slot. */
  slotsToFree: number;
  /** Planned sessions that may have a live runtime handle (prune/recompute.ts mayHoldHandle: an `acp` object, or a counted slot). */
  acpEntries: number;
  /** The commands a refusal names, pinned to this install (install-commands.ts); bare words when absent. */
  commands?: InstallCommands;
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
  if (!input.gatewayRunning) return chooseWithoutAnswer(input);
  // Without a cross-process lock (5.2–7.x) or with SQLite (8.1+), only the gateway may write.
  if (input.generation === 'unlocked-json' || input.generation === 'sqlite') {
    if (input.requested === 'restart') return { method: 'refuse', kind: 'unsafe', why: '--recompute restart: this OpenClaw version\'s store cannot be edited while its gateway runs; use --recompute rpc (or auto)' };
    if (input.rpc.ok) return { method: 'rpc', allViaRpc: true };
    const what = input.generation === 'sqlite' ? 'OpenClaw 8.1+ stores change only through the gateway' : 'this OpenClaw version (5.2–7.x) has no cross-process store lock, so the file cannot be written while its gateway runs';
    return { method: 'refuse', kind: 'unsafe', why: `${what}, and RPC is unavailable: ${input.rpc.why}` };
  }
  const commands = input.commands ?? UNPINNED_COMMANDS;
  const restartFix = commands.tool(['prune', '--recompute', 'restart', '--allow-restart']);
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
      if (input.foreignGateway) return { method: 'refuse', kind: 'not-recomputed', why: foreignWhy(input.foreignGateway, input.acpEntries) };
      return {
        method: 'refuse',
        kind: 'not-recomputed',
        why: `a gateway answers, so the ${input.acpEntries} ACP entr${input.acpEntries === 1 ? 'y' : 'ies'} may leave the file only through it, and neither way works: RPC is unavailable (${input.rpc.why}); ${input.restart.ok ? `a restart was not allowed (fix: ${restartFix})` : `a restart is not possible (${input.restart.why}); make RPC work, or stop the gateway (${commands.openclaw(['gateway', 'stop'])}), prune, and start it again`}; nothing was changed`,
      };
  }
}

/**
 * No gateway answers. One may still be there: a live gateway process holding this config's lock
 * on another port (unreachableGateway), or a hung one on the probed port (unansweringListener). It
 * holds its runtime handles, and on a version whose store has no cross-process lock (5.2–7.x) or
 * is SQLite (8.1+) it writes the store without ours. So then nothing is written; otherwise the
 * sessions that may hold a handle stay: an `acp` object in the file (4.x), or a slot counted from
 * state/openclaw.sqlite (7.x+, whose entries carry no `acp`; observed on 2026.7.35 with the
 * gateway stopped, where counting `acp` objects alone let a file prune through).
 */
function chooseWithoutAnswer(input: RecomputeInput): RecomputeDecision {
  const absent = maybePresentGateway(input);
  if (!absent) {
    const note = input.requested === 'rpc' || input.requested === 'restart' ? 'no gateway is running: nothing to recompute; the file is pruned directly' : null;
    return { method: 'file', note };
  }
  if (input.generation === 'unlocked-json' || input.generation === 'sqlite') {
    const what = input.generation === 'sqlite' ? 'OpenClaw 8.1+ stores change only through the gateway' : "this OpenClaw version (5.2–7.x) has no cross-process store lock, so only its gateway may write the store";
    return { method: 'refuse', kind: 'unsafe', why: `${absent.what}: ${what}; ${absent.fix}; nothing was changed` };
  }
  const holders = input.acpEntries;
  if (holders > 0) {
    return {
      method: 'refuse',
      kind: 'not-recomputed',
      why: `${absent.what}: removing ${holders} session${holders === 1 ? '' : 's'} that may hold an ACP runtime handle from the file could orphan ${holders === 1 ? 'it' : 'them'}; ${absent.fix}; nothing was changed`,
    };
  }
  // Entries without a handle: the file edit under the gateway's lock is safe.
  return { method: 'file', note: `${absent.what}; no planned session has an ACP handle, so the file is pruned directly` };
}

/** What may be a gateway that does not answer, and how to reach it; null when nothing suggests one. */
function maybePresentGateway(input: RecomputeInput): { what: string; fix: string } | null {
  const away = input.unreachableGateway;
  if (away) {
    const who = away.pid === null ? 'a gateway process' : `gateway pid ${away.pid}`;
    return { what: `nothing answers on the gateway port, but ${who} holds this config's lock (${away.why})`, fix: 'point the tool at the port that gateway listens on (OPENCLAW_GATEWAY_PORT, gateway.port in its config, or --url) and run again' };
  }
  const silent = input.unansweringListener;
  if (silent?.advice) return { what: `port ${silent.port} accepts connections but nothing there answers as a gateway (${silent.advice.clause})`, fix: silent.advice.fix };
  if (silent) {
    const who = silent.pid === null ? 'a hung gateway, or another program' : `gateway pid ${silent.pid} holds this config's lock and the socket: it is hung`;
    return { what: `port ${silent.port} accepts connections but nothing there answers as a gateway (${who})`, fix: `run again once it answers (a hung gateway: ${(input.commands ?? UNPINNED_COMMANDS).openclaw(['gateway', 'restart'])}; another program: ss -ltnp 'sport = :${silent.port}' shows it)` };
  }
  return null;
}

/**
 * Another install's gateway answers on this install's port (a copy of a state dir keeps the
 * original's port and token): it is never asked to delete this install's sessions, and this
 * install's own gateway cannot be listening there, so what helps is a port of the copy's own.
 */
export function foreignGatewayClause(foreign: { port: number; pid: number; dir: string }): string {
  return `the gateway answering on this install's port ${foreign.port} (pid ${foreign.pid}) serves ${foreign.dir}: another install's, never asked to delete this install's sessions`;
}

/** What lets a copy of a state dir be pruned while the original's gateway runs. */
export const FOREIGN_GATEWAY_FIX = 'to prune a copy of a state dir, give the copy its own port (OPENCLAW_GATEWAY_PORT, or gateway.port in its config)';

function foreignWhy(foreign: { port: number; pid: number; dir: string }, acpEntries: number): string {
  return `${foreignGatewayClause(foreign)}, so the ${acpEntries} ACP entr${acpEntries === 1 ? 'y stays' : 'ies stay'} while it answers there; ${FOREIGN_GATEWAY_FIX}; nothing was changed`;
}
