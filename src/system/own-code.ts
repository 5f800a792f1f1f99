/**
 * Whether this tool can still load its own code. The bundle loads each command's chunks lazily
 * (scripts/bundle.mjs), so after a root run has switched to the install's owner
 * (system/privileges.ts), every later load is read as that user. Installed where only root can
 * read it (npm -g under nvm in /root, a copy in /root), each load then failed, mid-run: `list` and
 * `prune --yes` ended with `unexpected error: MODULE_NOT_FOUND` (exit 1, no cause named) and
 * `doctor` printed its findings before it (observed by helper-31). Checked once, right after the
 * switch and before the install is opened, so the run is refused whole, with the cause.
 */
import { accessSync, constants, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The first of the bundle's own files (or its directory) this process cannot read, or null when
 * all can be. `access` checks the real uid and groups, which after the switch are the owner's.
 * Only the bundle (dist/bundle/, this module's own directory there) loads lazily from disk; run
 * from tsc's output (tests) nothing is checked.
 */
export function unreadableOwnCode(dir = path.dirname(fileURLToPath(import.meta.url))): string | null {
  if (path.basename(dir) !== 'bundle') return null;
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.cjs')) continue;
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.R_OK);
      } catch {
        return file;
      }
    }
    return null;
  } catch {
    return dir;
  }
}

/**
 * The first directory or bundle file on the way to this tool's bundle that `uid` (primary group
 * `gid`) could not enter or read by its mode bits, or null. For `schedule`, which runs as root
 * and switches to no one, to say beforehand that every scheduled run would be refused by
 * unreadableOwnCode. Mode bits only (no ACLs, no supplementary groups): a warning, never a refusal.
 */
export function ownCodeUnreadableBy(uid: number, gid: number, dir = path.dirname(fileURLToPath(import.meta.url))): string | null {
  if (uid === 0 || path.basename(dir) !== 'bundle') return null;
  const allows = (file: string, bit: number): boolean => {
    const stat = statSync(file);
    const shift = stat.uid === uid ? 6 : stat.gid === gid ? 3 : 0;
    return ((stat.mode >> shift) & bit) === bit;
  };
  try {
    const real = realpathSync(dir);
    const parts = real.split(path.sep).filter(Boolean);
    for (let i = 0; i <= parts.length; i++) {
      const on = path.join(path.sep, ...parts.slice(0, i));
      if (!allows(on, i === parts.length ? 5 : 1)) return on;
    }
    for (const name of readdirSync(real)) if (name.endsWith('.cjs') && !allows(path.join(real, name), 4)) return path.join(real, name);
    return null;
  } catch {
    return null;
  }
}
