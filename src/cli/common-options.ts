/**
 * Flags every store-reading command shares, in OpenClaw's own spelling, and their checks.
 */
import { Option, type Command } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { parseDurationFlag } from './parse.js';
import type { InventoryOptions } from '../inventory.js';

export interface StoreFlags {
  profile?: string;
  stateDir?: string;
  config?: string;
  agent?: string;
  allAgents?: boolean;
  store?: string;
  staleAfter: string;
  json?: boolean;
  color?: boolean;
}

export const DEFAULT_STALE_AFTER = '30m';

export function addStoreOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'use the OpenClaw profile NAME (state dir ~/.openclaw-NAME)')
    .option('--state-dir <dir>', 'OpenClaw state directory (default: $OPENCLAW_STATE_DIR or ~/.openclaw)')
    .option('--config <path>', 'OpenClaw config file (default: $OPENCLAW_CONFIG_PATH or <state-dir>/openclaw.json)')
    .option('--agent <id>', 'only this agent\'s store')
    .option('--all-agents', 'every agent\'s store (the default: the ACP cap counts across agents)')
    .option('--store <path>', 'this sessions.json (or openclaw-agent.sqlite) only; excludes --agent/--all-agents')
    .option('--stale-after <dur>', 'a "running" claim with no activity for this long and no live transcript lock is stale', DEFAULT_STALE_AFTER)
    .option('--json', 'machine-readable output (documented schema)')
    .addOption(new Option('--color', 'force colour'))
    .addOption(new Option('--no-color', 'never colour (also NO_COLOR=1)'));
}

export function inventoryOptionsFrom(flags: StoreFlags): InventoryOptions {
  if (flags.store && (flags.agent || flags.allAgents)) {
    throw new CliError(EXIT.usage, '--store names one file; it cannot be combined with --agent or --all-agents');
  }
  if (flags.agent && flags.allAgents) throw new CliError(EXIT.usage, '--agent and --all-agents exclude each other');
  if (flags.profile && flags.stateDir) throw new CliError(EXIT.usage, '--profile and --state-dir both name the state directory; give one');
  return {
    profile: flags.profile,
    stateDir: flags.stateDir,
    config: flags.config,
    agent: flags.agent,
    store: flags.store,
    staleAfterMs: parseDurationFlag(flags.staleAfter, '--stale-after'),
  };
}
