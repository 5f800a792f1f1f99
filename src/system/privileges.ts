/**
 * Root runs act as the store's owner (issue 16 finding 7). Operators run prune from root's cron
 * against a state directory the gateway's user owns; every file root creates there (journal, run
 * lock, rewritten store, device identity) would be root's, and the owner's next run — or the
 * gateway — locked out. So when the effective uid is 0 and the state directory belongs to another
 * user, the process switches to that user (supplementary groups, gid, uid: in that order, since
 * only root may change groups) before it opens a single file there. After the switch the process
 * cannot get root back, so nothing later can reach beyond what the owner could.
 *
 * If the switch is impossible (no CAP_SETUID in a container, say), the run is refused with the
 * `sudo -u` line that does the same thing by hand.
 */
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { shellQuote } from './shell-quote.js';
import { READ_CAPS, readRegularFileIfExists } from '../store/safe-fs.js';
import { unreadableOwnCode } from './own-code.js';

export interface Owner {
  uid: number;
  gid: number;
  /** The passwd name when there is one (for initgroups and messages). */
  name: string | null;
}

/** Files and directories this tool creates: owner-only, whatever the caller's umask. */
export const TOOL_UMASK = 0o077;

/** The lines of /etc/passwd or /etc/group, each split at ':' (no NSS); none when the file cannot be read. */
function colonFileRows(file: string, what: string): string[][] {
  try {
    const text = readRegularFileIfExists(file, { maxBytes: READ_CAPS.small * 16, what, follow: true })?.bytes.toString('utf8') ?? '';
    return text.split('\n').map((line) => line.split(':'));
  } catch {
    return [];
  }
}

/** The passwd entry of a uid, read from /etc/passwd (no NSS: good enough for a refusal line and initgroups). */
export function passwdEntry(uid: number): { name: string; gid: number } | null {
  for (const [name, , id, gid] of colonFileRows('/etc/passwd', 'passwd file')) {
    if (name && Number(id) === uid && gid !== undefined && /^\d+$/.test(gid)) return { name, gid: Number(gid) };
  }
  return null;
}

function uidOf(dir: string): number | null {
  try {
    return statSync(dir).uid;
  } catch {
    return null;
  }
}

/** The owner of `dir` (links followed: whoever owns what it points at); null when it does not exist. */
export function ownerOf(dir: string): Owner | null {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    return null;
  }
  const entry = passwdEntry(stat.uid);
  return { uid: stat.uid, gid: entry?.gid ?? stat.gid, name: entry?.name ?? null };
}

/**
 * The first user other than root who owns a component of `dir`'s path — a directory on the way,
 * or a symlink (whose target is then walked the same way) — or 0 when root owns every one; null
 * when the path does not resolve; an OpenDirectory past a root directory others may write without
 * the sticky bit. Whoever owns a component can replace everything beneath it:
 * `~ocgw/.openclaw` swapped for a link to a root-owned directory (`/tmp`, say) still leads through
 * `~ocgw`, so a root run there must act as ocgw, not stay root because the end of the path is
 * root's.
 */
export interface OpenDirectory {
  /** The root-owned directory others may write (rename and unlink in) without the sticky bit. */
  dir: string;
  /** The group that may write it; null when every user may. */
  gid: number | null;
}

export function pathController(dir: string): number | OpenDirectory | null {
  let pending = path.resolve(dir).split('/').filter(Boolean);
  let current = '/';
  for (let hops = 0; pending.length > 0; ) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, name);
    let stat;
    try {
      stat = lstatSync(next);
    } catch {
      return null;
    }
    if (stat.uid !== 0) return stat.uid;
    if (!stat.isSymbolicLink()) {
      const open = pending.length > 0 && stat.isDirectory() ? openTo(stat.mode, stat.gid) : undefined;
      if (open !== undefined) return { dir: next, gid: open };
      current = next;
      continue;
    }
    if (++hops > 40) return null; // ELOOP, as the kernel would say
    const target = readlinkSync(next);
    if (target.startsWith('/')) current = '/';
    pending = [...target.split('/').filter(Boolean), ...pending];
  }
  return 0;
}

/**
 * Who besides root may rename and unlink in a root directory of this mode and group: every user
 * (null) when it is world-writable, the group (its gid) when group-writable by a group other than
 * root's own; undefined when no one, or when the sticky bit (/tmp's) lets only an entry's owner
 * move it. The setgid bit (Debian's /var/local root:staff 2775) only chooses the group new entries
 * get: members still rename and unlink whatever is there, so it protects nothing.
 */
function openTo(mode: number, gid: number): number | null | undefined {
  if ((mode & 0o1000) !== 0) return undefined;
  if ((mode & 0o002) !== 0) return null;
  if ((mode & 0o020) !== 0 && gid !== 0) return gid;
  return undefined;
}

/**
 * When running as root on a directory another user owns — or reaches through a path another user
 * controls (pathController) — become that user. Returns the owner switched to, or null when
 * nothing changed (not root, directory absent, or root's all the way down).
 * Also sets the tool's umask (0077) so what it creates is private whatever the caller's umask.
 */
export function actAsOwnerOf(dir: string, what: string): Owner | null {
  process.umask(TOOL_UMASK);
  if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) return null;
  let owner: Owner | null;
  if (uidOf(dir) === 0) {
    // Root's own directory (the usual root run) needs no /etc/passwd read, unless a user's
    // directory or link on the way makes it theirs.
    const controller = pathController(dir);
    if (controller === null || controller === 0) return null;
    if (typeof controller === 'object') throw openToOthers(what, dir, controller);
    const entry = passwdEntry(controller);
    owner = { uid: controller, gid: entry?.gid ?? controller, name: entry?.name ?? null };
  } else {
    owner = ownerOf(dir);
  }
  if (!owner || owner.uid === 0) return null;
  switchTo(owner, what, dir);
  ownerSwitched = true;
  return owner;
}

