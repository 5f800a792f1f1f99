/**
 * What `metrics` exports, as plain data (pure): every metric family with its HELP text, its
 * labels and its samples, computed from one collection of an install. Rendering to the text
 * exposition format is exposition.ts's job; the README's metric table is checked against
 * METRIC_HELP by a test, so a metric cannot be added without being documented.
 *
 * Naming follows Prometheus conventions: `openclaw_` prefix, base units in the name
 * (`_seconds`, `_bytes`), 1/0 gauges for up/readable, `_info` gauges carrying a label with value 1.
 * A family whose value is unknown is absent, never 0 (e.g. no cap set, live count unreadable).
 */
import { SESSION_STATES, type SessionState } from '../sessions/classify.js';
import { SESSION_KINDS, type SessionKind } from '../sessions/keys.js';
import type { PruneStatus } from '../prune/run-status.js';
import type { SilentVerdict } from '../gateway/silent-gateway.js';

export interface MetricsSession {
  agentId: string;
  kind: SessionKind;
  state: SessionState;
  holdsSlot: boolean;
  /** Milliseconds since the session's last activity; null for an invalid entry. */
  ageMs: number | null;
}

export interface MetricsStore {
  agentId: string;
  path: string;
  readable: boolean;
  /** File size; null when it could not even be stat'ed. */
  sizeBytes: number | null;
}

/** The live count as read from the running gateway, or why it could not be. */
export type LiveCount = { ok: true; activeRuntimeSessions: number } | { ok: false; why: string };

export interface MetricsInput {
  sessions: readonly MetricsSession[];
  /** The sessions a default `prune` would take (the planner's items). */
  prunable: ReadonlyArray<{ agentId: string; holdsSlot: boolean }>;
  stores: readonly MetricsStore[];
  /** `acp.maxConcurrentSessions`; null when unset (no limit). */
  cap: number | null;
  /**
   * Whether the ACP state kept in state/openclaw.sqlite (OpenClaw 6.1+) could be read; null (or
   * absent) when the install keeps it in the entries. false: which sessions hold slots is unknown.
   */
  acpStateReadable?: boolean | null;
  /**
   * `silent`: what this install's verified gateway was measured doing while it held its port and
   * gave no response within 2 s (gateway/silent-gateway.ts judgeSilentGateway); null or absent when
   * it answered, or none holds the port.
   */
  gateway: { up: boolean; version: string | null; silent?: SilentVerdict | null };
  /** null when not attempted (no gateway up, or --no-rpc). */
  live: LiveCount | null;
  /** Root's environment secrets (variable names) a root run withheld from the gateway (gateway/root-secrets.ts). */
  withheldSecrets?: readonly string[];
  lastPrune: PruneStatus | null;
  toolVersion: string;
  /** Wall time the collection took, in seconds. */
  collectSeconds: number;
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  labelNames: readonly string[];
  samples: Sample[];
}

/** Every family this tool can export, with its HELP text (the README documents each). */
export const METRIC_HELP = {
  openclaw_sessions: 'Sessions in the stores, by agent, kind (from the session key) and state (as list classifies them); absent for an agent whose store cannot be read.',
  openclaw_sessions_prunable: 'Sessions a default prune would remove now (terminal, not main, quiet for the 10m grace period).',
  openclaw_acp_slots_prunable: 'ACP slots held by sessions a default prune would remove.',
  openclaw_acp_slots_held: 'ACP runtime slots the stores say the gateway holds (sessions with an acp object the gateway keeps a handle for); absent while the ACP state or any store cannot be read.',
  openclaw_acp_slots_held_by_state: 'ACP slots held on disk, by the holding session\'s state.',
  openclaw_acp_errored_slot_oldest_age_seconds: 'Seconds since the last activity of the oldest errored ACP session that still holds a slot (absent when none).',
  openclaw_acp_state_readable: '1 when the ACP session state in state/openclaw.sqlite (OpenClaw 2026.6.1+) could be read, 0 when not: ACP sessions are then unknown, never pruned, and the slots held on disk are absent (absent when the install keeps ACP state in its entries).',
  openclaw_acp_slots_cap: 'acp.maxConcurrentSessions from the OpenClaw config (absent when unset: no limit).',
  openclaw_acp_active_runtime_sessions: 'ACP runtime handles the running gateway holds, as its /acp doctor reports activeRuntimeSessions (absent when it cannot be read).',
  openclaw_gateway_up: '1 when a verified gateway for this install is running and ready, else 0.',
  openclaw_gateway_info: 'The running gateway\'s OpenClaw version (value 1; absent when no gateway is up).',
  openclaw_gateway_silent: 'Value 1, labelled with what it was measured doing (verdict: busy, stopped, stuck, unknown), when this install\'s verified gateway holds its port but gave no response within 2 s (absent otherwise): with openclaw_gateway_up 0, a gateway busy for seconds (2026.4.29 deleting a session) or hung, not one that is down.',
  openclaw_gateway_secret_withheld: 'Value 1 for each gateway secret in root\'s environment (label variable: OPENCLAW_GATEWAY_TOKEN, OPENCLAW_GATEWAY_PASSWORD) that a root run withheld from the gateway of another user\'s install, which does not hold that value itself (absent when none was).',
  openclaw_sessions_store_bytes: 'Size of the agent\'s session store file(s) in bytes.',
  openclaw_sessions_store_readable: '1 when every session store of the agent reads and parses, 0 when one does not (the gateway treats an unparsable store as empty).',
  openclaw_sessions_last_prune_timestamp_seconds: 'When the last prune run (not a dry run) finished, as a Unix time.',
  openclaw_sessions_last_prune_removed: 'Sessions the last prune run removed.',
  openclaw_sessions_last_prune_slots_freed: "ACP slots the last prune run freed, as the drop in the gateway's live count (absent when it could not be measured).",
  openclaw_sessions_last_prune_exit_code: 'Exit code of the last prune run (0 ok; see openclaw-sessions --help).',
  openclaw_sessions_last_prune_duration_seconds: 'How long the last prune run took.',
  openclaw_sessions_last_successful_prune_timestamp_seconds: 'When the last prune run that exited 0 finished, as a Unix time.',
  openclaw_sessions_collect_success: '1 when this collection read the install, 0 when it failed (the other series are then absent).',
  openclaw_sessions_collect_duration_seconds: 'How long this collection took.',
  openclaw_sessions_build_info: 'The openclaw-sessions version that wrote these metrics (value 1).',
} as const;

