/**
 * zod for what this tool reads at run time besides store entries (config, gateway lock files,
 * journal records, status files): `zod/mini`, the tree-shakable build of the same validator.
 * The full `zod` API stays for the `--json` report schemas, which only the docs and tests load:
 * on the ~500-entry stores operators have, start-up is the whole cost (issue 11, bench/).
 *
 * zod/mini carries no messages ("Invalid input"), and building zod's English locale costs ~4 ms
 * of every start-up: the one place a reader sees a zod issue (a bad config value) words it with
 * issueText below.
 */
import * as z from 'zod/mini';

export { z };

/**
 * A schema built on its first use, then kept. Building zod schemas runs zod's constructors for
 * every field (~1–3 ms at start-up for this tool's config and lock-file schemas, issue 11): a run
 * that reads no config or lock file builds none. `build` must be pure; every call returns the
 * same schema.
 */
export function lazySchema<T>(build: () => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= build());
}

/** The parts of a zod issue that say what was wrong (zod v4 core issue shapes). */
interface IssueLike {
  code?: string;
  expected?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: readonly unknown[];
}

/** One short phrase for a zod issue: "expected number", "must be > 0", "must be one of a, b". */
export function issueText(issue: IssueLike | undefined): string {
  if (!issue) return 'invalid';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`;
    case 'too_small':
      return `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      return `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${(issue.values ?? []).map(String).join(', ')}`;
    default:
      return 'invalid';
  }
}
