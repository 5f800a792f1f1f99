/**
 * Names given explicitly (`--state-dir`, `--profile`, `--config`, `--agent`) must exist: a typo
 * in a cron line must fail loudly, not report "nothing to prune" forever. Each error is one line
 * naming what does exist. (No install at the *default* location is not an error: commands say
 * which paths they looked at and exit 0.)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors.js';
import type { ConfigFacts } from './config.js';
import type { LocationFlags, StateLocation } from './paths.js';
import { configuredAgentIds, discoverAgentsOnDisk, normalizeAgentId } from './stores.js';

/**
 * `--state-dir` / `--profile`, or else `OPENCLAW_STATE_DIR`, that name no directory: the variable
 * is a cron line's typo as much as the flag (helper-28: `OPENCLAW_STATE_DIR=/srv/opnclaw prune
 * --yes` said "Nothing to prune", exit 0). Call after resolving the location.
 */
export function assertNamedStateDirExists(flags: LocationFlags, location: StateLocation, env: Readonly<Record<string, string | undefined>> = {}): void {
  const fromEnv = !flags.stateDir && flags.profile === undefined && Boolean(env.OPENCLAW_STATE_DIR?.trim());
  if (!flags.stateDir && flags.profile === undefined && !fromEnv) return;
  if (isDirectory(location.stateDir)) return;
  const found = stateDirsIn(location.home);
  if (flags.stateDir || fromEnv) {
    throw new ToolError('usage', `state dir not found: ${location.stateDir}${fromEnv ? ' (from OPENCLAW_STATE_DIR)' : ''} (OpenClaw state dirs in ${location.home}: ${found.length ? found.map((f) => f.dir).join(', ') : 'none'})`);
  }
  const profiles = found.map((f) => f.profile);
  throw new ToolError('usage', `profile "${flags.profile}" not found: no ${location.stateDir} (profiles in ${location.home}: ${profiles.length ? profiles.join(', ') : 'none'})`);
}

/** `--config` naming no file; the message lists the configs that do exist for this state dir. */
export function configNotFound(explicit: string, stateDir: string, home: string): ToolError {
  const candidates = [path.join(stateDir, 'openclaw.json'), path.join(stateDir, 'clawdbot.json'), path.join(home, '.openclaw', 'openclaw.json')];
  const existing = [...new Set(candidates)].filter((file) => existsSync(file));
  return new ToolError('usage', `config file not found: ${explicit} (existing: ${existing.length ? existing.join(', ') : `no OpenClaw config in ${stateDir}`})`, { input: 'configPath' });
}

/** `--agent` naming an agent neither the config lists nor `<stateDir>/agents/` holds. */
export function assertNamedAgentExists(agent: string | undefined, stateDir: string, config: ConfigFacts): void {
  if (agent === undefined) return;
  const id = normalizeAgentId(agent);
  const configured = config.agents?.list?.length ? configuredAgentIds(config).ids : [];
  const known = [...new Set([...configured, ...discoverAgentsOnDisk(stateDir), ...agentDirs(stateDir)])].sort();
  // Without an agents list the gateway's only agent is `main`, whether or not it has a store yet.
  if (configured.length === 0 && id === 'main') return;
  if (known.includes(id)) return;
  throw new ToolError('usage', `agent "${agent}" not found (agents: ${known.length ? known.join(', ') : 'none'}; from agents.list in the config and ${path.join(stateDir, 'agents')})`);
}

function agentDirs(stateDir: string): string[] {
  try {
    return readdirSync(path.join(stateDir, 'agents'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => normalizeAgentId(d.name));
  } catch {
    return [];
  }
}

function stateDirsIn(home: string): Array<{ dir: string; profile: string }> {
  let names: string[];
  try {
    names = readdirSync(home);
  } catch {
    return [];
  }
  return names
    .filter((name) => name === '.openclaw' || name.startsWith('.openclaw-'))
    .filter((name) => isDirectory(path.join(home, name)))
    .sort()
    .map((name) => ({ dir: path.join(home, name), profile: name === '.openclaw' ? 'default' : name.slice('.openclaw-'.length) }));
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
