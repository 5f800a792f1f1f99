/**
 * Durations as operators type them (`30m`, `2h`, `7d`) and ages as OpenClaw prints them.
 */
import { InvalidValueError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses `90s`, `30m`, `2h`, `7d`, `1w`, `1h30m` into milliseconds; a bare number is refused
 * (which unit?), except `0`. Throws InvalidValueError.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '0') return 0;
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new InvalidValueError(text, 'a duration such as 90s, 30m, 2h, 7d or 1h30m');
  }
  return Math.round(total);
}

/** `just now`, `45s`, `5m`, `3h`, `2d`, `6w`: the largest whole unit, like OpenClaw's CLI. */
export function formatAge(ms: number): string {
  if (ms < 1000) return 'just now';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 14) return `${days}d`;
  return `${Math.floor(days / 7)}w`;
}

export function formatAgo(ms: number | null): string {
  if (ms === null) return '-';
  const age = formatAge(ms);
  return age === 'just now' ? age : `${age} ago`;
}
