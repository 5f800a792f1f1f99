/**
 * What a session key says about its session (docs/openclaw.md §4 key shapes). Pure.
 */
export const SESSION_KINDS = [
  'main',
  'direct',
  'group',
  'channel',
  'subagent',
  'acp',
  'acp-binding',
  'cron',
  'cron-run',
  'dashboard',
  'other',
] as const;

export type SessionKind = (typeof SESSION_KINDS)[number];

export interface ParsedKey {
  /** From `agent:<id>:…`; null for keys of another shape. */
  agentId: string | null;
  rest: string;
  kind: SessionKind;
}

/**
 * `agent:<id>:<rest>` split as OpenClaw splits it (2026.4.2 session-key-*.js, 2026.4.29
 * session-key-utils-*.js `parseAgentSessionKey`: lower-cased, empty segments dropped, at least 3).
 */
export function parseSessionKey(key: string): ParsedKey {
  const normalized = key.trim().toLowerCase();
  const parts = normalized.split(':').filter(Boolean);
  if (parts.length < 3 || parts[0] !== 'agent') return { agentId: null, rest: normalized, kind: normalized === 'main' ? 'main' : 'other' };
  const rest = parts.slice(2).join(':');
  return { agentId: parts[1]!, rest, kind: kindOfRest(rest, parts.slice(2)) };
}

function kindOfRest(rest: string, parts: string[]): SessionKind {
  const [first, second] = parts;
  if (parts.length === 1 && first === 'main') return 'main';
  // OpenClaw's own tests (`isSubagentSessionKey`, `isCronRunSessionKey`, `isAcpSessionKey`; same
  // files): a run's key starts with its marker. A `subagent` segment further on is a peer's or a
  // thread's name (helper-28: `agent:main:telegram:direct:subagent:2` was read as a run and pruned
  // by default); nested subagents still start with `subagent:`.
  if (first === 'subagent') return 'subagent';
  if (first === 'acp') return second === 'binding' ? 'acp-binding' : 'acp';
  if (first === 'cron') return /^cron:[^:]+:run:[^:]+$/.test(rest) ? 'cron-run' : 'cron';
  if (first === 'dashboard') return 'dashboard';
  if (parts.includes('direct')) return 'direct';
  // `<channel>:group:<peer>[:thread:<t>]` / `<channel>:channel:<peer>…`: the marker is the
  // second segment; a later `channel` could be a peer name.
  if (second === 'group') return 'group';
  if (second === 'channel') return 'channel';
  return 'other';
}

/**
 * The mark in the keys of this tool's own sessions: the live ACP count is read by sending
 * `/acp doctor` to `agent:<agent>:openclaw-sessions-probe-<uuid>`, deleted afterwards
 * (gateway/live-acp.ts). A run stopped between the two leaves one behind.
 */
export const PROBE_KEY_MARK = 'openclaw-sessions-probe-';

/**
 * A probe session quiet this long is a stopped run's leftover, which the next live read deletes;
 * a younger one may be another run's, still waiting for its reply (the read takes up to 25 s).
 */
export const PROBE_LEFTOVER_AFTER_MS = 10 * 60_000;

export function isAcpKind(kind: SessionKind): boolean {
  return kind === 'acp' || kind === 'acp-binding';
}

/**
 * Runs end; conversations do not. Subagent runs, cron runs and ACP sessions are runs (their
 * terminal states may be pruned). Everything else — main, direct, group, channel, thread,
 * dashboard, a cron job's own session, HTTP `openai` sessions, and any key shape this version
 * does not recognise — is a conversation: its `status` is only its last turn's (docs/openclaw.md §4).
 */
export function isConversationKind(kind: SessionKind): boolean {
  return !(kind === 'subagent' || kind === 'cron-run' || isAcpKind(kind));
}
