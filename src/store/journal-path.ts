/**
 * Where a store's undo journal lives: beside the store, under this tool's own name. Apart from
 * the journal itself (journal.ts) so that what only needs the name (list's disk summary, clean)
 * loads neither the journal's validation nor node:crypto.
 */
import { TOOL_INFIX } from './safe-fs.js';

// Not .jsonl: OpenClaw treats .jsonl files in a sessions directory as transcripts.
export const JOURNAL_SUFFIX = `${TOOL_INFIX}.journal`;

/** `<store>.openclaw-sessions.journal` for a store path (no I/O). */
export function journalPathFor(storePath: string): string {
  return `${storePath}${JOURNAL_SUFFIX}`;
}
