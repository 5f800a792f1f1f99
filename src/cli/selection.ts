/**
 * Commands this tool prints for the operator to paste (the footer's `prune --dry-run`, doctor's
 * fixes, the `restore <id>` after a prune) carry the flags that chose the install and stores of
 * the run that printed them, shell-quoted and with paths made absolute, so pasted anywhere they
 * act on the same sessions — not on ~/.openclaw ("0 sessions in 0 stores").
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { actingAsInstallOwner } from '../system/privileges.js';
import { DEFAULT_STALE_AFTER } from '../defaults.js';
import { expandTilde } from '../store/paths.js';
import type { InstallCommands } from '../install-commands.js';
import { shellQuote } from '../system/shell-quote.js';

export interface SelectionFlags {
  profile?: string;
  stateDir?: string;
  config?: string;
  agent?: string;
  store?: string;
  staleAfter?: string;
  /** `--url`: a gateway named by URL (its secret is never printed: the pasted command takes it from the environment or the prompt's own flags). */
  url?: string;
  /**
   * Set by printedSelection for `--profile NAME` under OPENCLAW_HOME: this tool's commands carry
   * the profile's state dir instead, while `openclaw` commands keep `OPENCLAW_HOME=… openclaw
   * --profile NAME` (OpenClaw names the profile's service and config by it).
   */
  openclawProfile?: { home: string; profile: string };
}

export const TOOL_NAME = 'openclaw-sessions';

/** The selection flags in use, in a fixed order, paths absolute (`--state-dir ./x` pasted elsewhere means another dir). */
export function selectionArgs(flags: SelectionFlags, cwd = process.cwd()): string[] {
  const args: string[] = [];
  if (flags.profile) args.push('--profile', flags.profile);
  if (flags.stateDir) args.push('--state-dir', path.resolve(cwd, flags.stateDir));
  if (flags.config) args.push('--config', path.resolve(cwd, flags.config));
  if (flags.agent) args.push('--agent', flags.agent);
  if (flags.store) args.push('--store', path.resolve(cwd, flags.store));
  // It changes what counts as stale, and so what prune selects.
  if (flags.staleAfter && flags.staleAfter !== DEFAULT_STALE_AFTER) args.push('--stale-after', flags.staleAfter);
  // Without it, a command printed after a run on a remote gateway would act on this host's install.
  if (flags.url) args.push('--url', flags.url);
  return args;
}

/** Environment variables that choose the install, as OpenClaw reads them (src/store/paths.ts). */
const INSTALL_ENV = ['OPENCLAW_STATE_DIR', 'OPENCLAW_CONFIG_PATH', 'OPENCLAW_HOME'] as const;

/**
 * The selection a printed command carries: the run's flags, and — when the environment chose the
 * install (OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH, OPENCLAW_HOME or a HOME that is not the
 * account's own (homeChoseInstall), with no `--state-dir` or `--profile` over it, or OPENCLAW_HOME
 * or such a HOME under a `--profile`) — the state dir and config the run
 * resolved, as `schedule` pins them in its units. So the `restore <id>` a cron run printed,
 * pasted into a login shell without that environment, acts on the same install, not on
 * ~/.openclaw ("no such run"). Never a behaviour: only what is printed.
 */
export function printedSelection(flagsGiven: SelectionFlags, env: Readonly<Record<string, string | undefined>>, location: { home: string; stateDir: string; configPath: string | null }): SelectionFlags {
  // A `~` the shell left to the tool (`--state-dir=~/x` in a cron line: sh expands no `~` after `=`) is
  // expanded with OPENCLAW_HOME or HOME: printed as the run resolved it, not as `<cwd>/~/x`.
  const flags: SelectionFlags = { ...flagsGiven, ...(flagsGiven.stateDir ? { stateDir: location.stateDir } : {}), ...(flagsGiven.config && location.configPath ? { config: location.configPath } : {}) };
  const byHome = homeChoseInstall(env);
  if (!byHome && !INSTALL_ENV.some((name) => env[name]?.trim())) return flags;
  if (flags.profile) {
    // The profile's dir is <OPENCLAW_HOME>/.openclaw-NAME: `--profile NAME` pasted without it names ~/.openclaw-NAME.
    // --state-dir finds the same config (a profile's is beside its dir, as --state-dir's is).
    if (!env.OPENCLAW_HOME?.trim() && !byHome) return flags;
    return { ...flags, profile: undefined, stateDir: location.stateDir, openclawProfile: { home: location.home, profile: flags.profile } };
  }
  const pinned: SelectionFlags = { ...flags };
  if (!flags.stateDir) pinned.stateDir = location.stateDir;
  if (!flags.config) pinned.config = pinnedConfig(env, location);
  return pinned;
}

