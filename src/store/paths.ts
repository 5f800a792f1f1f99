/**
 * Where OpenClaw keeps its state, resolved the way the gateway resolves it (docs/openclaw.md §3).
 * Pure functions of the environment plus existence checks, so a test can point HOME or
 * OPENCLAW_STATE_DIR at a temp dir and get exactly the gateway's answer.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../errors.js';

import type { Env } from '../env.js';

// Kept for branches written against the old place; import Env from src/env.ts.
export type { Env };

export interface StateLocation {
  home: string;
  stateDir: string;
  /** Resolved config path, or null when none of the candidates exists. */
  configPath: string | null;
  /** Every path considered, in order, for the "no OpenClaw here" message. */
  looked: string[];
  profile: string | null;
}

export interface LocationFlags {
  profile?: string;
  stateDir?: string;
  config?: string;
}

const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function expandTilde(input: string, home: string): string {
  if (input === '~') return home;
  if (input.startsWith('~/') || input.startsWith('~\\')) return path.join(home, input.slice(2));
  return input;
}

export function resolveHome(env: Env): string {
  const explicit = nonEmpty(env.OPENCLAW_HOME);
  const fallback = nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? os.homedir();
  if (explicit) return path.resolve(expandTilde(explicit, fallback));
  return path.resolve(fallback);
}

export function resolveStateLocation(env: Env, flags: LocationFlags = {}): StateLocation {
  const home = resolveHome(env);
  const looked: string[] = [];
  let stateDir: string;
  let profile: string | null = null;

  if (flags.stateDir) {
    stateDir = path.resolve(expandTilde(flags.stateDir, home));
    looked.push(stateDir);
  } else if (flags.profile !== undefined) {
    if (!PROFILE_NAME.test(flags.profile)) {
      throw new ToolError('usage', `invalid profile name "${flags.profile}": names match ${PROFILE_NAME.source} (letters, digits, _ and -)`, { input: 'profile' });
    }
    profile = flags.profile.toLowerCase();
    stateDir = profile === 'default' ? path.join(home, '.openclaw') : path.join(home, `.openclaw-${profile}`);
    looked.push(stateDir);
  } else if (nonEmpty(env.OPENCLAW_STATE_DIR)) {
    stateDir = path.resolve(expandTilde(nonEmpty(env.OPENCLAW_STATE_DIR)!, home));
    looked.push(stateDir);
  } else {
    const current = path.join(home, '.openclaw');
    const legacy = path.join(home, '.clawdbot');
    looked.push(current, legacy);
    stateDir = existsSync(current) ? current : existsSync(legacy) ? legacy : current;
  }

  const configPath = resolveConfigPath(env, home, stateDir, flags, profile !== null, looked);
  return { home, stateDir, configPath, looked, profile };
}

function resolveConfigPath(
  env: Env,
  home: string,
  stateDir: string,
  flags: LocationFlags,
  fromProfile: boolean,
  looked: string[],
): string | null {
  if (flags.config) {
    const explicit = path.resolve(expandTilde(flags.config, home));
    if (!existsSync(explicit)) throw new ToolError('failed', `config file not found: ${explicit}`, { input: 'configPath' });
    return explicit;
  }
  // A profile names its own config; the environment override would point at another install.
  const fromEnv = fromProfile ? undefined : nonEmpty(env.OPENCLAW_CONFIG_PATH);
  if (fromEnv) {
    const explicit = path.resolve(expandTilde(fromEnv, home));
    looked.push(explicit);
    return existsSync(explicit) ? explicit : null;
  }
  const candidates = [path.join(stateDir, 'openclaw.json'), path.join(stateDir, 'clawdbot.json')];
  if (!fromProfile && !flags.stateDir) {
    candidates.push(path.join(home, '.openclaw', 'openclaw.json'), path.join(home, '.clawdbot', 'clawdbot.json'));
  }
  for (const candidate of new Set(candidates)) {
    looked.push(candidate);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
