/**
 * Whether a store may be rewritten by this tool at all. Refusals are exit 4 with what to do.
 */
import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors.js';
import type { StoreRef } from './stores.js';
import { UNPINNED_COMMANDS, type InstallCommands } from '../install-commands.js';

/** Throws ToolError (unsafe: exit 4; failed: exit 1) when this tool may not rewrite `ref`; `commands` names this install's in the refusal. */
export function assertStoreWritable(ref: StoreRef, commands: InstallCommands = UNPINNED_COMMANDS): void {
  if (ref.format === 'sqlite') {
    throw new ToolError(
      'unsafe',
      `refusing to modify ${ref.path}: OpenClaw 8.1+ SQLite stores are changed only through the gateway (${commands.openclaw(['sessions', 'cleanup'])}, or ${commands.tool(['prune', '--recompute', 'rpc'])} with the gateway running)`,
    );
  }
  let link;
  try {
    link = lstatSync(ref.path);
  } catch (error) {
    throw new ToolError('failed', `cannot stat ${ref.path}: ${(error as Error).message}`);
  }
  if (link.isSymbolicLink()) {
    // Not "point --store at the target": the gateway locks `<link>.lock`, so a write to the
    // target would not wait on the gateway's lock (helper-28 followed that old hint: it wrote the
    // store while the gateway's lock was held). The gateway's own next write replaces the link
    // with a regular file (docs/openclaw.md §6: it renames over the path).
    throw new ToolError('unsafe', `refusing to modify ${ref.path}: it is a symlink, which this tool writes neither through nor around (the gateway locks the link's path, not its target's); with the gateway stopped, replace the link with a copy of the file it points to (never move that file: it may be another agent's store)`);
  }
  const dir = path.dirname(ref.path);
  const dirStat = statSync(dir);
  if ((dirStat.mode & 0o002) !== 0) {
    throw new ToolError('unsafe', `refusing to modify ${ref.path}: its directory ${dir} is writable by other users (chmod o-w ${dir}, OpenClaw itself uses 0700)`);
  }
  if ((link.mode & 0o002) !== 0) {
    throw new ToolError('unsafe', `refusing to modify ${ref.path}: the file is writable by other users (chmod 600 ${ref.path})`);
  }
}

/**
 * The stores of `refs` this tool may not rewrite (assertStoreWritable), each with its refusal;
 * others' errors (not a ToolError) propagate. A dry run names them (prune/prepare.ts).
 */
export function refusedStores(refs: Iterable<StoreRef>): Map<string, ToolError> {
  const refused = new Map<string, ToolError>();
  for (const ref of refs) {
    try {
      assertStoreWritable(ref);
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      refused.set(ref.path, error);
    }
  }
  return refused;
}
