/**
 * The scheduled-run definitions (pure text): a crontab block and a systemd --user service and
 * timer that run `prune --yes --quiet` for this install.
 */
import { ToolError } from '../errors.js';

export const CRON_BEGIN = '# BEGIN openclaw-sessions (managed by `openclaw-sessions schedule`)';
export const CRON_END = '# END openclaw-sessions';
export const UNIT_NAME = 'openclaw-sessions-prune';

export interface ScheduleSpec {
  nodePath: string;
  binPath: string;
  /** Flags naming the install (`--profile x`, or `--state-dir … --config …`). */
  targetArgs: string[];
  /** Extra prune flags (`--allow-restart`, `--older-than 30m`…). */
  pruneArgs: string[];
  everyMinutes: number;
  /** Minute offset in [0, min(everyMinutes, 60)): spreads many hosts over the period. */
  offset: number;
}

const MINUTE_PERIODS = [5, 10, 15, 20, 30, 60];
const HOUR_PERIODS = [2, 3, 4, 6, 8, 12, 24];

export function parseEvery(ms: number): number {
  const minutes = ms / 60_000;
  if (MINUTE_PERIODS.includes(minutes) || (minutes % 60 === 0 && HOUR_PERIODS.includes(minutes / 60))) return minutes;
  throw new ToolError('usage', `--every must be one of ${MINUTE_PERIODS.map((m) => `${m}m`).join(', ')}, ${HOUR_PERIODS.map((h) => `${h}h`).join(', ')} (periods that divide an hour or a day)`);
}

/** Quotes an argument for both a crontab line (sh) and a systemd ExecStart. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

function command(spec: ScheduleSpec, extra: string[]): string {
  return [spec.nodePath, spec.binPath, 'prune', '--yes', '--quiet', ...extra, ...spec.pruneArgs, ...spec.targetArgs].map(shellQuote).join(' ');
}

export function cronSchedule(everyMinutes: number, offset: number): string {
  if (everyMinutes < 60) return `${offset}-59/${everyMinutes} * * * *`;
  if (everyMinutes === 60) return `${offset} * * * *`;
  return `${offset} */${everyMinutes / 60} * * *`;
}

export function onCalendar(everyMinutes: number, offset: number): string {
  const mm = String(offset).padStart(2, '0');
  if (everyMinutes < 60) return `*-*-* *:${mm}/${everyMinutes}:00`;
  if (everyMinutes === 60) return `*-*-* *:${mm}:00`;
  return `*-*-* 00/${everyMinutes / 60}:${mm}:00`;
}

/** The managed crontab block; cron mails stderr, so errors (and only errors) reach the owner. */
export function cronBlock(spec: ScheduleSpec): string {
  return [
    CRON_BEGIN,
    `# Prunes stale OpenClaw ACP sessions every ${describeEvery(spec.everyMinutes)}; exit codes: openclaw-sessions --help`,
    `${cronSchedule(spec.everyMinutes, spec.offset)} ${command(spec, [])}`,
    CRON_END,
  ].join('\n');
}

export function systemdService(spec: ScheduleSpec): string {
  return `[Unit]
Description=Prune stale OpenClaw ACP sessions (openclaw-sessions)

[Service]
Type=oneshot
ExecStart=${command(spec, ['--log-format', 'json'])}
Nice=10
`;
}

export function systemdTimer(spec: ScheduleSpec): string {
  return `[Unit]
Description=Run openclaw-sessions prune every ${describeEvery(spec.everyMinutes)}

[Timer]
OnCalendar=${onCalendar(spec.everyMinutes, spec.offset)}
RandomizedDelaySec=60
Persistent=true
Unit=${UNIT_NAME}.service

[Install]
WantedBy=timers.target
`;
}

function describeEvery(minutes: number): string {
  return minutes < 60 ? `${minutes} minutes` : minutes === 60 ? 'hour' : `${minutes / 60} hours`;
}

/** Replaces (or appends) the managed block in a crontab, leaving every other line alone. */
export function withCronBlock(crontab: string, block: string | null): string {
  const lines = crontab.split('\n');
  const begin = lines.indexOf(CRON_BEGIN);
  const end = begin >= 0 ? lines.indexOf(CRON_END, begin) : -1;
  let kept = lines;
  if (begin >= 0 && end >= 0) kept = [...lines.slice(0, begin), ...lines.slice(end + 1)];
  const body = kept.join('\n').replace(/\n+$/, '');
  if (block === null) return body ? `${body}\n` : '';
  return body ? `${body}\n${block}\n` : `${block}\n`;
}

export function currentCronBlock(crontab: string): string | null {
  const lines = crontab.split('\n');
  const begin = lines.indexOf(CRON_BEGIN);
  const end = begin >= 0 ? lines.indexOf(CRON_END, begin) : -1;
  return begin >= 0 && end >= 0 ? lines.slice(begin, end + 1).join('\n') : null;
}
