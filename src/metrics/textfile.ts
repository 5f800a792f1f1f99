/**
 * Writing the exposition for node_exporter's textfile collector: `<dir>/openclaw_sessions.prom`,
 * replaced atomically (temp file in the same directory, fsync, rename) so a scrape never reads a
 * half-written file. The temp name ends in `.tmp`, not `.prom`, so the collector never picks it
 * up. Mode 0644 whatever the umask: the collector usually runs as another user.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic-write.js';

export const TEXTFILE_NAME = 'openclaw_sessions.prom';

export function textfilePath(dir: string): string {
  return path.join(path.resolve(dir), TEXTFILE_NAME);
}

/** Refuses a --textfile that is not a directory, before anything is collected. */
export function assertTextfileDir(dir: string): void {
  // stat, not lstat: a symlinked textfile directory (/var/lib/node_exporter → elsewhere) is
  // common and harmless; the temp file and the rename stay inside whatever it resolves to.
  let isDir = false;
  try {
    isDir = statSync(path.resolve(dir)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new ToolError('failed', `textfile directory ${dir} is not a directory (create it, or give node_exporter's --collector.textfile.directory)`);
}

/** Writes the file; returns its path. Errors are one line naming the directory or file. */
export async function writeTextfile(dir: string, text: string): Promise<string> {
  assertTextfileDir(dir);
  const target = textfilePath(dir);
  try {
    await writeFileAtomic(target, text, { mode: 0o644 });
  } catch (error) {
    throw new ToolError('failed', `cannot write ${target}: ${(error as Error).message}`);
  }
  return target;
}
