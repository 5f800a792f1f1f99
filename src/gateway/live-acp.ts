/**
 * The gateway's live ACP count: how many runtime handles it holds in memory right now — the
 * number `acp.maxConcurrentSessions` is checked against (docs/openclaw.md §1). No RPC method exposes it in
 * 2026.4.2, 4.29, 7.35 or 9.6 (their method lists were read), so it is read the way an operator
 * does: the `/acp doctor` chat command, which the gateway answers itself without a model.
 *
 * `chat.send` answers at once with `{runId, status: "started"}`; the reply arrives as a `chat`
 * event `{runId, state: "final", message: {content: [{type: "text", text}]}}` (docs/real-gateway-notes.md).
 * The command and its reply are written to the transcript of the session they are sent to, so
 * they go to a session of this tool's own (`agent:<agent>:openclaw-sessions-probe-<id>`), which
 * is deleted afterwards (`sessions.delete`, transcript archived): no user session is touched.
 * A gateway's first chat command after a start loads its plugins and the ACP module lazily
 * (observed 15–19 s on 4.2, 21–76 s on 4.29, as slow after a minute of idle uptime:
 * docs/openclaw-first-read.md); a read that times out then says what the gateway did meanwhile
 * (pending-read.ts). The delete comes after the answer and is not waited for here: on 4.29 it
 * took 7–22 s (docs/openclaw-probe-delete.md).
 */
import { randomUUID } from 'node:crypto';
import type { GatewayRpc } from './rpc-client.js';
import { removeProbeArchive } from './probe-archive.js';
import { RpcError } from './rpc-error.js';
import { PROBE_KEY_MARK, PROBE_LEFTOVER_AFTER_MS } from '../sessions/keys.js';
import { PROBE_DELETE_TIMEOUT_MS } from '../defaults.js';
import { pendingReadWhy } from './pending-read.js';
import { trackProbeDeletes, type ProgressLine } from './probe-deletes.js';

export interface AcpDoctorReport {
  /** Runtime handles in the gateway's cache: what the cap counts. */
  activeRuntimeSessions: number;
  /** `acp.runtime.ttlMinutes` in ms; 0 = idle handles are never evicted. */
  runtimeIdleTtlMs: number | null;
  evictedIdleRuntimes: number | null;
  activeTurns: number | null;
  queueDepth: number | null;
  turnCounts: { completed: number; failed: number } | null;
  /** Failed turns by ACP error code, e.g. `{ ACP_TURN_FAILED: 3 }`. */
  errorCodes: Record<string, number>;
  /** `healthy: yes` line present (the backend answered its capabilities probe). */
  healthy: boolean | null;
  configuredBackend: string | null;
}


export function probeSessionKey(agentId: string, id: string = randomUUID()): string {
  return `agent:${agentId}:${PROBE_KEY_MARK}${id}`;
}

/**
 * Parses the `/acp doctor` reply (2026.4.2 and 4.29 print the same `key: value` lines:
 * src/auto-reply/reply/commands-acp/diagnostics.ts). Null when the text has no
 * `activeRuntimeSessions` line (ACP disabled, an error reply, another command's answer).
 */
export function parseAcpDoctor(text: string): AcpDoctorReport | null {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z][A-Za-z0-9]*):\s*(.*?)\s*$/.exec(line);
    if (match && !fields.has(match[1]!)) fields.set(match[1]!, match[2]!);
  }
  const active = integer(fields.get('activeRuntimeSessions'));
  if (active === null) return null;
  const turns = /completed=(\d+),\s*failed=(\d+)/.exec(fields.get('turnCounts') ?? '');
  const errorCodes: Record<string, number> = {};
  const codes = fields.get('errorCodes') ?? '';
  if (codes !== '(none)') {
    for (const part of codes.split(',')) {
      const match = /^\s*([A-Za-z0-9_.-]+)=(\d+)\s*$/.exec(part);
      if (match) errorCodes[match[1]!] = Number(match[2]);
    }
  }
  const healthy = fields.get('healthy');
  return {
    activeRuntimeSessions: active,
    runtimeIdleTtlMs: integer(fields.get('runtimeIdleTtlMs')),
    evictedIdleRuntimes: integer(fields.get('evictedIdleRuntimes')),
    activeTurns: integer(fields.get('activeTurns')),
    queueDepth: integer(fields.get('queueDepth')),
    turnCounts: turns ? { completed: Number(turns[1]), failed: Number(turns[2]) } : null,
    errorCodes,
    healthy: healthy === undefined ? null : healthy === 'yes',
    configuredBackend: fields.get('configuredBackend') ?? null,
  };
}

