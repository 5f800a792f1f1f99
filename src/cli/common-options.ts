/**
 * The checks on the flags every store-reading command shares (declared in options.ts), and the
 * inventory options they become.
 */
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

/** `--profile` and `--state-dir` both name the state directory: refuse the pair (every command). */
export function assertOneStateDir(flags: { profile?: string; stateDir?: string }): void {
  if (flags.profile !== undefined && flags.stateDir !== undefined) throw new CliError(EXIT.usage, '--profile and --state-dir both name the state directory; give one');
}

/** `io`: where the inventory's warnings go (a `${VAR}` the config names but the environment lacks). */
export function inventoryOptionsFrom(flags: StoreFlags, io?: { stderr: { write(text: string): unknown } }): InventoryOptions {
  if (flags.store && (flags.agent || flags.allAgents)) {
    throw new CliError(EXIT.usage, '--store names one file; it cannot be combined with --agent or --all-agents');
  }
  if (flags.agent && flags.allAgents) throw new CliError(EXIT.usage, '--agent and --all-agents exclude each other');
  assertOneStateDir(flags);
  return {
    profile: flags.profile,
    stateDir: flags.stateDir,
    config: flags.config,
    agent: flags.agent,
    store: flags.store,
    staleAfterMs: parseDurationFlag(flags.staleAfter, '--stale-after'),
    warn: io ? (line) => void io.stderr.write(`openclaw-sessions: ${line}\n`) : undefined,
  };
}
