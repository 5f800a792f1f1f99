/**
 * Is this process the OpenClaw gateway, and is this lock file the gateway's own? Pure
 * judgements over facts read from /proc and lstat, so every rule is unit-tested without a
 * live process. The I/O side (discover.ts) reads the facts.
 *
 * Sources (read in the published packages, checked on a real 2026.4.2 gateway):
 * - 2026.4.2 `openclaw gateway run`: a launcher (title `openclaw`) forks the gateway, which
 *   sets `process.title = "openclaw-gateway"`; /proc/<pid>/cmdline then shows only the title
 *   (argv memory overwritten), comm `openclaw-gatewa`, exe the Node binary.
 * - 2026.4.29 `openclaw gateway run` takes a fast path that leaves the title `openclaw`.
 * - 9.x judges lock owners by argv: an entry script (`openclaw.mjs`, `dist/index.js`,
 *   `dist/entry.js`) followed by a `gateway` argument, or an `openclaw-gateway` binary
 *   (dist/gateway-process-argv-*.mjs).
 * A title alone is weak (any process may set one), so the discovery also requires the lock's
 * start time and ownership of the listening socket; a command line that merely *contains*
 * "openclaw" and "gateway" (`tail -f ~/.openclaw/gateway.log`) is never enough.
 */
import path from 'node:path';

export interface ProcessFacts {
  /** `/proc/<pid>/exe`, or null when unreadable (another user's process, no /proc). */
  exe: string | null;
  /** argv as /proc/<pid>/cmdline shows it now (after any title change); null when unreadable. */
  cmdline: string[] | null;
}

export type ProcessJudgement = { ok: true; how: 'title' | 'entry-script' | 'binary' } | { ok: false; why: string };

/** Titles the gateway process is known to carry (see the module comment). */
export const GATEWAY_TITLES = ['openclaw-gateway', 'openclaw'] as const;

/** Entry scripts of the openclaw package, as 9.x's own owner check lists them. */
const ENTRY_SUFFIXES = ['/openclaw.mjs', '/dist/index.js', '/dist/entry.js', '/dist/index.mjs', '/dist/entry.mjs'];

/** A Node runtime (node, nodejs, node22, …) or OpenClaw's own binaries. */
export function isAcceptedExecutable(exe: string): 'node' | 'openclaw' | null {
  const base = path.basename(exe);
  if (/^(node|nodejs)(\d+(\.\d+)*)?$/.test(base)) return 'node';
  if (base === 'openclaw' || base === 'openclaw-gateway') return 'openclaw';
  return null;
}

/**
 * Judges a process by its executable and entry, never by a substring of its command line.
 * `isOpenclawEntry(file)` says whether a script path lies inside an installed `openclaw`
 * package (the I/O side checks the package.json above it).
 */
export function judgeGatewayProcess(facts: ProcessFacts, isOpenclawEntry: (file: string) => boolean): ProcessJudgement {
  if (facts.exe === null) return { ok: false, why: 'its executable cannot be read (/proc/<pid>/exe)' };
  const runtime = isAcceptedExecutable(facts.exe);
  if (!runtime) return { ok: false, why: `it runs ${facts.exe}, not Node.js or an OpenClaw binary` };
  const argv = (facts.cmdline ?? []).filter((arg, i) => i === 0 || arg !== '');
  if (argv.length === 0) return { ok: false, why: 'its command line cannot be read' };
  if (runtime === 'openclaw') {
    // An `openclaw` binary must be running its gateway command; `openclaw-gateway` is one.
    if (path.basename(facts.exe) === 'openclaw-gateway' || argv.slice(1).includes('gateway')) return { ok: true, how: 'binary' };
    return { ok: false, why: `it runs ${facts.exe} without the gateway command` };
  }
  // A Node process whose argv was replaced by the gateway's title: exactly one word left.
  if (argv.length === 1 && (GATEWAY_TITLES as readonly string[]).includes(argv[0]!.trim())) return { ok: true, how: 'title' };
  // A Node process still showing its argv: node [node options] <openclaw entry> … gateway …
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') return { ok: false, why: 'it runs inline code (-e/-p), not an OpenClaw entry script' };
    if (arg.startsWith('-')) continue;
    // The first non-option argument is the script Node runs.
    const normalized = arg.replaceAll('\\', '/');
    if (ENTRY_SUFFIXES.some((suffix) => normalized.endsWith(suffix)) && isOpenclawEntry(arg)) {
      return argv.slice(i + 1).includes('gateway') ? { ok: true, how: 'entry-script' } : { ok: false, why: `it runs ${arg} without the gateway command` };
    }
    return { ok: false, why: `it runs ${describeArgv(argv)}, not OpenClaw's entry script` };
  }
  return { ok: false, why: `it runs ${describeArgv(argv)}, not the OpenClaw gateway` };
}

export function describeArgv(argv: readonly string[]): string {
  const text = argv.join(' ');
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 79)}…` : text);
}

export interface PathOwnership {
  /** From lstat: a symlink is reported as such, never followed. */
  kind: 'file' | 'directory' | 'symlink' | 'other';
  uid: number;
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
}

/**
 * A gateway lock is the gateway's own only when the file and its directory are real (no
 * symlinks), belong to the user the gateway runs as, and nobody else can write them: otherwise
 * another local user could plant a lock naming any pid and port (issue 16, finding 5).
 * `expectedUid` is the uid of the process the lock names (null when unknown: then only
 * file/dir agreement and modes are checked).
 */
export function judgeLockOwnership(file: PathOwnership, dir: PathOwnership, expectedUid: number | null): { ok: true } | { ok: false; why: string } {
  if (file.kind === 'symlink') return { ok: false, why: 'the lock file is a symlink' };
  if (file.kind !== 'file') return { ok: false, why: 'the lock is not a regular file' };
  if (dir.kind === 'symlink') return { ok: false, why: 'the lock directory is a symlink' };
  if (dir.kind !== 'directory') return { ok: false, why: 'the lock directory is not a directory' };
  if (file.uid !== dir.uid) return { ok: false, why: `the lock file (uid ${file.uid}) and its directory (uid ${dir.uid}) belong to different users` };
  if (expectedUid !== null && file.uid !== expectedUid) return { ok: false, why: `the lock file belongs to uid ${file.uid}, but the process it names runs as uid ${expectedUid}` };
  if (dir.mode & 0o002) return { ok: false, why: `the lock directory is writable by others (mode ${octal(dir.mode)})` };
  if (file.mode & 0o002) return { ok: false, why: `the lock file is writable by others (mode ${octal(file.mode)})` };
  return { ok: true };
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}