export type MetricName = keyof typeof METRIC_HELP;

function family(name: MetricName, labelNames: readonly string[], samples: Sample[]): MetricFamily {
  return { name, help: METRIC_HELP[name], labelNames, samples };
}

const single = (value: number): Sample[] => [{ labels: {}, value }];

/** The families of a successful collection, in exposition order; empty families are left out. */
export function metricFamilies(input: MetricsInput): MetricFamily[] {
  const agents = agentsOf(input);
  const families: MetricFamily[] = [];
  // An agent whose store could not be read has counts nobody measured: its series are absent, not 0
  // (helper-28: `openclaw_acp_slots_held{agent="main"} 0` beside an unparsable store of main's).
  const unread = new Set(input.stores.filter((store) => !store.readable).map((store) => store.agentId));
  const counted = agents.filter((agent) => !unread.has(agent));

  // Sessions by agent × kind × state: every combination, so a count that drops to 0 shows as 0.
  // Counted into one flat array per agent (a string key per session costs ~0.5 s at 100k).
  const kindIndex = new Map<string, number>(SESSION_KINDS.map((kind, i) => [kind, i]));
  const stateIndex = new Map<string, number>(SESSION_STATES.map((state, i) => [state, i]));
  const width = SESSION_STATES.length;
  const grid = new Map<string, number[]>();
  const heldByState = new Map<string, number[]>();
  const oldestErrored = new Map<string, number>();
  for (const s of input.sessions) {
    let counts = grid.get(s.agentId);
    if (!counts) grid.set(s.agentId, (counts = new Array<number>(SESSION_KINDS.length * width).fill(0)));
    const state = stateIndex.get(s.state)!;
    counts[kindIndex.get(s.kind)! * width + state]!++;
    if (!s.holdsSlot) continue;
    let held = heldByState.get(s.agentId);
    if (!held) heldByState.set(s.agentId, (held = new Array<number>(width).fill(0)));
    held[state]!++;
    if (s.state === 'errored' && s.ageMs !== null) oldestErrored.set(s.agentId, Math.max(oldestErrored.get(s.agentId) ?? 0, s.ageMs / 1000));
  }
  const sessionSamples: Sample[] = [];
  for (const agent of counted) {
    const counts = grid.get(agent);
    SESSION_KINDS.forEach((kind, k) => SESSION_STATES.forEach((state, st) => sessionSamples.push({ labels: { agent, kind, state }, value: counts?.[k * width + st] ?? 0 })));
  }
  families.push(family('openclaw_sessions', ['agent', 'kind', 'state'], sessionSamples));

  families.push(family('openclaw_sessions_prunable', ['agent'], perAgent(counted, input.prunable, () => true)));
  families.push(family('openclaw_acp_slots_prunable', ['agent'], perAgent(counted, input.prunable, (p) => p.holdsSlot)));

  // Unknown, not 0, while the ACP state cannot be read: a 0 here against a live count of 3 made the
  // shipped orphaned-handles alert fire on a real 2026.7.35 gateway read from Node 20.
  // Likewise, all of them, while any store is unreadable: the shipped orphaned-handles alert sets the
  // live count against their sum across agents, which would then leave that store's slots out.
  if (input.acpStateReadable !== false && unread.size === 0) families.push(...heldFamilies(agents, heldByState));
  families.push(family('openclaw_acp_errored_slot_oldest_age_seconds', ['agent'], agents.filter((agent) => oldestErrored.has(agent)).map((agent) => ({ labels: { agent }, value: oldestErrored.get(agent)! }))));

  if (input.acpStateReadable !== undefined && input.acpStateReadable !== null) families.push(family('openclaw_acp_state_readable', [], single(input.acpStateReadable ? 1 : 0)));
  if (input.cap !== null) families.push(family('openclaw_acp_slots_cap', [], single(input.cap)));
  if (input.live?.ok) families.push(family('openclaw_acp_active_runtime_sessions', [], single(input.live.activeRuntimeSessions)));
  families.push(family('openclaw_gateway_up', [], single(input.gateway.up ? 1 : 0)));
  if (input.gateway.silent) families.push(family('openclaw_gateway_silent', ['verdict'], [{ labels: { verdict: input.gateway.silent }, value: 1 }]));
  if (input.gateway.up) families.push(family('openclaw_gateway_info', ['version'], [{ labels: { version: input.gateway.version ?? 'unknown' }, value: 1 }]));
  families.push(family('openclaw_gateway_secret_withheld', ['variable'], (input.withheldSecrets ?? []).map((variable) => ({ labels: { variable }, value: 1 }))));

  const storeAgents = [...new Set(input.stores.map((s) => s.agentId))].sort();
  const bytes: Sample[] = [];
  const readable: Sample[] = [];
  for (const agent of storeAgents) {
    const stores = input.stores.filter((s) => s.agentId === agent);
    const sizes = stores.map((s) => s.sizeBytes).filter((n): n is number => n !== null);
    if (sizes.length > 0) bytes.push({ labels: { agent }, value: sizes.reduce((a, b) => a + b, 0) });
    readable.push({ labels: { agent }, value: stores.every((s) => s.readable) ? 1 : 0 });
  }
  families.push(family('openclaw_sessions_store_bytes', ['agent'], bytes));
  families.push(family('openclaw_sessions_store_readable', ['agent'], readable));

  const last = input.lastPrune?.last;
  if (last) {
    families.push(family('openclaw_sessions_last_prune_timestamp_seconds', [], single(unixSeconds(last.finishedAt))));
    families.push(family('openclaw_sessions_last_prune_removed', [], single(last.removed)));
    if (last.slotsFreed !== null) families.push(family('openclaw_sessions_last_prune_slots_freed', [], single(last.slotsFreed)));
    families.push(family('openclaw_sessions_last_prune_exit_code', [], single(last.exitCode)));
    families.push(family('openclaw_sessions_last_prune_duration_seconds', [], single(Math.max(0, Date.parse(last.finishedAt) - Date.parse(last.startedAt)) / 1000)));
  }
  const success = input.lastPrune?.lastSuccess;
  if (success) families.push(family('openclaw_sessions_last_successful_prune_timestamp_seconds', [], single(unixSeconds(success.finishedAt))));

  families.push(...collectorFamilies(true, input.toolVersion, input.collectSeconds));
  return families.filter((f) => f.samples.length > 0);
}

