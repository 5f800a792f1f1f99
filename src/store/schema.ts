/**
 * The fields of a sessions.json entry that this tool reads (docs/openclaw.md §4).
 *
 * Parsing strips everything else from the *parsed view only*; the raw entry object is what a
 * write serialises, so fields this schema does not know survive untouched.
 */
import { z } from 'zod';

const finiteMs = z.number().finite();

export const acpIdentitySchema = z.object({
  state: z.string().optional(),
  source: z.string().optional(),
  lastUpdatedAt: finiteMs.optional(),
});

export const acpMetaSchema = z.object({
  backend: z.string().optional(),
  agent: z.string().optional(),
  runtimeSessionName: z.string().optional(),
  // Unknown future modes/states are read as strings and classified conservatively.
  mode: z.string().optional(),
  state: z.string().optional(),
  lastActivityAt: finiteMs.optional(),
  lastError: z.string().nullish(),
  identity: acpIdentitySchema.nullish(),
});

export const sessionEntrySchema = z.object({
  sessionId: z.string().min(1),
  updatedAt: finiteMs,
  status: z.string().nullish(),
  startedAt: finiteMs.nullish(),
  endedAt: finiteMs.nullish(),
  sessionFile: z.string().nullish(),
  label: z.string().nullish(),
  displayName: z.string().nullish(),
  spawnedBy: z.string().nullish(),
  parentSessionKey: z.string().nullish(),
  acp: acpMetaSchema.nullish(),
});

export type SessionEntry = z.infer<typeof sessionEntrySchema>;

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
