/**
 * `doctor`'s slot findings when no gateway runs: nothing holds a slot now (the count lives in the
 * gateway's memory), so "spawns fail" would be false; what the stores say is what a start would
 * bring back and what prune would remove. Pure.
 */
import type { Inventory } from '../inventory.js';
import { recreatedOnStart, START_COUNT_OBSERVED, startCountObserved } from '../sessions/start-count.js';
import type { Finding } from './findings.js';
import { UNPINNED_COMMANDS, type InstallCommands } from '../install-commands.js';

/**
 * What a gateway started now would count, as a clause, and whether that reaches the cap. Said
 * as a count only for a release whose start was observed (START_COUNT_OBSERVED).
 */
export function startClause(inventory: Pick<Inventory, 'sessions' | 'openclaw'>, cap: number | null): { text: string; full: boolean } {
  const version = inventory.openclaw.version;
  const pending = recreatedOnStart(inventory.sessions).length;
  if (!startCountObserved(version)) {
    // 2026.4.2 re-created none of its 2 pending (its reconcile failed them): an upper bound only.
    return { text: `what a gateway started now would count was not observed for ${version ? `OpenClaw ${version}` : 'this install (version unknown)'} (a start re-creates handles only for sessions whose ACP identity is still pending, at most ${pending} here, as observed on ${START_COUNT_OBSERVED.join(', ')}; the others take a slot again when next used)`, full: false };
  }
  const text = `a gateway started now would count ${pending}${cap === null ? '' : ` of ${cap}`} (it re-creates handles only for sessions whose ACP identity is still pending, observed on OpenClaw ${version}; the others take a slot again when next used)`;
  return { text, full: cap !== null && pending >= cap };
}

/**
 * The slot finding with no gateway running. `slots` is describeSlots' sentence for the stores.
 * A PROBLEM (exit 6) only where it was observed: a start of this release re-creates as many
 * handles as the cap (sessions spawned without a turn), so spawns would fail right after it.
 * `commands` names the install the run looked at (its `list` pointer lists that install's sessions).
 */
export function noGatewaySlotFinding(inventory: Pick<Inventory, 'sessions' | 'openclaw'>, cap: number | null, slots: string, commands: InstallCommands = UNPINNED_COMMANDS): Finding {
  const none = `on disk: ${slots}; no gateway runs, so no ACP slot is held now`;
  const start = startClause(inventory, cap);
  if (start.full) {
    return { id: 'cap-on-start', severity: 'problem', message: `${none}, but ${start.text}: new ACP spawns would fail with "ACP max concurrent sessions reached (${cap}/${cap})" after a start`, fix: `raise acp.maxConcurrentSessions, or close the idle ACP sessions (${commands.tool(['list', '--acp', '--state', 'idle'])})` };
  }
  return { id: 'slots', severity: 'ok', message: `${none}; ${start.text}`, fix: null };
}

/** The terminal holders with no gateway running: no slot now, one again if used; prune removes them. */
export function noGatewayTerminalMessage(heldByTerminal: number, note: string): string {
  return `${heldByTerminal} terminal session(s) (errored/stale) in the stores: no gateway runs, so they hold no ACP slot now, but each takes one again when it is next used${note}`;
}
