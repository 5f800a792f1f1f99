/**
 * Which session stores exist for an install: one per configured agent (docs/openclaw.md §3), plus any
 * `<stateDir>/agents/<id>/sessions/sessions.json` found on disk, plus 8.1+ SQLite stores.
 */
import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { ConfigFacts } from './config.js';
import { expandTilde } from './paths.js';

export type StoreFormat = 'json' | 'sqlite';

export interface StoreRef {
  /** The agent the store belongs to; for a literal shared store, the default agent. */
  agentId: string;
  path: string;
  format: StoreFormat;
  /** Why it is listed: named by config, found on disk, or given with --store. */
  source: 'config' | 'discovered' | 'explicit';
  /** A literal `session.store` holds every agent's sessions in one file. */
  shared: boolean;
  /**
   * A sessions.json beside that agent's 8.1+ SQLite store: a leftover the gateway no longer
   * reads. Listed, never counted, never pruned (unless named with --store).
   */
  legacy?: boolean;
}

const DEFAULT_AGENT = 'main';
const SQLITE_NAME = 'openclaw-agent.sqlite';

/** The gateway's id normalisation: lower-case, [a-z0-9_-] only, at most 64, never empty. */
export function normalizeAgentId(raw: string | undefined): string {
  const cleaned = (raw ?? '').trim().toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 64);
  return cleaned || DEFAULT_AGENT;
}

export function configuredAgentIds(config: ConfigFacts): { ids: string[]; defaultId: string } {
  const list = config.agents?.list ?? [];
  if (list.length === 0) return { ids: [DEFAULT_AGENT], defaultId: DEFAULT_AGENT };
  const ids = [...new Set(list.map((agent) => normalizeAgentId(agent.id)))];
  const marked = list.find((agent) => agent.default === true);
  const defaultId = marked ? normalizeAgentId(marked.id) : ids[0] ?? DEFAULT_AGENT;
  return { ids, defaultId };
}

/** An agent's OpenClaw 8.1+ SQLite session store (docs/openclaw.md §9), whether or not it exists. */
export function sqliteStorePathFor(stateDir: string, agentId: string): string {
  return path.join(stateDir, 'agents', agentId, 'agent', SQLITE_NAME);
}

export function sessionsDirFor(stateDir: string, agentId: string): string {
  return path.join(stateDir, 'agents', agentId, 'sessions');
}

export function jsonStorePathFor(stateDir: string, agentId: string, storeSetting: string | undefined, home: string): string {
  if (!storeSetting?.trim()) return path.join(sessionsDirFor(stateDir, agentId), 'sessions.json');
  const expanded = expandTilde(storeSetting.trim().replaceAll('{agentId}', agentId), home);
  return path.resolve(expanded);
}

export interface StoreDiscoveryInput {
  stateDir: string;
  home: string;
  config: ConfigFacts;
  /** Restrict to one agent (`--agent`). */
  agentId?: string;
}

export interface StoreDiscovery {
  stores: StoreRef[];
  agentIds: string[];
  defaultAgentId: string;
  /** Store paths that were expected but do not exist (for the "nothing here" message). */
  missing: string[];
}

export function discoverStores(input: StoreDiscoveryInput): StoreDiscovery {
  const { ids, defaultId } = configuredAgentIds(input.config);
  const onDisk = discoverAgentsOnDisk(input.stateDir);
  let agentIds = [...new Set([...ids, ...onDisk])];
  if (input.agentId) agentIds = [normalizeAgentId(input.agentId)];

  const setting = input.config.session?.store;
  const literal = Boolean(setting?.trim()) && !setting!.includes('{agentId}');
  const stores: StoreRef[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (ref: StoreRef): void => {
    const key = `${ref.format}:${ref.path}`;
    if (seen.has(key)) return;
    seen.add(key);
    stores.push(ref);
  };

  for (const agentId of agentIds) {
    const configured = ids.includes(agentId);
    const jsonPath = jsonStorePathFor(input.stateDir, agentId, setting, input.home);
    const defaultPath = jsonStorePathFor(input.stateDir, agentId, undefined, input.home);
    const sqlitePath = sqliteStorePathFor(input.stateDir, agentId);
    // 8.1+ keeps this agent's sessions in SQLite and no longer reads sessions.json (docs/openclaw.md §2, §9).
    const legacy = existsSync(sqlitePath) && !literal;
    if (existsSync(jsonPath)) {
      add({ agentId: literal ? defaultId : agentId, path: jsonPath, format: 'json', source: configured ? 'config' : 'discovered', shared: literal, ...(legacy ? { legacy } : {}) });
    } else if (!legacy) {
      missing.push(jsonPath);
    }
    // The gateway also scans the default layout, so a store left there by an older config
    // still holds sessions it may re-hydrate.
    if (defaultPath !== jsonPath && onDisk.includes(agentId) && existsSync(defaultPath)) {
      add({ agentId, path: defaultPath, format: 'json', source: 'discovered', shared: false, ...(legacy ? { legacy } : {}) });
    }
    if (existsSync(sqlitePath)) add({ agentId, path: sqlitePath, format: 'sqlite', source: configured ? 'config' : 'discovered', shared: false });
  }
  return { stores, agentIds, defaultAgentId: defaultId, missing };
}

/**
 * Agent directories under `<stateDir>/agents/` that hold a sessions.json or SQLite store.
 * Like the gateway, a symlinked directory or a path resolving outside the root is skipped.
 */
export function discoverAgentsOnDisk(stateDir: string): string[] {
  const root = path.join(stateDir, 'agents');
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of names.sort()) {
    const dir = path.join(root, name);
    try {
      if (!lstatSync(dir).isDirectory()) continue;
      const candidates = [path.join(dir, 'sessions', 'sessions.json'), path.join(dir, 'agent', SQLITE_NAME)];
      const hit = candidates.find((file) => isRegularFileInside(file, realRoot));
      if (hit) found.push(normalizeAgentId(name));
    } catch {
      continue;
    }
  }
  return [...new Set(found)];
}

function isRegularFileInside(file: string, realRoot: string): boolean {
  try {
    if (!lstatSync(file).isFile()) return false;
    // Parent directories may be symlinks too; the resolved file must stay under the root.
    const real = realpathSync(file);
    return real.startsWith(realRoot + path.sep);
  } catch {
    return false;
  }
}
