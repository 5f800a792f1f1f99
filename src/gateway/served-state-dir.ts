/**
 * Which state directory a local gateway process serves, for a gateway found by its port alone
 * (no verified lock of this config: discover.ts). Without this, a run on a copy of a state dir
 * (a backup, a copy made to try `prune` on first) that shares the original's port and token
 * talked to the original's running gateway, and its RPC deletes removed sessions from the
 * original install (seen on a real 2026.4.2 gateway, 2026-12-01: `prune --state-dir COPY`
 * printed "live count 1 → 0" and the key was gone from the original store).
 *
 * The directory comes from what the process was started with, by OpenClaw's own precedence
 * (2026.4.2 dist/entry.js + applyCliProfileEnv; docs/openclaw.md §3): `OPENCLAW_STATE_DIR` in its
 * environment wins, even over `--profile`; else `--profile NAME` on its command line; else
 * `<home>/.openclaw` (the legacy `.clawdbot` when only that exists). OpenClaw applies a profile
 * to its own process.env, which /proc/<pid>/environ does not show, and the gateway then replaces
 * its argv with its title (`openclaw-gateway`, 4.29's `openclaw`): a process showing only its
 * title may have had a `--profile`, so without `OPENCLAW_STATE_DIR` its directory is unknown. It is looked up through `/proc/<pid>/root`, so a gateway in another mount
 * namespace (a container on the host's network) is judged by its own filesystem, and compared
 * by device and inode, so a symlink or a bind mount of the same directory is the same directory.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { readProcCmdline, readProcEnviron } from '../system/proc.js';
import { expandTilde } from '../store/paths.js';

export interface ServedStateDir {
  /** The directory as the gateway process names it (in its own filesystem). */
  dir: string;
  /** Whether it is the very directory `stateDir` names here (same device and inode). */
  same: boolean;
}

const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

/**
 * The state dir gateway `pid` serves, compared with `stateDir`; null when it cannot be told: no
 * /proc, a process of another user that this one may not inspect, a relative or unset path, an
 * option whose directory is not known here (`--dev`, `OPENCLAW_PROFILE` without a state dir),
 * or a directory that does not exist. Null never refuses anything (the caller keeps its other
 * checks); only a proven other directory does.
 */
export function servedStateDir(pid: number, stateDir: string): ServedStateDir | null {
  const environ = readProcEnviron(pid);
  const argv = readProcCmdline(pid);
  if (!environ || !argv) return null;
  const dir = startedStateDir(environ, argv, (candidate) => exists(pid, candidate));
  if (dir === null) return null;
  try {
    const theirs = statSync(`/proc/${pid}/root${dir}`);
    const ours = statSync(stateDir);
    return { dir, same: theirs.dev === ours.dev && theirs.ino === ours.ino };
  } catch {
    return null;
  }
}

/**
 * The state dir a gateway started with this environment and argv uses (absolute, in its own
 * filesystem), or null when it cannot be told. Pure but for `exists`.
 */
export function startedStateDir(environ: Record<string, string>, argv: readonly string[], exists: (dir: string) => boolean): string | null {
  const home = nonEmpty(environ.OPENCLAW_HOME) ?? nonEmpty(environ.HOME) ?? nonEmpty(environ.USERPROFILE);
  const homeDir = home === null ? null : expandTilde(home, nonEmpty(environ.HOME) ?? home);
  const fromEnv = nonEmpty(environ.OPENCLAW_STATE_DIR);
  const profile = profileOf(argv);
  let dir: string | null;
  if (fromEnv) {
    dir = fromEnv.startsWith('~') ? (homeDir === null ? null : expandTilde(fromEnv, homeDir)) : fromEnv;
  } else if (argv.length < 2 || argv.includes('--dev') || nonEmpty(environ.OPENCLAW_PROFILE)) {
    // Only a title left (a --profile may have been given), --dev, or a profile by environment.
    return null;
  } else if (profile !== undefined) {
    if (profile === null || homeDir === null) return null;
    dir = profile.toLowerCase() === 'default' ? path.join(homeDir, '.openclaw') : path.join(homeDir, `.openclaw-${profile.toLowerCase()}`);
  } else if (homeDir !== null) {
    const current = path.join(homeDir, '.openclaw');
    const legacy = path.join(homeDir, '.clawdbot');
    dir = exists(current) || !exists(legacy) ? current : legacy;
  } else {
    dir = null;
  }
  return dir !== null && path.isAbsolute(dir) ? path.normalize(dir) : null;
}

/** `--profile NAME` / `--profile=NAME`: the name, null when malformed, undefined when absent. */
function profileOf(argv: readonly string[]): string | null | undefined {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--profile' ? argv[i + 1] : arg.startsWith('--profile=') ? arg.slice('--profile='.length) : undefined;
    if (arg === '--profile' || arg.startsWith('--profile=')) return value !== undefined && PROFILE_NAME.test(value) ? value : null;
  }
  return undefined;
}

function exists(pid: number, dir: string): boolean {
  try {
    statSync(`/proc/${pid}/root${dir}`);
    return true;
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}