/**
 * Whether HOME chose the install: set to another directory than the account's own (`HOME=/home/oc`
 * in root's crontab aims root's cron at the gateway user's ~/.openclaw), or a root run switched to
 * the install's owner (system/privileges.ts), whose output root reads and pastes in a shell whose
 * ~ is root's. A bare command pasted there would act on another ~/.openclaw ("no such run", or
 * another install's gateway). The account's home is one getpwuid (os.userInfo); unknown (no passwd
 * entry, as for an arbitrary container uid) counts as HOME's own.
 */
function homeChoseInstall(env: Readonly<Record<string, string | undefined>>): boolean {
  if (actingAsInstallOwner()) return true;
  const home = env.HOME?.trim();
  if (!home) return false;
  try {
    return path.resolve(home) !== path.resolve(userInfo().homedir);
  } catch {
    return false;
  }
}

/**
 * A config beside the state dir is found again by --state-dir; one elsewhere (OPENCLAW_CONFIG_PATH,
 * ~/.openclaw's) is named. OPENCLAW_CONFIG_PATH naming no file left the run without a config:
 * pasted with --state-dir alone, a config beside that dir would be read instead, so the missing
 * path is named, and the pasted command stops at "config file not found" rather than act on another.
 */
function pinnedConfig(env: Readonly<Record<string, string | undefined>>, location: { home: string; stateDir: string; configPath: string | null }): string | undefined {
  if (location.configPath) return path.dirname(location.configPath) !== location.stateDir ? location.configPath : undefined;
  const named = env.OPENCLAW_CONFIG_PATH?.trim();
  const beside = ['openclaw.json', 'clawdbot.json'].some((name) => existsSync(path.join(location.stateDir, name)));
  return named && beside ? path.resolve(expandTilde(named, location.home)) : undefined;
}

/** `openclaw-sessions <args…>` as shell words, each quoted, ready to paste into sh, bash or zsh. */
export function toolCommand(args: readonly string[]): string[] {
  return [TOOL_NAME, ...args].map(shellQuote);
}

/** The same selection narrowed to one store (for "act on the others" when a store is broken). */
export function selectionForStore(flags: SelectionFlags, agentId: string, storePath: string, storesOfAgent: number): SelectionFlags {
  // --agent names the store the gateway would use; only a store --agent cannot name needs --store.
  if (storesOfAgent === 1 && !flags.store) return { ...flags, agent: agentId };
  return { ...flags, agent: undefined, store: storePath };
}

/**
 * An `openclaw …` command for the same install: `--profile` is a global flag of OpenClaw's CLI
 * (checked in openclaw 2026.4.2 `openclaw --help`); a state dir or config is passed the way
 * OpenClaw reads it, as OPENCLAW_STATE_DIR / OPENCLAW_CONFIG_PATH.
 */
export function openclawCommand(flags: SelectionFlags, args: readonly string[], cwd = process.cwd()): string[] {
  const home = flags.openclawProfile;
  if (home) return [`OPENCLAW_HOME=${shellQuote(home.home)}`, 'openclaw', '--profile', shellQuote(home.profile), ...args.map(shellQuote)];
  const env: string[] = [];
  if (flags.stateDir) env.push(`OPENCLAW_STATE_DIR=${shellQuote(path.resolve(cwd, flags.stateDir))}`);
  if (flags.config) env.push(`OPENCLAW_CONFIG_PATH=${shellQuote(path.resolve(cwd, flags.config))}`);
  return [...env, 'openclaw', ...(flags.profile ? ['--profile', shellQuote(flags.profile)] : []), ...args.map(shellQuote)];
}

/** This install's commands for advice (src/install-commands.ts): `openclaw …` and `openclaw-sessions …`, pinned to `flags`. */
export function installCommands(flags: SelectionFlags, cwd = process.cwd()): InstallCommands {
  return {
    openclaw: (args) => openclawCommand(flags, args, cwd).join(' '),
    tool: (args) => toolCommand([...args, ...selectionArgs(flags, cwd)]).join(' '),
  };
}
