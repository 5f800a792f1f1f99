/**
 * How often a metrics timer may read the live count without costing the gateway: each live read
 * ends with a `sessions.delete` of the tool's probe session (gateway/live-acp.ts). On OpenClaw
 * 2026.4.29 every delete first retries an `npm install` of the bundled plugins' runtime
 * dependencies in a `spawnSync`, and where that install fails (observed here: a git dependency
 * over ssh) the gateway — every chat it serves — is blocked 7–28 s each time
 * (docs/openclaw-probe-delete.md; 28.1 s in the 4.29 lane of CI, 2026-12-02). 2026.4.2's delete
 * took 88 ms there and 9.6's 706 ms; 2026.7.35 and 9.6 have no such install in that path (read in
 * their `dist/`); the releases between 4.29 and 7.35 were not read,
 * so they are warned about as 4.29 is. Pure.
 */
import { compareVersions, parseCalendarVersion } from '../store/openclaw-version.js';

/** From this many minutes between metrics runs, a gateway blocked 28 s per run is blocked under a tenth of the time. */
export const STALL_SAFE_METRICS_MINUTES = 5;

/**
 * The warning for a metrics timer every `everyMinutes` beside OpenClaw `version` (the installed
 * package's, findInstalledOpenclaw); null when there is nothing to warn about, or the version is unknown.
 */
export function metricsCadenceWarning(version: string | null, everyMinutes: number): string | null {
  if (everyMinutes >= STALL_SAFE_METRICS_MINUTES) return null;
  const parsed = parseCalendarVersion(version);
  if (!parsed || compareVersions(parsed, [2026, 4, 29]) < 0 || compareVersions(parsed, [2026, 7, 35]) >= 0) return null;
  const observed = compareVersions(parsed, [2026, 4, 29]) === 0 ? 'OpenClaw 2026.4.29' : `OpenClaw ${version} (a release between 2026.4.29, where this was observed, and 7.35, where it is gone)`;
  return `metrics every ${everyMinutes}m beside ${observed}: each run's live read ends with a sessions.delete, and where that gateway cannot install its bundled plugins' runtime dependencies every delete blocks it, all its chats, for 7-28 s; choose --metrics-every ${STALL_SAFE_METRICS_MINUTES}m or more there (docs/openclaw-probe-delete.md)`;
}
