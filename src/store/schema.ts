/**
 * The fields of a sessions.json entry that this tool reads (docs/openclaw.md §4), and the reader
 * that checks them.
 *
 * Reading strips everything else from the *parsed view only*; the raw entry object is what a
 * write serialises, so fields this reader does not know survive untouched.
 *
 * A table and a loop rather than zod: this runs once per entry (500 on a default-maintained
 * store, 100k on the largest seen), and zod's first few hundred parses in a fresh process cost
 * ~7 ms of a ~70 ms start-up where this costs ~1 ms (issue 11, bench/). The checks are zod's
 * `optional`/`nullish` semantics, field by field, and a test pins the reasons.
 */

/** `kind?` accepts undefined; `kind??` also null (OpenClaw writes both for "unset"). */
type FieldType = 'string' | 'nonEmptyString' | 'finiteNumber' | 'boolean' | 'string?' | 'finiteNumber?' | 'string??' | 'finiteNumber??' | 'boolean??';

const IDENTITY_FIELDS = { state: 'string?', source: 'string?', lastUpdatedAt: 'finiteNumber?' } as const satisfies Record<string, FieldType>;

const ACP_FIELDS = {
  backend: 'string?',
  agent: 'string?',
  runtimeSessionName: 'string?',
  // Unknown future modes/states are read as strings and classified conservatively.
  mode: 'string?',
  state: 'string?',
  lastActivityAt: 'finiteNumber?',
  lastError: 'string??',
} as const satisfies Record<string, FieldType>;

const ENTRY_FIELDS = {
  sessionId: 'nonEmptyString',
  // A real time: NaN and ±Infinity are refused, as zod's number() does.
  updatedAt: 'finiteNumber',
  status: 'string??',
  startedAt: 'finiteNumber??',
  endedAt: 'finiteNumber??',
  abortedLastRun: 'boolean??',
  sessionFile: 'string??',
  label: 'string??',
  displayName: 'string??',
  spawnedBy: 'string??',
  parentSessionKey: 'string??',
  /** 9.x: the id an `acp_sessions.session_id` may name instead of `sessionId` (docs/openclaw-versions.md). */
  lifecycleRevision: 'string??',
} as const satisfies Record<string, FieldType>;

export interface AcpIdentity {
  state?: string;
  source?: string;
  lastUpdatedAt?: number;
}

export interface AcpMeta {
  backend?: string;
  agent?: string;
  runtimeSessionName?: string;
  mode?: string;
  state?: string;
  lastActivityAt?: number;
  lastError?: string | null;
  identity?: AcpIdentity | null;
}

export interface SessionEntry {
  sessionId: string;
  updatedAt: number;
  status?: string | null;
  startedAt?: number | null;
  endedAt?: number | null;
  abortedLastRun?: boolean | null;
  sessionFile?: string | null;
  label?: string | null;
  displayName?: string | null;
  spawnedBy?: string | null;
  parentSessionKey?: string | null;
  acp?: AcpMeta | null;
  lifecycleRevision?: string | null;
}

export type EntryReading =
  | { ok: true; entry: SessionEntry }
  | { ok: false; reason: string };

/** Thrown inside the reader to stop at the first offending field; never escapes readEntry. */
class FieldProblem {
  constructor(readonly reason: string) {}
}

/**
 * Validate one raw entry: `{ ok: true, entry }` with only the known fields (a new object; `raw`
 * is not changed), or `{ ok: false, reason }` naming the first offending field as
 * `<path>: missing` or `<path>: expected <type>, received <type>`.
 */
export function readEntry(raw: unknown): EntryReading {
  try {
    const entry = readFields(raw, ENTRY, '') as unknown as SessionEntry;
    const acp = (raw as Record<string, unknown>).acp;
    if (acp !== undefined) entry.acp = acp === null ? null : readAcp(acp);
    return { ok: true, entry };
  } catch (error) {
    if (error instanceof FieldProblem) return { ok: false, reason: error.reason };
    throw error;
  }
}

function readAcp(raw: unknown): AcpMeta {
  const acp = readFields(raw, ACP, 'acp.') as AcpMeta;
  const identity = (raw as Record<string, unknown>).identity;
  if (identity !== undefined) acp.identity = identity === null ? null : (readFields(identity, IDENTITY, 'acp.identity.') as AcpIdentity);
  return acp;
}

interface Field {
  name: string;
  base: 'string' | 'nonEmptyString' | 'finiteNumber' | 'boolean';
  /** undefined is accepted (the field is left out). */
  optional: boolean;
  /** null is accepted and kept. */
  nullable: boolean;
}

/** A field table in the form the loop wants, built once. */
function compile(fields: Record<string, FieldType>): Field[] {
  return Object.entries(fields).map(([name, type]) => ({ name, base: type.replace(/\?+$/, '') as Field['base'], optional: type.endsWith('?'), nullable: type.endsWith('??') }));
}

const ENTRY = compile(ENTRY_FIELDS);
const ACP = compile(ACP_FIELDS);
const IDENTITY = compile(IDENTITY_FIELDS);

function readFields(raw: unknown, fields: readonly Field[], prefix: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FieldProblem(`${prefix ? prefix.slice(0, -1) : 'entry'}: expected object, received ${typeName(raw)}`);
  const source = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = source[field.name];
    if (value === undefined && field.optional) continue;
    if (value === null && field.nullable) {
      out[field.name] = null;
      continue;
    }
    if (!matches(value, field.base)) {
      const missing = value === undefined && !Object.hasOwn(source, field.name);
      throw new FieldProblem(`${prefix}${field.name}: ${missing ? 'missing' : `expected ${expected(field.base)}, received ${typeName(value)}`}`);
    }
    out[field.name] = value;
  }
  return out;
}

function matches(value: unknown, base: Field['base']): boolean {
  switch (base) {
    case 'string':
      return typeof value === 'string';
    case 'nonEmptyString':
      return typeof value === 'string' && value.length > 0;
    case 'finiteNumber':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function expected(base: Field['base']): string {
  return base === 'nonEmptyString' ? 'a non-empty string' : base === 'finiteNumber' ? 'a finite number' : base;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}
