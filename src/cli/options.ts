/**
 * Every flag, declared once: name, value, default, help, and the commands that take it. main.ts
 * builds commander from this table, `--help` prints it, and `npm run docs` writes the README's
 * flag tables from it (a test fails when the README drifts).
 */
import { DEFAULT_ARCHIVE_KEEP, DEFAULT_JOURNAL_RETENTION, DEFAULT_LOCK_TIMEOUT, DEFAULT_PRUNE_GRACE, DEFAULT_RESTART_WAIT, DEFAULT_SCHEDULE_EVERY, DEFAULT_STALE_AFTER } from '../defaults.js';

export const COMMAND_NAMES = ['list', 'prune', 'restore', 'clean', 'gateway', 'doctor', 'schedule'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** The commands that read session stores and so take the store flags. */
const STORE_COMMANDS: readonly CommandName[] = ['list', 'prune', 'restore', 'clean', 'gateway', 'doctor'];
const CHANGING: readonly CommandName[] = ['prune', 'restore', 'clean'];

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
}

export const OPTIONS: readonly OptionSpec[] = [
  // Where the install is: OpenClaw's own spelling.
  { flags: '--profile <name>', help: 'use the OpenClaw profile NAME (state dir ~/.openclaw-NAME)', doc: 'state dir `~/.openclaw-NAME`, config `<state dir>/openclaw.json`', commands: [...STORE_COMMANDS, 'schedule'] },
  {
    flags: '--state-dir <dir>',
    help: 'OpenClaw state directory (default: $OPENCLAW_STATE_DIR or ~/.openclaw)',
    doc: 'OpenClaw state dir (default: `$OPENCLAW_STATE_DIR`, else `~/.openclaw`, else legacy `~/.clawdbot`; `$OPENCLAW_HOME` replaces `~`)',
    commands: [...STORE_COMMANDS, 'schedule'],
  },
  {
    flags: '--config <path>',
    help: 'OpenClaw config file (default: $OPENCLAW_CONFIG_PATH or <state-dir>/openclaw.json)',
    doc: 'OpenClaw config (default: `$OPENCLAW_CONFIG_PATH`, else `<state dir>/openclaw.json`, `clawdbot.json`). JSON5, with `$include` and `${VAR}`',
    commands: [...STORE_COMMANDS, 'schedule'],
  },
  { flags: '--agent <id>', help: "only this agent's store", commands: STORE_COMMANDS },
  { flags: '--all-agents', help: "every agent's store (the default: the ACP cap counts across agents)", commands: STORE_COMMANDS },
  { flags: '--store <path>', help: 'this sessions.json (or openclaw-agent.sqlite) only; excludes --agent/--all-agents', commands: STORE_COMMANDS },
  { flags: '--stale-after <dur>', help: 'a "running" claim with no activity for this long and no live transcript lock is stale', default: DEFAULT_STALE_AFTER, commands: STORE_COMMANDS },

  // What to look at.
  { flags: '--state <list>', help: 'only these states (running,idle,errored,finished,closed,stale,invalid)', commands: ['list'] },
  { flags: '--state <list>', help: 'only these terminal states (errored,finished,closed,stale)', commands: ['prune'] },
  { flags: '--kind <list>', help: 'only these kinds (main,direct,group,channel,subagent,acp,acp-binding,cron,cron-run,dashboard,other)', commands: ['list', 'prune'] },
  { flags: '--key <glob>', help: 'only keys matching this glob (* and ?)', repeatable: true, commands: ['prune'] },
  { flags: '--keep <glob>', help: 'never prune keys matching this glob', repeatable: true, commands: ['prune'] },
  { flags: '--older-than <dur>', help: 'only sessions quiet for at least this long (30m, 2h, 7d)', commands: ['list'] },
  { flags: '--older-than <dur>', help: 'grace period: only sessions quiet for at least this long', default: DEFAULT_PRUNE_GRACE, commands: ['prune'] },
  { flags: '--older-than <dur>', help: `grace period passed to prune (its default: ${DEFAULT_PRUNE_GRACE})`, commands: ['schedule'] },
  { flags: '--acp', help: 'only ACP sessions', commands: ['list', 'prune'] },
  { flags: '--terminal', help: 'only terminal sessions (errored, finished, closed, stale)', commands: ['list'] },
  { flags: '--wide', help: 'every value whole, with the full error text (a record per session when the table does not fit)', commands: ['list'] },

  // Changing things.
  { flags: '--dry-run', help: 'show the plan, change nothing', commands: ['prune', 'clean'] },
  { flags: '--keep <dur>', help: 'how long .deleted/.reset archives are kept', default: DEFAULT_ARCHIVE_KEEP, commands: ['clean'] },
  { flags: '--list', help: 'list the recorded prune runs', commands: ['restore'] },
  { flags: '-y, --yes', help: 'do not ask for confirmation (required when stdin is not a terminal)', commands: CHANGING },
  { flags: '-q, --quiet', help: 'print nothing on success (errors still go to stderr; a --log-format json log is still written)', commands: CHANGING },
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

  // schedule.
  { flags: '--every <dur>', help: 'how often: 5m, 10m, 15m, 20m, 30m, 1h, 2h … 24h', default: DEFAULT_SCHEDULE_EVERY, commands: ['schedule'] },
  { flags: '--install <kind>', help: 'write the units: systemd (user timer) or cron (user crontab)', conflicts: ['uninstall'], commands: ['schedule'] },
  { flags: '--uninstall', help: 'remove the installed timer and crontab block', commands: ['schedule'] },
  { flags: '--force', help: 'replace an installed file or block that differs', commands: ['schedule'] },
  { flags: '--no-enable', help: 'with --install systemd: write the units but do not run systemctl', commands: ['schedule'] },

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
    examples: ['openclaw-sessions list', 'openclaw-sessions list --acp --state errored,stale', 'openclaw-sessions list --profile work --json | jq .summary'],
  },
  {
    name: 'prune',
    description: "remove terminal sessions (errored, finished, closed, stale) under the gateway's own lock, with an undo journal",
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
    description: 'the running gateway: verified pid, version, port, readiness, slots held, and which recompute methods work',
    examples: ['openclaw-sessions gateway', 'openclaw-sessions gateway --no-rpc --json'],
  },
  {
    name: 'doctor',
    description: 'why do spawns fail? gateway, cap and slots, idle eviction, stale locks, broken or unsafe stores — each with its fix',
    examples: ['openclaw-sessions doctor', 'openclaw-sessions doctor --profile work', 'openclaw-sessions doctor --json   # from monitoring: exit 6 when problems are found'],
  },
  {
    name: 'schedule',
    description: 'print (or install) a crontab line and systemd --user units that run prune unattended',
    examples: ['openclaw-sessions schedule', 'openclaw-sessions schedule --install systemd --every 15m', 'openclaw-sessions schedule --uninstall'],
  },
];
