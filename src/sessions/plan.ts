/**
 * Which sessions a prune takes (pure). The hard rules hold whatever the filters say: never a
 * main session, never one that is running or unreadable; runs only when terminal; conversations
 * only with the explicit opt-in (`--include-conversations`), and then only when quiet for its
 * own, longer grace period.
 */
import { DEFAULT_PRUNE_GRACE_MS } from '../defaults.js';

export { DEFAULT_CONVERSATION_GRACE_MS } from '../defaults.js';
import type { Classification } from './classify.js';
import { matchesFilter, type SessionFilter } from './filter.js';
import { compileGlob } from './glob.js';


export interface PruneCriteria extends SessionFilter {
  /** The opt-in: conversations (not main, not running) quiet for at least this long may go too. */
  includeConversationsOlderThanMs?: number;
  /** Only keys matching one of these globs (`*`, `?`), when given. */
  keyGlobs?: string[];
  /** Keys matching one of these are protected. */
  keepGlobs?: string[];
}

type Plannable = Pick<Classification, 'state' | 'kind' | 'terminal' | 'ageMs' | 'conversation'> & { key: string; entry: { acp?: unknown } | null };

/** The rules no flag can override: never main, running or invalid; a run only when terminal. */
export function isEverPrunable(session: Pick<Classification, 'state' | 'kind' | 'terminal' | 'conversation'>, includeConversations = false): boolean {
  if (session.kind === 'main' || session.state === 'running' || session.state === 'invalid') return false;
  if (session.conversation) return includeConversations;
  return session.terminal;
}

/** What a `prune` with no flags takes: terminal runs quiet for 10 minutes. Never a conversation. */
export function isPrunableByDefault(session: Plannable): boolean {
  return isEverPrunable(session) && session.ageMs !== null && session.ageMs >= DEFAULT_PRUNE_GRACE_MS;
}

export function makePruneSelector(criteria: PruneCriteria): (session: Plannable) => boolean {
  const include = criteria.keyGlobs?.length ? criteria.keyGlobs.map(compileGlob) : null;
  const keep = (criteria.keepGlobs ?? []).map(compileGlob);
  const optIn = criteria.includeConversationsOlderThanMs;
  const filter: SessionFilter = { ...criteria, olderThanMs: criteria.olderThanMs ?? DEFAULT_PRUNE_GRACE_MS };
  // A conversation needs both the run grace (--older-than) and its own, longer one.
  const conversationFilter: SessionFilter = { ...filter, terminalOnly: false, olderThanMs: Math.max(filter.olderThanMs!, optIn ?? 0) };
  return (session) => {
    if (!isEverPrunable(session, optIn !== undefined)) return false;
    if (!matchesFilter(session, session.conversation ? conversationFilter : filter)) return false;
    if (include && !include.some((matches) => matches(session.key))) return false;
    if (keep.some((matches) => matches(session.key))) return false;
    return true;
  };
}

export interface PlanCandidate extends Plannable {
  agentId: string;
  storePath: string;
  reason: string;
  holdsSlot: boolean;
  /** The raw entry as read when planning; the write re-checks it is unchanged. */
  raw: unknown;
}

export interface PrunePlanItem {
  agentId: string;
  storePath: string;
  key: string;
  kind: PlanCandidate['kind'];
  /** A conversation, taken only because of `--include-conversations`. */
  conversation: boolean;
  state: PlanCandidate['state'];
  reason: string;
  ageMs: number | null;
  holdsSlot: boolean;
  sessionId: string | null;
  /**
   * fingerprintOf the entry at planning time: a different entry under the lock is skipped. Null
   * in a dry run's plan, which removes nothing (the execute stage refuses an item without one).
   */
  fingerprint: string | null;
  raw: unknown;
}

export interface PrunePlan {
  items: PrunePlanItem[];
  /** Sessions considered, across all stores read. */
  totalSessions: number;
  /** Store path → the items to remove from it, in plan order. */
  byStore: Map<string, PrunePlanItem[]>;
  /** Items whose entry holds an ACP slot by what the store says: what the plan removes from disk, not what the gateway's count will drop by (only its live count shows that). */
  slotsHeldOnDisk: number;
}

/**
 * Plans once: the candidates the criteria select, in order, each with `fingerprint(raw)` (null
 * when no fingerprint is given: a dry run). The apply stage removes exactly this set, or less.
 */
export function planCandidates(candidates: readonly PlanCandidate[], criteria: PruneCriteria, fingerprint: ((raw: unknown) => string) | null): PrunePlan {
  const select = makePruneSelector(criteria);
  const items: PrunePlanItem[] = [];
  for (const candidate of candidates) {
    if (!select(candidate)) continue;
    const sessionId = (candidate.raw as { sessionId?: unknown } | null)?.sessionId;
    items.push({
      agentId: candidate.agentId,
      storePath: candidate.storePath,
      key: candidate.key,
      kind: candidate.kind,
      conversation: candidate.conversation,
      state: candidate.state,
      reason: candidate.reason,
      ageMs: candidate.ageMs,
      holdsSlot: candidate.holdsSlot,
      sessionId: typeof sessionId === 'string' ? sessionId : null,
      fingerprint: fingerprint ? fingerprint(candidate.raw) : null,
      raw: candidate.raw,
    });
  }
  return planOfItems(items, candidates.length);
}

/** A plan of exactly these items (a subset of another plan, say), grouped by store. */
export function planOfItems(items: PrunePlanItem[], totalSessions: number): PrunePlan {
  const byStore = new Map<string, PrunePlanItem[]>();
  for (const item of items) {
    const list = byStore.get(item.storePath) ?? [];
    list.push(item);
    byStore.set(item.storePath, list);
  }
  return { items, totalSessions, byStore, slotsHeldOnDisk: items.filter((item) => item.holdsSlot).length };
}

/**
 * "would prune 5 of 212 sessions, from 2 stores (2 of them conversations, opted in); 3 of them hold
 * ACP slots on disk". What the entries hold on disk, never "frees": a plan measures nothing, and
 * whether the gateway's count drops (it never drops a handle on its own, and with no gateway
 * running none is held) is what its live count shows after the run.
 */
export function describePlan(plan: PrunePlan, dryRun: boolean): string {
  const verb = dryRun ? 'would prune' : 'will prune';
  const stores = plan.byStore.size;
  const conversations = plan.items.filter((item) => item.conversation).length;
  const opted = conversations > 0 ? ` (${conversations} of them conversation${conversations === 1 ? '' : 's'}, --include-conversations)` : '';
  const held = plan.slotsHeldOnDisk;
  const slots = held > 0 ? `; ${held} of them hold${held === 1 ? 's an ACP slot' : ' ACP slots'} on disk` : '';
  return `${verb} ${plan.items.length} of ${plan.totalSessions} session${plan.totalSessions === 1 ? '' : 's'}, from ${stores} store${stores === 1 ? '' : 's'}${opted}${slots}`;
}
