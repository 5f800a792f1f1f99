/**
 * Where this tool is installed: the nearest directory above this module whose package.json
 * is openclaw-sessions'. Found by walking up rather than by a fixed `../..`, because the same
 * code runs from the tsc output (dist/src/cli/…) and from the bundle (dist/bundle/…).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

/** The package root and its version. Throws Error when no such package.json is found above. */
export function packageInfo(): { root: string; version: string } {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'openclaw-sessions') return (cached = { root: dir, version: String(pkg.version) });
    } catch {
      // no package.json here (or not ours): keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('openclaw-sessions: cannot find its own package.json');
    dir = parent;
  }
}
