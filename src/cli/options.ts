/**
 * Every flag, declared once: name, value, default, help, and the commands that take it. main.ts
 * builds commander from this table, `--help` prints it, and `npm run docs` writes the README's
 * flag tables from it (a test fails when the README drifts).
 */
import { DEFAULT_ARCHIVE_KEEP, DEFAULT_JOURNAL_RETENTION, DEFAULT_LOCK_TIMEOUT, DEFAULT_METRICS_EVERY, DEFAULT_PRUNE_GRACE, DEFAULT_RESTART_WAIT, DEFAULT_SCHEDULE_EVERY, DEFAULT_STALE_AFTER } from '../defaults.js';

export const COMMAND_NAMES = ['list', 'prune', 'restore', 'clean', 'gateway', 'doctor', 'metrics', 'schedule'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** The commands that read session stores and so take the store flags. */
const STORE_COMMANDS: readonly CommandName[] = ['list', 'prune', 'restore', 'clean', 'gateway', 'doctor'];
const CHANGING: readonly CommandName[] = ['prune', 'restore', 'clean'];
/** The store commands plus metrics, which selects an install the same way but prints no table or JSON. */
const SELECTING: readonly CommandName[] = [...STORE_COMMANDS, 'metrics'];

export interface OptionSpec {
  /** Commander's spelling: `-y, --yes`, `--older-than <dur>`, `--no-rpc`. */
  flags: string;
  /** One line for `--help`. */
  help: string;
  /** Longer text for the README table, when the help line is not enough. */
  doc?: string;
  commands: readonly CommandName[];
  /** The value when the flag is not given (a string as typed, so `--help` shows `10m`). */
  default?: string;
  /** Given several times, the values collect into a list (shown as "repeatable", never `[]`). */
  repeatable?: boolean;
  /** Attribute names of flags this one cannot be combined with (a usage error, exit 2). */
  conflicts?: readonly string[];
  /**
   * An empty value is a usage error, not "not given": a cron line's `--store "$STORE"` with STORE
   * unset pruned every agent's store (helper-22's walk).
   */
  nonEmpty?: boolean;
  /**
   * The flag (as typed, `--clean`; with a value, `--install systemd`) this one only works with:
   * given without it, a usage error (exit 2), never silently ignored (`schedule --clean-keep 7d`
   * without `--clean` installed no clean at all, helper-22's walk; `--install cron --no-enable`
   * installed a crontab block that runs at once).
   */
  requires?: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  // Where the install is: OpenClaw's own spelling.
  { flags: '--profile <name>', help: 'use the OpenClaw profile NAME (state dir ~/.openclaw-NAME)', doc: 'state dir `~/.openclaw-NAME`, config `<state dir>/openclaw.json`', commands: [...SELECTING, 'schedule'] },
  {
    flags: '--state-dir <dir>', nonEmpty: true,
    help: 'OpenClaw state directory (default: $OPENCLAW_STATE_DIR or ~/.openclaw)',
    doc: 'OpenClaw state dir (default: `$OPENCLAW_STATE_DIR`, else `~/.openclaw`, else legacy `~/.clawdbot`; `$OPENCLAW_HOME` replaces `~`)',
    commands: [...SELECTING, 'schedule'],
  },
  {
    flags: '--config <path>', nonEmpty: true,
    help: 'OpenClaw config file (default: $OPENCLAW_CONFIG_PATH or <state-dir>/openclaw.json)',
    doc: 'OpenClaw config (default: `$OPENCLAW_CONFIG_PATH`, else `<state dir>/openclaw.json`, `clawdbot.json`). JSON5, with `$include` and `${VAR}`',
    commands: [...SELECTING, 'schedule'],
  },
  { flags: '--agent <id>', help: "only this agent's store (of a store shared by all agents, its keys)", commands: SELECTING, nonEmpty: true },
  { flags: '--all-agents', help: "every agent's store (the default: the ACP cap counts across agents)", commands: SELECTING },
  { flags: '--store <path>', help: 'this sessions.json (or openclaw-agent.sqlite) only; excludes --agent/--all-agents', commands: SELECTING, nonEmpty: true },
  { flags: '--stale-after <dur>', help: 'a "running" claim with no activity for this long and no live transcript lock is stale', default: DEFAULT_STALE_AFTER, commands: SELECTING },

  // What to look at.
  { flags: '--state <list>', help: 'only these states (running,idle,stuck,errored,finished,closed,stale,unknown,invalid)', commands: ['list'] },
  { flags: '--state <list>', help: 'only these terminal states (errored,finished,closed,stale)', commands: ['prune'] },
  { flags: '--kind <list>', help: 'only these kinds (main,direct,group,channel,subagent,acp,acp-binding,cron,cron-run,dashboard,other)', commands: ['list', 'prune'] },
  // nonEmpty: `--key "$KEYS"` with an unset variable matched nothing, and a cron line pruned nothing forever.
  { flags: '--key <glob>', help: 'only keys matching this glob (* and ?)', repeatable: true, nonEmpty: true, commands: ['prune'] },
  { flags: '--keep <glob>', help: 'never prune keys matching this glob', repeatable: true, nonEmpty: true, commands: ['prune'] },
  { flags: '--older-than <dur>', help: 'only sessions quiet for at least this long (30m, 2h, 7d)', commands: ['list'] },
  { flags: '--older-than <dur>', help: 'grace period: only sessions quiet for at least this long', default: DEFAULT_PRUNE_GRACE, commands: ['prune'] },
  {
    flags: '--include-conversations [dur]',
    help: 'also prune conversations (direct, group, channel, dashboard…; never main or running) quiet for DUR (default 30d); off by default',
    doc: 'the one way to prune **conversations** (direct, group, channel, thread, dashboard, cron job sessions; never main, never running): those quiet for DUR (default `30d`, OpenClaw\'s `session.maintenance.pruneAfter` default) and `--older-than`; listed apart in the plan',
    commands: ['prune'],
  },
  { flags: '--older-than <dur>', help: `grace period passed to prune (its default: ${DEFAULT_PRUNE_GRACE})`, commands: ['schedule'] },
  { flags: '--acp', help: 'only ACP sessions', commands: ['list', 'prune'] },
  { flags: '--terminal', help: 'only terminal sessions (errored, finished, closed, stale)', commands: ['list'] },
  { flags: '--wide', help: 'every value whole, with the full error text (a record per session when the table does not fit)', commands: ['list'] },

  // Changing things.
  { flags: '--dry-run', help: 'show the plan, change nothing', commands: ['prune', 'clean'] },
  { flags: '--keep <dur>', help: 'how long .deleted/.reset archives are kept', default: DEFAULT_ARCHIVE_KEEP, commands: ['clean'] },
  { flags: '--list', help: 'list the recorded prune runs', commands: ['restore'] },
  { flags: '-y, --yes', help: 'do not ask for confirmation (required when stdin is not a terminal)', commands: CHANGING },
  { flags: '-q, --quiet', help: 'print nothing on success (errors still go to stderr; a --log-format json log is still written)', commands: ['prune', 'clean'] },
  // restore has no event log (helper-28: its help promised one).
  { flags: '-q, --quiet', help: 'print nothing on success (errors still go to stderr)', commands: ['restore'] },
  { flags: '--lock-timeout <dur>', help: 'how long to wait for a lock held by the gateway or another run', default: DEFAULT_LOCK_TIMEOUT, commands: CHANGING },
  { flags: '--no-journal', help: 'do not record removed entries for restore', commands: ['prune'] },
  {
    flags: '--journal-retention <dur>',
    help: 'drop journal runs older than this (applied under the run lock by each prune that writes)',
    doc: 'undo-journal runs older than this are dropped, by an atomic rewrite under the run lock, whenever a prune writes; runs that removed nothing are never journaled',
    commands: ['prune'],
    default: DEFAULT_JOURNAL_RETENTION,
  },
  { flags: '--keep-transcripts', help: 'leave transcripts of pruned sessions where they are', commands: ['prune'] },
  { flags: '--recompute <method>', help: 'make a running gateway drop the pruned sessions: auto, rpc, restart or none', default: 'auto', commands: ['prune'] },
  { flags: '--allow-restart', help: 'let --recompute auto/restart restart the gateway (drops running chats)', commands: ['prune'] },
  { flags: '--allow-restart', help: 'let the scheduled prune restart the gateway when RPC is unavailable', commands: ['schedule'] },
  { flags: '--wait <dur>', help: 'how long to wait for a restarted gateway to be ready', default: DEFAULT_RESTART_WAIT, commands: ['prune'] },
  { flags: '--log-format <format>', help: 'text, or json: one JSON object per line per event (for cron/systemd logs)', default: 'text', commands: ['prune', 'clean'] },
  { flags: '--no-rpc', help: 'do not try the gateway RPC (and do not create a device identity)', commands: ['gateway', 'doctor'] },
  { flags: '--no-rpc', help: 'do not ask the gateway for its live ACP count', commands: ['list'] },

  // Which gateway: OpenClaw's own spelling (`openclaw gateway call|status`, `openclaw tui`).
  {
    flags: '--url <url>',
    help: "the gateway's WebSocket URL (ws://127.0.0.1:18789, wss://host): RPC only, never signalled (default: $OPENCLAW_GATEWAY_URL, gateway.remote.url in remote mode, else found by its lock and port)",
    doc: "the gateway's WebSocket URL: its sessions are listed with `sessions.list` and pruned with `sessions.delete`; it is never signalled and no local file is read or written for it (default: `$OPENCLAW_GATEWAY_URL`, else `gateway.remote.url` when `gateway.mode` is `remote`, else the local gateway found by its lock and port). Plain `ws://` only to loopback (or a private host with `OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1`)",
    commands: ['list', 'prune', 'gateway', 'doctor'],
  },
  { flags: '--url <url>', help: 'refused: restore works on local store files only (a gateway named by URL keeps its own)', commands: ['restore'] },
  { flags: '--token <token>', help: 'gateway token (default: $OPENCLAW_GATEWAY_TOKEN, then the config)', doc: 'gateway token (default: `$OPENCLAW_GATEWAY_TOKEN`, then `gateway.remote.token` for a remote target or `gateway.auth.token`); sent only to a proven gateway or the `--url` given', commands: ['list', 'prune', 'gateway', 'doctor'] },
  { flags: '--password <password>', help: 'gateway password (default: $OPENCLAW_GATEWAY_PASSWORD, then the config)', doc: 'gateway password (default: `$OPENCLAW_GATEWAY_PASSWORD`, then `gateway.remote.password` or `gateway.auth.password`); sent only like the token', commands: ['list', 'prune', 'gateway', 'doctor'] },

  // metrics.
  {
    flags: '--textfile <dir>',
    nonEmpty: true,
    help: "write <dir>/openclaw_sessions.prom atomically for node_exporter's textfile collector (prints nothing)",
    doc: "write `<dir>/openclaw_sessions.prom` for node_exporter's textfile collector instead of printing: temp file + rename in the same directory, 0644",
    commands: ['metrics'],
  },
  { flags: '--no-rpc', help: 'do not read the live ACP count from the gateway (openclaw_acp_active_runtime_sessions is then absent)', commands: ['metrics'] },

  // schedule.
  { flags: '--every <dur>', help: 'how often: 5m, 10m, 15m, 20m, 30m, 1h, 2h … 24h', default: DEFAULT_SCHEDULE_EVERY, commands: ['schedule'] },
  { flags: '--install <kind>', help: 'write the units: systemd (user timer) or cron (user crontab)', conflicts: ['uninstall'], commands: ['schedule'] },
  { flags: '--uninstall', help: 'remove the installed timer and crontab block', commands: ['schedule'] },
  { flags: '--force', help: 'with --install: replace an installed file or block that differs', commands: ['schedule'], requires: '--install' },
  { flags: '--no-enable', help: 'with --install systemd: write the units but do not run systemctl', commands: ['schedule'], requires: '--install systemd' },
  { flags: '--metrics-textfile <dir>', help: "also run `metrics --textfile <dir>` on a timer (node_exporter's textfile directory)", commands: ['schedule'], nonEmpty: true },
  { flags: '--metrics-every <dur>', help: 'with --metrics-textfile: how often metrics run: 1m, 2m, 5m, 10m or 15m', default: DEFAULT_METRICS_EVERY, commands: ['schedule'], requires: '--metrics-textfile' },
  { flags: '--clean', help: 'also run `clean` once a day (04:xx): expired archives, orphan transcripts, temp files', commands: ['schedule'] },
  { flags: '--clean-keep <dur>', help: 'with --clean: how long archives are kept', default: DEFAULT_ARCHIVE_KEEP, commands: ['schedule'], requires: '--clean' },

  // Output.
  { flags: '--json', help: 'machine-readable output (versioned schema in docs/<command>.schema.json)', commands: STORE_COMMANDS },
  { flags: '--json', help: 'the generated texts as JSON (docs/schedule.schema.json)', commands: ['schedule'] },
  { flags: '--color', help: 'force colour', commands: STORE_COMMANDS },
  { flags: '--no-color', help: 'never colour (also NO_COLOR=1); the layout is the same', commands: STORE_COMMANDS },
];

export function optionsOf(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((option) => option.commands.includes(command));
}

export interface CommandSpec {
  name: CommandName;
  /** `[run-id]` style positional arguments with their help. */
  args?: ReadonlyArray<{ spec: string; help: string }>;
  description: string;
  /** 2–4 lines shown under "Examples:" in `--help`. */
  examples: readonly string[];
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'list',
    description: 'every session of every agent: state, why, age, and the ACP slots held against the cap',
    examples: ['openclaw-sessions list', 'openclaw-sessions list --acp --state errored,stale', 'openclaw-sessions list --state stuck', 'openclaw-sessions list --profile work --json | jq .summary'],
  },
  {
    name: 'prune',
    description: "remove finished runs (errored/closed ACP sessions, finished or stale subagent and cron runs) under the gateway's own lock, with an undo journal; conversations only with --include-conversations",
    examples: ['openclaw-sessions prune --dry-run', 'openclaw-sessions prune', 'openclaw-sessions prune --yes --quiet --log-format json   # from cron', "openclaw-sessions prune --kind acp --keep 'agent:main:acp:keep-*'"],
  },
  {
    name: 'restore',
    args: [{ spec: '[run-id]', help: 'the prune run to undo (default: the latest run that removed sessions and is not yet restored)' }],
    description: 'put back the sessions a prune removed, from its journal (keys that exist again are kept)',
    examples: ['openclaw-sessions restore --list', 'openclaw-sessions restore', 'openclaw-sessions restore 20261201T001500Z-4f2a --yes'],
  },
  {
    name: 'clean',
    description: 'reclaim disk: remove expired .deleted/.reset archives and leftover temp files, archive orphan transcripts',
    examples: ['openclaw-sessions clean --dry-run', 'openclaw-sessions clean', 'openclaw-sessions clean --yes --keep 14d --log-format json   # from cron'],
  },
  {
    name: 'gateway',
    description: 'the running gateway: how it was found (lock, port, --url), verified pid, version, its live ACP count, slots held on disk, and which recompute methods prune accepts',
    examples: ['openclaw-sessions gateway', 'openclaw-sessions gateway --json | jq .acp', 'openclaw-sessions gateway --url wss://gw.example --token "$TOKEN"'],
  },
  {
    name: 'doctor',
    description: 'why do spawns fail? gateway, cap and slots, idle eviction, stale locks, broken or unsafe stores — each with its fix',
    examples: ['openclaw-sessions doctor', 'openclaw-sessions doctor --profile work', 'openclaw-sessions doctor --json   # from monitoring: exit 6 when problems are found'],
  },
  {
    name: 'metrics',
    description: 'Prometheus gauges of the install: sessions by state, ACP slots held and the cap, the live count, gateway up, stores, the last prune',
    examples: ['openclaw-sessions metrics', 'openclaw-sessions metrics --textfile /var/lib/prometheus/node-exporter   # every minute, from a timer'],
  },
  {
    name: 'schedule',
    description: 'print (or install) a crontab block and systemd --user units that run prune (and optionally metrics) unattended',
    examples: ['openclaw-sessions schedule', 'openclaw-sessions schedule --install systemd --every 15m', 'openclaw-sessions schedule --install systemd --metrics-textfile /var/lib/prometheus/node-exporter', 'openclaw-sessions schedule --uninstall'],
  },
];