function integer(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/** The text of a final `chat` event for `runId`, or null for any other frame. */
export function chatReplyText(payload: unknown, runId: string): { final: true; text: string } | { final: true; error: string } | null {
  const p = payload as { runId?: unknown; state?: unknown; errorMessage?: unknown; message?: { content?: Array<{ text?: unknown }> } } | null;
  if (!p || p.runId !== runId) return null;
  if (p.state === 'error') return { final: true, error: typeof p.errorMessage === 'string' ? p.errorMessage : 'the gateway reported an error' };
  if (p.state !== 'final') return null;
  const text = (p.message?.content ?? []).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
  return { final: true, text };
}

/**
 * The reading, known as soon as the gateway answered `/acp doctor`. `probeDeleted`: the delete of
 * the probe session (then of leftovers of earlier runs), still in flight when the reading is
 * returned; true when the gateway answered the delete. The caller keeps the connection open
 * until it settles (probe.ts), and anything that changes the gateway waits for it first
 * (probe-deletes.ts): the count never depends on it, the probe never holds an ACP handle.
 */
export type LiveAcpReading = ({ ok: true; report: AcpDoctorReport; probeKey: string } | { ok: false; why: string }) & { probeDeleted: Promise<boolean> };

export interface LiveAcpOptions {
  agentId: string;
  timeoutMs?: number;
  /**
   * The local directory where the gateway archives this agent's transcripts (a gateway on this
   * host only): the probe's own `.deleted.` archive is removed from it after the delete.
   */
  archiveDir?: string | null;
  /** Told once when the answer is slow (PROGRESS_AFTER_MS): a terminal's stderr only. */
  progress?: ProgressLine;
  /** How long the probe's sessions.delete may take, ms (default PROBE_DELETE_TIMEOUT_MS). */
  deleteTimeoutMs?: number;
  /**
   * CPU time the gateway process has used so far, ms (a verified local gateway: /proc); null or
   * absent when it cannot be measured. Tells a gateway still loading from one stopped or stuck
   * when the reply does not come in time (pending-read.ts).
   */
  gatewayCpuMs?: () => number | null;
}

/** How long a live read runs before the operator on a terminal is told what it waits for, ms. */
const PROGRESS_AFTER_MS = 2000;

/**
 * Sends `/acp doctor` in a fresh session of this tool's own and parses the reply; then deletes
 * that session whatever happened, without waiting (`probeDeleted`). Never throws.
 */
export async function readLiveAcp(client: GatewayRpc, options: LiveAcpOptions): Promise<LiveAcpReading> {
  const key = probeSessionKey(options.agentId);
  const archiveDir = options.archiveDir ?? null;
  const progress = options.progress;
  const slow = progress
    ? setTimeout(() => progress("waiting for the gateway's live ACP count (/acp doctor): its first after a start loads its plugins and ACP runtime, 21–76 s on OpenClaw 2026.4.29…"), PROGRESS_AFTER_MS)
    : undefined;
  slow?.unref();
  let reading: Awaited<ReturnType<typeof askAcpDoctor>>;
  try {
    reading = await askAcpDoctor(client, key, options.timeoutMs ?? 60_000, options.gatewayCpuMs ?? (() => null));
  } finally {
    clearTimeout(slow);
  }
  // A failed read still may have created the session: it is deleted too (idempotent). Leftovers
  // of earlier runs only when the gateway answers, the read and the delete: one that stopped
  // answering is not asked more (each call would wait out its own timeout before the exit).
  const probeDeleted = (async () => {
    const deleted = await deleteProbe(client, key, archiveDir, options.deleteTimeoutMs ?? PROBE_DELETE_TIMEOUT_MS);
    if (reading.ok && deleted !== 'unanswered') await removeLeftoverProbes(client, archiveDir);
    return deleted === 'deleted';
  })();
  trackProbeDeletes(probeDeleted);
  return { ...reading, probeDeleted };
}

async function askAcpDoctor(client: GatewayRpc, key: string, timeoutMs: number, gatewayCpuMs: () => number | null): Promise<{ ok: true; report: AcpDoctorReport; probeKey: string } | { ok: false; why: string }> {
  const runId = randomUUID();
  let settle: (value: { text: string } | { error: string }) => void = () => undefined;
  const reply = new Promise<{ text: string } | { error: string }>((resolve) => (settle = resolve));
  // Subscribe before sending: the reply can arrive before chat.send's own answer.
  const off = client.onEvent((event, payload) => {
    if (event !== 'chat') return;
    const got = chatReplyText(payload, runId);
    if (got) settle('text' in got ? { text: got.text } : { error: got.error });
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await client.call('chat.send', { sessionKey: key, message: '/acp doctor', idempotencyKey: runId }, { timeoutMs: Math.min(timeoutMs, 30_000) });
    // Acknowledged: the gateway took the command. What its process does until the reply tells
    // loading (CPU) from stopped or stuck (none), should the reply not come in time.
    const acknowledgedAt = Date.now();
    const cpuAtAck = gatewayCpuMs();
    const outcome = await Promise.race([
      reply,
      new Promise<'pending'>((resolve) => {
        timer = setTimeout(() => resolve('pending'), timeoutMs);
      }),
    ]);
    if (outcome === 'pending') {
      const cpuNow = gatewayCpuMs();
      const gatewayCpu = cpuAtAck !== null && cpuNow !== null && cpuNow >= cpuAtAck ? cpuNow - cpuAtAck : null;
      return { ok: false, why: pendingReadWhy({ waitedMs: Date.now() - acknowledgedAt, gatewayCpuMs: gatewayCpu }) };
    }
    if ('error' in outcome) return { ok: false, why: `/acp doctor: ${outcome.error}` };
    const report = parseAcpDoctor(outcome.text);
    if (!report) return { ok: false, why: `/acp doctor gave no activeRuntimeSessions line (${JSON.stringify(outcome.text.slice(0, 120))})` };
    return { ok: true, report, probeKey: key };
  } catch (error) {
    return { ok: false, why: `/acp doctor: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
    off();
  }
}

/** Deletes probe sessions of earlier, interrupted runs (never a younger one: another run may be using it). */
async function removeLeftoverProbes(client: GatewayRpc, archiveDir: string | null): Promise<void> {
  try {
    const listing = await client.call<{ sessions?: Array<{ key?: unknown; updatedAt?: unknown; sessionId?: unknown }> }>('sessions.list', { search: PROBE_KEY_MARK }, { timeoutMs: 15_000 });
    const now = Date.now();
    for (const row of listing?.sessions ?? []) {
      if (typeof row.key !== 'string' || !row.key.includes(`:${PROBE_KEY_MARK}`)) continue;
      if (typeof row.updatedAt !== 'number' || now - row.updatedAt <= PROBE_LEFTOVER_AFTER_MS) continue;
      // Its archive too, as for the run's own probe (deleteProbe).
      const deleted = await deleteProbeSession(client, row.key);
      if (deleted === 'unanswered') return;
      if (deleted === 'deleted' && archiveDir && typeof row.sessionId === 'string') removeProbeArchive(archiveDir, row.sessionId);
    }
  } catch {
    // best effort: the reading itself does not depend on it
  }
}

/**
 * Deletes the probe session and, on a local gateway, the archive the delete leaves: 4.2 renames
 * the transcript to `<sessionId>.jsonl.deleted.<time>` and keeps it (docs/openclaw-metrics.md), one
 * file per live read, ~1,440 a day from a metrics timer. The session id comes from the gateway's
 * own row for the probe key, so only that session's archive can match.
 */
async function deleteProbe(client: GatewayRpc, key: string, archiveDir: string | null, timeoutMs: number): Promise<DeleteOutcome> {
  const sessionId = archiveDir ? await probeSessionId(client, key) : null;
  const deleted = await deleteProbeSession(client, key, timeoutMs);
  if (deleted === 'deleted' && archiveDir && sessionId) removeProbeArchive(archiveDir, sessionId);
  return deleted;
}

/** The gateway deleted the session, answered with an error, or gave no answer (timeout, connection gone). */
type DeleteOutcome = 'deleted' | 'refused' | 'unanswered';

async function probeSessionId(client: GatewayRpc, key: string): Promise<string | null> {
  try {
    const listing = await client.call<{ sessions?: Array<{ key?: unknown; sessionId?: unknown }> }>('sessions.list', { search: key }, { timeoutMs: 15_000 });
    const row = (listing?.sessions ?? []).find((candidate) => typeof candidate.key === 'string' && candidate.key.toLowerCase() === key.toLowerCase());
    return typeof row?.sessionId === 'string' ? row.sessionId : null;
  } catch {
    return null;
  }
}

async function deleteProbeSession(client: GatewayRpc, key: string, timeoutMs = PROBE_DELETE_TIMEOUT_MS): Promise<DeleteOutcome> {
  try {
    await client.call('sessions.delete', { key, deleteTranscript: true }, { timeoutMs });
    return 'deleted';
  } catch (error) {
    return error instanceof RpcError && (error.kind === 'method' || error.kind === 'auth') ? 'refused' : 'unanswered';
  }
}
