/**
 * Which sessions a prune takes (pure). The hard rules hold whatever the filters say: only
 * terminal sessions, never a main session, never one that is running.
 */
import type { Classification } from './classify.js';
import { matchesFilter, type SessionFilter } from './filter.js';

export const DEFAULT_PRUNE_GRACE_MS = 10 * 60_000;

export interface PruneCriteria extends SessionFilter {
  /** Only keys matching one of these globs (`*`, `?`), when given. */
  keyGlobs?: string[];
  /** Keys matching one of these are protected. */
  keepGlobs?: string[];
}

type Plannable = Pick<Classification, 'state' | 'kind' | 'terminal' | 'ageMs'> & { key: string; entry: { acp?: unknown } | null };

/** The rules no flag can override. */
export function isEverPrunable(session: Pick<Classification, 'state' | 'kind' | 'terminal'>): boolean {
  return session.terminal && session.kind !== 'main' && session.state !== 'running';
}

export function isPrunableByDefault(session: Plannable): boolean {
  return isEverPrunable(session) && session.ageMs !== null && session.ageMs >= DEFAULT_PRUNE_GRACE_MS;
}

export function makePruneSelector(criteria: PruneCriteria): (session: Plannable) => boolean {
  const include = criteria.keyGlobs?.length ? criteria.keyGlobs.map(globToRegExp) : null;
  const keep = (criteria.keepGlobs ?? []).map(globToRegExp);
  const filter: SessionFilter = { ...criteria, olderThanMs: criteria.olderThanMs ?? DEFAULT_PRUNE_GRACE_MS };
  return (session) => {
    if (!isEverPrunable(session)) return false;
    if (!matchesFilter(session, filter)) return false;
    if (include && !include.some((re) => re.test(session.key))) return false;
    if (keep.some((re) => re.test(session.key))) return false;
    return true;
  };
}

/** `agent:*:acp:*` → a whole-key, case-insensitive pattern; `*` spans `:` too. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob.trim()]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}
