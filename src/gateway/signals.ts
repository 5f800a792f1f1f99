/**
 * Which signal restarts which gateway (docs/openclaw.md §8). Pure, and deliberately a table: sending the
 * wrong one kills a gateway without draining (SIGUSR2/SIGHUP on 4.x) or opens an inspector
 * (SIGUSR1 on 9.x).
 */
import { compareVersions, parseCalendarVersion } from '../store/openclaw-version.js';

export type RestartSignal = 'SIGUSR1' | 'SIGUSR2';

export type SignalChoice = { ok: true; signal: RestartSignal } | { ok: false; why: string };

export function restartSignalFor(version: string | null): SignalChoice {
  const parsed = parseCalendarVersion(version);
  if (!parsed) return { ok: false, why: `unknown OpenClaw version${version ? ` "${version}"` : ''}: the restart signal differs between versions (SIGUSR1 on 4.x–8.x, SIGUSR2 on 9.x), so none is sent` };
  if (compareVersions(parsed, [2026, 4, 2]) < 0) return { ok: false, why: `OpenClaw ${version} is older than 2026.4.2, which this tool knows` };
  if (compareVersions(parsed, [2026, 9, 0]) >= 0) return { ok: true, signal: 'SIGUSR2' };
  return { ok: true, signal: 'SIGUSR1' };
}
