/**
 * Whether a store may be rewritten by this tool at all. Refusals are exit 4 with what to do.
 */
import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors.js';
import type { StoreRef } from './stores.js';

export function assertStoreWritable(ref: StoreRef): void {
  if (ref.format === 'sqlite') {
    throw new ToolError(
      'unsafe',
      `refusing to modify ${ref.path}: OpenClaw 8.1+ SQLite stores are changed only through the gateway (openclaw sessions cleanup, or prune --recompute rpc with the gateway running)`,
    );
  }
  let link;
  try {
    link = lstatSync(ref.path);
  } catch (error) {
    throw new ToolError('failed', `cannot stat ${ref.path}: ${(error as Error).message}`);
  }
  if (link.isSymbolicLink()) {
    throw new ToolError('unsafe', `refusing to modify ${ref.path}: it is a symlink (a rename would replace the link, not its target)`, { input: 'storePath' });
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
