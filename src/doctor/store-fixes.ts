/**
 * doctor's fixes for a store that cannot be read or is unsafe to write. A store's path can come
 * from the config (`session.store`), which the gateway's user controls, so a fix names a command
 * on a path only inside the state dir: root pastes what doctor prints.
 */
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { shellQuote } from '../system/shell-quote.js';
import { isInside, realpathOrNull } from '../store/safe-fs.js';
import type { Finding } from './findings.js';

/**
 * A store that could not be read. "Move it aside" is advice for a JSON store that does not parse
 * (OpenClaw 2026.4.x reads it as empty, and its next write drops every session). A SQLite store
 * (8.1+) is the gateway's live database: moving it aside loses every session, and the usual
 * reason it cannot be read is this tool's Node.js (no node:sqlite before 22.13; observed running
 * doctor on Node 20 against a real 2026.9.6 gateway, which told the operator to move aside each
 * agent's healthy database).
 */
export function unreadableStoreFinding(format: string, storePath: string, error: string, stateDir: string): Finding {
  if (format !== 'sqlite') {
    // The path comes from the config (`session.store`): outside the state dir it may be anything
    // (a config pointing at /etc/shadow got "fix or move aside /etc/shadow"), so it is named for checking first.
    const fix = inStateDir(path.dirname(storePath), stateDir)
      ? `fix or move aside ${shellQuote(storePath)}`
      : `check session.store in the OpenClaw config: it names ${shellQuote(storePath)}, outside the state dir ${shellQuote(stateDir)}; fix or move it aside only if it is the gateway's session store`;
    return { id: 'store-unreadable', severity: 'problem', message: `${error} (the gateway treats it as empty and its next write drops every session)`, fix };
  }
  const node = /node:sqlite|Node\.js/.test(error);
  return {
    id: 'store-unreadable',
    severity: 'problem',
    message: `${error} (its sessions are not listed, counted or pruned by this tool; the gateway itself is not affected)`,
    fix: node ? 'run openclaw-sessions with Node.js 22.13 or later' : `check ${shellQuote(storePath)} (the gateway's database: this tool only reads it; never move it aside while the gateway runs)`,
  };
}

/**
 * The fix for a store refused as unsafe. A directory's chmod is suggested only inside the state dir, and only
 * for what is open to others: the store's path comes from the config (`session.store`), and
 * `chmod o-w /tmp` (a store in /tmp) pasted by root would break every user of the host.
 */
export function unsafeStoreFix(storePath: string, stat: Stats | null, stateDir: string): string | null {
  if (stat?.isSymbolicLink()) {
    // The gateway locks and renames the link's path; the fix is a regular file there, made while
    // nothing writes it (never `--store` at the target: that takes another lock).
    const target = realpathOrNull(storePath);
    // A copy, never a move: the target may be another agent's live store (helper-29: mv took it away).
    return `with the gateway stopped, replace the symlink with a copy of the file it points to${target ? `: cp --remove-destination -- ${shellQuote(target)} ${shellQuote(storePath)}` : ''}`;
  }
  const dir = path.dirname(storePath);
  // As store-safety.ts judges them: the directory followed, the file itself.
  const dirOpen = ((statSafe(dir)?.mode ?? 0) & 0o002) !== 0;
  const fileOpen = ((stat?.mode ?? 0) & 0o002) !== 0;
  if (dirOpen && !inStateDir(dir, stateDir)) return `move the store into the state dir ${stateDir} (session.store in the OpenClaw config): every user may write to ${dir}`;
  const open = [...(dirOpen ? [dir] : []), ...(fileOpen ? [storePath] : [])];
  // Refused for another reason (the file vanished, say): the message says it, no command does.
  return open.length > 0 ? `chmod o-w ${open.map(shellQuote).join(' ')}` : null;
}

function statSafe(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/** `dir` is the state dir or below it, links resolved (safe-fs.ts judges "below"). */
function inStateDir(dir: string, stateDir: string): boolean {
  const [real, root] = [realpathOrNull(dir), realpathOrNull(stateDir)];
  return real !== null && root !== null && (real === root || isInside(real, [root]));
}
