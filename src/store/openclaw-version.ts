/**
 * Which OpenClaw this install runs, where it can be known without asking the gateway:
 * the `openclaw` package behind the `openclaw` command on PATH, else the store layout.
 * Later stages branch on it (lock protocol, restart signal, SQLite).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '../env.js';

export interface OpenclawVersion {
  /** Calendar version such as `2026.4.2`, or a range such as `>=2026.8.1` from the layout. */
  version: string | null;
  source: 'package' | 'layout' | 'unknown';
  /** The package.json it was read from, when source is `package`. */
  packageJson?: string;
}

export function findInstalledOpenclaw(env: Env): OpenclawVersion {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const bin = path.join(dir, 'openclaw');
    if (!existsSync(bin)) continue;
    const found = packageVersionAbove(bin);
    if (found) return found;
  }
  return { version: null, source: 'unknown' };
}

/** Walks up from a file inside the openclaw package to its package.json. */
export function packageVersionAbove(file: string): OpenclawVersion | null {
  let dir: string;
  try {
    dir = path.dirname(realpathSync(file));
  } catch {
    return null;
  }
  for (let depth = 0; depth < 8; depth++) {
    const manifest = path.join(dir, 'package.json');
    try {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
      if (parsed.name === 'openclaw' && typeof parsed.version === 'string') {
        return { version: parsed.version, source: 'package', packageJson: manifest };
      }
    } catch {
      // not here; keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** `2026.4.2` → [2026, 4, 2]; null for anything else (ranges, prereleases keep their numbers). */
export function parseCalendarVersion(version: string | null): [number, number, number] | null {
  const match = /(\d{4})\.(\d{1,2})\.(\d{1,3})/.exec(version ?? '');
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

export function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export type StoreGeneration = 'locked-json' | 'unlocked-json' | 'sqlite' | 'unknown';

/** Facts §2: which write protocol a version's store uses. */
export function storeGenerationOf(version: string | null): StoreGeneration {
  const parsed = parseCalendarVersion(version);
  if (!parsed) return 'unknown';
  if (compareVersions(parsed, [2026, 8, 1]) >= 0) return 'sqlite';
  if (compareVersions(parsed, [2026, 5, 2]) >= 0) return 'unlocked-json';
  return 'locked-json';
}
