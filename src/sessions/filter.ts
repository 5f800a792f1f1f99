/**
 * The filters `list` and `prune` share (`--state`, `--kind`, `--older-than`, `--acp`,
 * `--terminal`), as one pure predicate over classified sessions.
 */
import { InvalidValueError } from '../errors.js';
import { SESSION_STATES, type Classification, type SessionState } from './classify.js';
import { SESSION_KINDS, isAcpKind, type SessionKind } from './keys.js';

export interface SessionFilter {
  states?: ReadonlySet<SessionState>;
  kinds?: ReadonlySet<SessionKind>;
  olderThanMs?: number;
  acpOnly?: boolean;
  terminalOnly?: boolean;
}

type Filterable = Pick<Classification, 'state' | 'kind' | 'terminal' | 'ageMs'> & { entry: { acp?: unknown } | null };

export function matchesFilter(session: Filterable, filter: SessionFilter): boolean {
  if (filter.states && !filter.states.has(session.state)) return false;
  if (filter.kinds && !filter.kinds.has(session.kind)) return false;
  if (filter.terminalOnly && !session.terminal) return false;
  if (filter.acpOnly && !(isAcpKind(session.kind) || Boolean(session.entry?.acp))) return false;
  if (filter.olderThanMs !== undefined && (session.ageMs === null || session.ageMs < filter.olderThanMs)) return false;
  return true;
}

/** `errored,stale` → a checked set; an empty list or unknown name throws InvalidValueError listing the valid ones. */
export function parseStateList(text: string): Set<SessionState> {
  return parseList(text, SESSION_STATES);
}

export function parseKindList(text: string): Set<SessionKind> {
  return parseList(text, SESSION_KINDS);
}

function parseList<T extends string>(text: string, valid: readonly T[]): Set<T> {
  const names = text.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new InvalidValueError(text, valid.join(', '), { empty: true });
  const bad = names.filter((name) => !(valid as readonly string[]).includes(name));
  if (bad.length > 0) throw new InvalidValueError(bad[0]!, valid.join(', '));
  return new Set(names as T[]);
}