/** Slots held on disk per agent, and by the holder's state (only non-zero). */
function heldFamilies(agents: string[], heldByState: Map<string, number[]>): MetricFamily[] {
  const byState: Sample[] = [];
  for (const agent of agents) {
    const held = heldByState.get(agent);
    SESSION_STATES.forEach((state, st) => {
      if (held?.[st]) byState.push({ labels: { agent, state }, value: held[st]! });
    });
  }
  return [
    family('openclaw_acp_slots_held', ['agent'], agents.map((agent) => ({ labels: { agent }, value: (heldByState.get(agent) ?? []).reduce((a, b) => a + b, 0) }))),
    family('openclaw_acp_slots_held_by_state', ['agent', 'state'], byState),
  ];
}

/** What a failed collection still says: that it failed, who wrote it, how long it took. */
export function collectorFamilies(success: boolean, toolVersion: string, collectSeconds: number): MetricFamily[] {
  return [
    family('openclaw_sessions_collect_success', [], single(success ? 1 : 0)),
    family('openclaw_sessions_collect_duration_seconds', [], single(collectSeconds)),
    family('openclaw_sessions_build_info', ['version'], [{ labels: { version: toolVersion }, value: 1 }]),
  ];
}

/** Agents with a store or a session: each gets explicit zeros in the per-agent families. */
function agentsOf(input: MetricsInput): string[] {
  return [...new Set([...input.stores.map((s) => s.agentId), ...input.sessions.map((s) => s.agentId)])].sort();
}

function perAgent<T extends { agentId: string }>(agents: string[], items: readonly T[], counted: (item: T) => boolean): Sample[] {
  const counts = new Map<string, number>();
  for (const item of items) if (counted(item)) counts.set(item.agentId, (counts.get(item.agentId) ?? 0) + 1);
  return agents.map((agent) => ({ labels: { agent }, value: counts.get(agent) ?? 0 }));
}

function unixSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}