let ownerSwitched = false;

/**
 * Whether this run started as root and acts as the owner of the state dir (or `--store`
 * directory) it was given, since this or an earlier actAsOwnerOf: the install — its config
 * included — is then that user's, not root's.
 */
export function actingAsInstallOwner(): boolean {
  return ownerSwitched;
}

/**
 * Still root after actAsOwnerOf (the state dir is root's all the way down): a store directory
 * (or `state/`) that another user controls — `agents/` chowned to the gateway's user under a
 * root-owned state dir — makes the run theirs before any of it is opened: a root run there would
 * read links that user planted (a store linked to a root-only file) and write where a swapped
 * directory points. Stores of several users cannot be one user's run: refused (exit 4).
 */
export function actAsControllerOf(dirs: readonly string[]): Owner | null {
  if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) return null;
  const found = new Map<number, string>();
  for (const dir of dirs) {
    const uid = pathController(dir);
    if (uid !== null && typeof uid === 'object') throw openToOthers('the store directory', dir, uid);
    if (uid !== null && uid !== 0 && !found.has(uid)) found.set(uid, dir);
  }
  if (found.size === 0) return null;
  const owners = [...found].map(([uid, dir]) => ({ uid, dir, entry: passwdEntry(uid) }));
  if (owners.length > 1) {
    const who = owners.map((o) => `${o.dir} (${o.entry?.name ?? `uid ${o.uid}`})`).join(', ');
    throw new ToolError('unsafe', `refusing to run as root: the stores are in directories of several users: ${who}; run it as each owner, e.g. sudo -u '${owners[0]!.entry?.name ?? `#${owners[0]!.uid}`}' openclaw-sessions ${sameArgs()} --agent ID`);
  }
  const [{ uid, dir, entry }] = owners as [(typeof owners)[0]];
  return switchTo({ uid, gid: entry?.gid ?? uid, name: entry?.name ?? null }, 'the store directory', dir);
}

function openToOthers(what: string, dir: string, open: OpenDirectory): ToolError {
  const where = `refusing to run as root on ${what} ${dir}: its path goes through ${open.dir}, which`;
  const fix = `or keep ${what} out of it`;
  if (open.gid === null) {
    return new ToolError('unsafe', `${where} every user may write without the sticky bit, so anyone could swap what lies beneath; chmod o-w ${shellQuote(open.dir)} (or chmod +t), ${fix}`);
  }
  const group = groupName(open.gid);
  return new ToolError(
    'unsafe',
    `${where} group ${group ? `${group} (gid ${open.gid})` : `gid ${open.gid}`} may write without the sticky bit, so its members could swap what lies beneath; chmod g-w ${shellQuote(open.dir)} (or chmod +t), ${fix}`,
  );
}

/** The name of a group, from /etc/group (no NSS: for a refusal line only); null when not listed. */
function groupName(gid: number): string | null {
  for (const [name, , id] of colonFileRows('/etc/group', 'group file')) {
    if (name && id !== undefined && /^\d+$/.test(id) && Number(id) === gid) return name;
  }
  return null;
}

function switchTo(owner: Owner, what: string, dir: string): Owner {
  try {
    const initgroups = (process as unknown as { initgroups?: (user: string, gid: number) => void }).initgroups;
    if (owner.name && typeof initgroups === 'function') initgroups(owner.name, owner.gid);
    else process.setgroups?.([owner.gid]);
    process.setgid!(owner.gid);
    process.setuid!(owner.uid);
  } catch (error) {
    const who = owner.name ?? `#${owner.uid}`;
    throw new ToolError(
      'unsafe',
      `refusing to run as root on ${what} ${dir}, which belongs to ${owner.name ?? `uid ${owner.uid}`}: cannot switch to that user (${(error as Error).message}); run it as the owner: sudo -u '${who}' openclaw-sessions ${sameArgs()}`,
    );
  }
  // The rest of the run loads its code as the owner (system/own-code.ts): refused here, whole,
  // rather than failing with MODULE_NOT_FOUND halfway through.
  const unreadable = unreadableOwnCode();
  if (unreadable) {
    const who = owner.name ? `${owner.name} (uid ${owner.uid})` : `uid ${owner.uid}`;
    throw new ToolError(
      'unsafe',
      `refusing to run as root on ${what} ${dir}: this run acts as its owner, ${who}, who cannot read this tool's own files (${unreadable}); install it where every user can read it (npm install -g with a system Node, or under /opt); nothing was changed`,
    );
  }
  return owner;
}

const SECRET_FLAGS = ['--token', '--password'];

/**
 * This run's arguments as a line to paste after `sudo -u OWNER openclaw-sessions`: each shell-quoted,
 * and a `--token`/`--password` value replaced by a placeholder — the refusal goes to cron's mail
 * and the journal, which are no place for a gateway secret.
 */
function sameArgs(): string {
  const args = process.argv.slice(2);
  return args
    .map((arg, index) => {
      const flag = SECRET_FLAGS.find((name) => arg.startsWith(`${name}=`));
      if (flag) return `${flag}=${placeholder(flag)}`;
      const previous = args[index - 1];
      return previous !== undefined && SECRET_FLAGS.includes(previous) ? placeholder(previous) : shellQuote(arg);
    })
    .join(' ');
}

function placeholder(flag: string): string {
  return `'<${flag.slice(2).toUpperCase()}>'`;
}
