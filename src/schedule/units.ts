/**
 * The scheduled-run definitions (pure text): a crontab block and systemd --user services and
 * timers that run `prune --yes --quiet` for this install and, when asked, `metrics --textfile`
 * for node_exporter's textfile collector.
 */
import { ToolError } from '../errors.js';

export const CRON_BEGIN = '# BEGIN openclaw-sessions (managed by `openclaw-sessions schedule`)';
export const CRON_END = '# END openclaw-sessions';
export const UNIT_NAME = 'openclaw-sessions-prune';
export const METRICS_UNIT_NAME = 'openclaw-sessions-metrics';
export const CLEAN_UNIT_NAME = 'openclaw-sessions-clean';

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
  /** Also write metrics for node_exporter: absolute textfile directory and period. */
  metrics: { textfileDir: string; everyMinutes: number } | null;
  /** Also run `clean` once a day (at 04:<offset>), keeping archives this long (`--keep`, as typed). */
  clean: { keep: string } | null;
}

const METRICS_PERIODS = [1, 2, 5, 10, 15];

/** Metrics run often (alerts need fresh data): 1m, 2m, 5m, 10m or 15m. */
export function parseMetricsEvery(ms: number): number {
  const minutes = ms / 60_000;
  if (METRICS_PERIODS.includes(minutes)) return minutes;
  throw new ToolError('usage', `--metrics-every must be one of ${METRICS_PERIODS.map((m) => `${m}m`).join(', ')}`);
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

function command(spec: ScheduleSpec, extra: string[]): string[] {
  return [spec.nodePath, spec.binPath, 'prune', '--yes', '--quiet', ...extra, ...spec.pruneArgs, ...spec.targetArgs];
}

function metricsCommand(spec: ScheduleSpec, textfileDir: string): string[] {
  return [spec.nodePath, spec.binPath, 'metrics', '--textfile', textfileDir, ...spec.targetArgs];
}

function cleanCommand(spec: ScheduleSpec, keep: string): string[] {
  return [spec.nodePath, spec.binPath, 'clean', '--yes', '--quiet', '--keep', keep, ...spec.targetArgs];
}

/**
 * A crontab line or an ExecStart is one line: a newline in a path (`--state-dir $'…\nExecStartPost=…'`)
 * would start a job or a directive of its own, so control characters are refused.
 */
function quoted(args: readonly string[], prepare: (arg: string) => string = (arg) => arg): string {
  for (const arg of args) {
    if (/[\x00-\x1f\x7f]/.test(arg)) throw new ToolError('usage', `cannot schedule ${JSON.stringify(arg)}: a control character (a newline, say) would break the crontab line and the unit file`);
  }
  return args.map((arg) => shellQuote(prepare(arg))).join(' ');
}

/** crontab(5): an unescaped `%` ends the command (the rest becomes its stdin); `\%` is a literal `%`. */
function cronCommand(args: readonly string[]): string {
  return quoted(args).replaceAll('%', '\\%');
}

/**
 * systemd.unit(5): `%` starts a specifier (`%h`, `%u`…) in ExecStart; `%%` is a literal `%`.
 * systemd.service(5): `${FOO}` and a word `$FOO` are the environment's, quotes or not; `$$` is a
 * literal `$` (helper-28: a path with `$` was only single-quoted).
 */
function execStart(args: readonly string[]): string {
  // systemd.syntax(7): C escapes are unescaped inside single quotes too (`'a\sb'` is "a b";
  // systemd 252 logs "Ignoring unknown escape sequences" for `'a\qb'`): a `\` is written `\\`,
  // before quoting, so the `\'` of an embedded quote stays an escaped quote.
  return quoted(args, (arg) => arg.replaceAll('\\', '\\\\')).replaceAll('%', '%%').replaceAll('$', () => '$$');
}

/** Every N minutes from minute 0 (a metrics run is cheap; no per-host spreading needed). */
function metricsCron(everyMinutes: number): string {
  return everyMinutes === 1 ? '* * * * *' : `*/${everyMinutes} * * * *`;
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
    `${cronSchedule(spec.everyMinutes, spec.offset)} ${cronCommand(command(spec, []))}`,
    ...(spec.metrics
      ? [
          `# Writes ${spec.metrics.textfileDir}/openclaw_sessions.prom for node_exporter every ${describeEvery(spec.metrics.everyMinutes)}`,
          `${metricsCron(spec.metrics.everyMinutes)} ${cronCommand(metricsCommand(spec, spec.metrics.textfileDir))}`,
        ]
      : []),
    ...(spec.clean ? ['# Reclaims disk once a day: expired session archives, orphan transcripts, leftover temp files', `${spec.offset % 60} 4 * * * ${cronCommand(cleanCommand(spec, spec.clean.keep))}`] : []),
    CRON_END,
  ].join('\n');
}

export function systemdMetricsService(spec: ScheduleSpec): string | null {
  if (!spec.metrics) return null;
  // A run that hangs (an unanswering gateway) must end before the next one is due.
  return `[Unit]
Description=Write OpenClaw session metrics for node_exporter (openclaw-sessions)

[Service]
Type=oneshot
ExecStart=${execStart(metricsCommand(spec, spec.metrics.textfileDir))}
TimeoutStartSec=${spec.metrics.everyMinutes * 60 - 5}s
Nice=10
`;
}

export function systemdMetricsTimer(spec: ScheduleSpec): string | null {
  if (!spec.metrics) return null;
  const every = spec.metrics.everyMinutes;
  return `[Unit]
Description=Run openclaw-sessions metrics every ${describeEvery(every)}

[Timer]
OnCalendar=${every === 1 ? '*-*-* *:*:00' : `*-*-* *:00/${every}:00`}
AccuracySec=5s
Unit=${METRICS_UNIT_NAME}.service

[Install]
WantedBy=timers.target
`;
}

/** A daily `clean` (disk is not urgent; 04:<offset> spreads many hosts over the hour). */
export function systemdCleanUnits(spec: ScheduleSpec): { service: string; timer: string } | null {
  if (!spec.clean) return null;
  const mm = String(spec.offset % 60).padStart(2, '0');
  return {
    service: `[Unit]
Description=Reclaim disk in OpenClaw sessions directories (openclaw-sessions clean)

[Service]
Type=oneshot
ExecStart=${execStart([...cleanCommand(spec, spec.clean.keep), '--log-format', 'json'])}
Nice=10
IOSchedulingClass=idle
`,
    timer: `[Unit]
Description=Run openclaw-sessions clean once a day

[Timer]
OnCalendar=*-*-* 04:${mm}:00
RandomizedDelaySec=600
Persistent=true
Unit=${CLEAN_UNIT_NAME}.service

[Install]
WantedBy=timers.target
`,
  };
}

export function systemdService(spec: ScheduleSpec): string {
  return `[Unit]
Description=Prune stale OpenClaw ACP sessions (openclaw-sessions)

[Service]
Type=oneshot
ExecStart=${execStart(command(spec, ['--log-format', 'json']))}
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
  if (minutes === 1) return 'minute';
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
