/**
 * The fields of a sessions.json entry that this tool reads (docs/openclaw.md §4).
 *
 * Parsing strips everything else from the *parsed view only*; the raw entry object is what a
 * write serialises, so fields this schema does not know survive untouched.
 */
import { z } from './validate.js';

// zod 4: z.number() refuses NaN and ±Infinity, as `updatedAt` must be a real time.
const finiteMs = z.number();

export const acpIdentitySchema = z.object({
  state: z.optional(z.string()),
  source: z.optional(z.string()),
  lastUpdatedAt: z.optional(finiteMs),
});

export const acpMetaSchema = z.object({
  backend: z.optional(z.string()),
  agent: z.optional(z.string()),
  runtimeSessionName: z.optional(z.string()),
  // Unknown future modes/states are read as strings and classified conservatively.
  mode: z.optional(z.string()),
  state: z.optional(z.string()),
  lastActivityAt: z.optional(finiteMs),
  lastError: z.nullish(z.string()),
  identity: z.nullish(acpIdentitySchema),
});

export const sessionEntrySchema = z.object({
  sessionId: z.string().check(z.minLength(1)),
  updatedAt: finiteMs,
  status: z.nullish(z.string()),
  startedAt: z.nullish(finiteMs),
  endedAt: z.nullish(finiteMs),
  abortedLastRun: z.nullish(z.boolean()),
  sessionFile: z.nullish(z.string()),
  label: z.nullish(z.string()),
  displayName: z.nullish(z.string()),
  spawnedBy: z.nullish(z.string()),
  parentSessionKey: z.nullish(z.string()),
  acp: z.nullish(acpMetaSchema),
  /** 9.x: the id an `acp_sessions.session_id` may name instead of `sessionId` (docs/openclaw-versions.md). */
  lifecycleRevision: z.nullish(z.string()),
});

export type SessionEntry = z.infer<typeof sessionEntrySchema>;
export type AcpMeta = z.infer<typeof acpMetaSchema>;

export type EntryReading =
  | { ok: true; entry: SessionEntry }
  | { ok: false; reason: string };

/** Validate one raw entry; the reason names the first offending field. */
export function readEntry(raw: unknown): EntryReading {
  const result = sessionEntrySchema.safeParse(raw);
  if (result.success) return { ok: true, entry: result.data };
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'entry';
  const detail = issue?.code === 'invalid_type' && typeof raw === 'object' && raw !== null && !Object.hasOwn(raw, String(issue.path[0]))
    ? 'missing'
    : issue?.message ?? 'invalid';
  return { ok: false, reason: `${field}: ${detail}` };
}
