/**
 * How prune shows itself: the plan table, the sentence about how the gateway will be told, and
 * the `--log-format json` event lines of a finished run.
 */
import type { GatewayStatus } from '../../gateway/probe.js';
import type { RecomputeDecision } from '../../recompute/choose.js';
import type { PruneReport } from '../../report/prune-report.js';
import { formatAgo } from '../../sessions/duration.js';
import type { PruneExecution } from '../../prune/execute.js';
import { describePlan, type PrunePlan } from '../../sessions/plan.js';
import type { EventLog } from '../event-log.js';
import { EXIT, errorLine, exitCodeOf } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { writeJsonStreaming } from '../json-stream.js';
import { paintState } from '../paint.js';
import { renderTable } from '../table.js';
import { keyCell, wrapCommand, wrapProse } from '../text.js';
import { listFitSteps } from './list.js';
import { decideStyle, type TerminalStyle } from '../terminal.js';

/** What one prune run came to; a "no" at the prompt is an outcome (cancelled), not an error. */
export type PruneOutcome =
  | { kind: 'nothing' | 'planned'; report: PruneReport; exitCode: number }
  | { kind: 'cancelled'; report: null; exitCode: number }
  | { kind: 'pruned'; report: PruneReport; exitCode: number };

/** Where prune's output goes: text lines (unless --quiet, --json or JSON log lines), the JSON document, errors. */
export interface PruneOutput {
  style: TerminalStyle;
  say(text: string): void;
  emit(report: PruneReport): void;
  warn(text: string): void;
}

export async function pruneOutput(flags: { quiet?: boolean; json?: boolean; color?: boolean }, io: CliIo, log: EventLog): Promise<PruneOutput> {
  return {
    style: await decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color }),
    say: (text) => {
      if (!flags.quiet && !flags.json && !log.enabled) io.stdout.write(text);
    },
    emit: (report) => {
      // In pieces: a prune of 50k sessions is a report of tens of MiB (issue 16 #10).
      if (flags.json) writeJsonStreaming(report as unknown as Record<string, unknown>, ['pruned', 'skipped', 'transcripts', 'transcriptsKept'], (chunk) => io.stdout.write(chunk));
    },
    warn: (text) => io.stderr.write(`openclaw-sessions: ${text}\n`),
  };
}

/** A sentence wrapped at words to the terminal (whole in a pipe), ending in a newline. */
export function prose(text: string, out: Pick<PruneOutput, 'style'>): string {
  return `${wrapProse(text, out.style.width).join('\n')}\n`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Nothing to prune, or a dry run: the plan (table and summary line) and the command that prunes
 * that same set (`pruneCommand`, shell words), or the sentence that says there is nothing.
 */
export function renderPlanned(out: PruneOutput, report: PruneReport, plan: PrunePlan, stores: number, pruneCommand: string[]): void {
  out.emit(report);
  if (plan.items.length === 0) out.say(prose(`Nothing to prune (${plural(plan.totalSessions, 'session')} in ${plural(stores, 'store')} checked).`, out));
  else out.say(`${renderPlan(plan, out.style)}\n${prose(`${describePlan(plan, true)}; to prune them:`, out)}${wrapCommand(pruneCommand, out.style.width, '  ').join('\n')}\n`);
}

/** Commands a finished run prints for the operator to paste (shell words, selection flags included). */
export interface PrunedHints {
  /** `openclaw-sessions restore <run id> …` (given the run id). */
  undo: (runId: string) => string[];
  /** `openclaw gateway restart` for the same install. */
  restartGateway: string[];
}

/**
 * A finished run: skips, transcript failures and kept transcripts, the summary, each store left
 * untouched, how the gateway recomputed — and the exit code: 0; 5 when the gateway was not made
 * to recompute; when a store was left untouched (busy, refused, failed), 7 if another store was
 * pruned, else that store's own code (3, 4 or 1).
 */
export function renderPruned(out: PruneOutput, { report, results, partial, warnings }: PruneExecution, hints: PrunedHints): number {
  out.emit(report);
  // A store left untouched gets one line below, not its reason once per planned key (helper-28: 8 times for a busy lock).
  // Only the untouched stores' own (file-route) skips: a gateway's refusal of an RPC delete in that
  // store keeps its line (helper-29: "see skipped" pointed at nothing).
  const untouchedKeys = new Set(results.filter((result) => result.outcome !== 'pruned').flatMap((result) => result.skipped.map((skip) => `${skip.storePath}\0${skip.key}`)));
  for (const skip of report.skipped) if (!untouchedKeys.has(`${skip.storePath}\0${skip.key}`)) out.say(`skipped ${skip.key}: ${skip.why}\n`);
  for (const result of results) for (const failure of result.transcriptFailures) out.warn(`could not archive transcript ${failure.path}: ${failure.error}`);
  for (const kept of report.transcriptsKept) out.say(`kept transcript ${kept.path} (of ${kept.key}): ${kept.why}\n`);
  for (const warning of warnings) out.warn(warning);
  out.say(prose(report.summary, out));
  const recompute = report.recompute!;
  // Only what left the file can be put back: sessions the gateway deleted (RPC) are gone with
  // their runtimes and transcripts (restore says the same; prune/restore.ts).
  const byFile = report.pruned.length - recompute.viaRpc.length;
  if (report.runId && byFile > 0) {
    const rpcNote = recompute.viaRpc.length > 0 ? ` (the ${recompute.viaRpc.length} deleted through the gateway cannot be put back)` : '';
    out.say(`To undo${rpcNote}:\n${wrapCommand(hints.undo(report.runId), out.style.width, '  ').join('\n')}\n`);
  } else if (report.runId && recompute.viaRpc.length > 0) {
    // The summary's "Journal: <id>" is the record of what went, not a way back: say so.
    out.say(prose(`Not undoable: the gateway deleted these sessions (sessions.delete closed their runtimes and archived their transcripts); journal ${report.runId} keeps a record of what they were.`, out));
  }
  const untouched = results.filter((result) => result.outcome !== 'pruned');
  for (const result of untouched) out.warn(`store ${result.path} not pruned (${result.outcome}; ${result.skipped.length} planned session${result.skipped.length === 1 ? '' : 's'} left as they are): ${result.error ? errorLine(result.error) : ''}`);
  if (!recompute.ok) {
    out.warn(recompute.detail);
    // The pruned sessions are gone from the store: restarting this install's gateway is what frees their slots now.
    if (recompute.method === 'none') out.warn(`to restart it: ${hints.restartGateway.join(' ')}`);
  }
  if (untouched.length > 0) return partial ? EXIT.partial : exitCodeOf(untouched[0]!.error);
  if (!recompute.ok) return EXIT.notRecomputed;
  if (recompute.method !== 'file') out.say(prose(recompute.detail, out));
  return EXIT.ok;
}

/** Runs first; conversations (only with --include-conversations) in a table of their own. */
export function renderPlan(plan: PrunePlan, style: TerminalStyle): string {
  const runs = plan.items.filter((item) => !item.conversation);
  const conversations = plan.items.filter((item) => item.conversation);
  const parts: string[] = [];
  if (runs.length > 0) parts.push(renderItems(runs, style));
  if (conversations.length > 0) {
    parts.push(`Conversations (--include-conversations): ${conversations.length}; their chat history and per-chat settings go with them`);
    parts.push(renderItems(conversations, style));
  }
  return parts.join('\n');
}

/** Fitted like `list`: every row is pruned, so no ACTION column; SLOT says whether the entry holds an ACP slot on disk. */
function renderItems(items: PrunePlan['items'], style: TerminalStyle): string {
  const agentInKey = items.every((item) => item.key.startsWith(`agent:${item.agentId}:`));
  return renderTable(
    [
      { header: 'AGENT', shrink: 'end' },
      { header: 'KEY', shrink: 'key' },
      { header: 'STATE' },
      { header: 'AGE' },
      { header: 'SLOT' },
      { header: 'REASON', shrink: 'end' },
    ],
    items.map((item) => [
      { text: item.agentId },
      { text: keyCell(item.key) },
      { text: item.state, paint: (t) => paintState(style.paint, item.state, t) },
      { text: formatAgo(item.ageMs) },
      { text: item.holdsSlot ? 'yes' : '-' },
      { text: item.reason },
    ]),
    style,
    { steps: listFitSteps(agentInKey) },
  );
}

export function describeDecision(decision: RecomputeDecision, gateway: GatewayStatus): string {
  const who = gateway.gateway ? `the gateway (pid ${gateway.gateway.pid})` : `the gateway at ${gateway.url}`;
  switch (decision.method) {
    case 'rpc':
      return `; ACP sessions are deleted through ${who} so it drops their handles`;
    case 'restart':
      return `; then ${who} is restarted with ${gateway.restart.ok ? gateway.restart.signal : '?'}`;
    default:
      return '';
  }
}

/** The per-session and closing event lines (`--log-format json`). */
export function logOutcome(log: EventLog, outcome: PruneOutcome, started: number): void {
  const { report, exitCode } = outcome;
  if (outcome.kind === 'cancelled') log.emit('run.cancelled');
  if (report) {
    const viaRpc = new Set(report.recompute?.viaRpc ?? []);
    for (const item of report.pruned) {
      const fields = { agentId: item.agentId, key: item.key, state: item.state, reason: item.reason, storePath: item.storePath, via: viaRpc.has(item.key) ? 'rpc' : 'file' };
      log.emit(report.dryRun ? 'session.planned' : 'session.pruned', fields);
    }
    for (const skip of report.skipped) log.emit('session.skipped', { agentId: skip.agentId, key: skip.key, why: skip.why });
    // A log collector sees why a run exited non-zero without the text on stderr (helper-28: only run.end's exitCode told).
    for (const store of report.stores) if (store.outcome !== 'pruned' && store.outcome !== 'planned') log.emit('store.untouched', { agentId: store.agentId, path: store.path, outcome: store.outcome, error: store.error ?? null });
    for (const failed of report.failedStores ?? []) log.emit('store.unreadable', { agentId: failed.agentId, path: failed.path, error: failed.error });
    if (report.recompute) log.emit('recompute', report.recompute);
  }
  const dryRun = report?.dryRun ?? false;
  log.emit('run.end', {
    exitCode,
    pruned: dryRun ? 0 : (report?.pruned.length ?? 0),
    planned: dryRun ? report!.pruned.length : undefined,
    skipped: report?.skipped.length ?? 0,
    // Measured (the live count's drop) or null; the disk count is separate.
    slotsFreed: dryRun ? 0 : (report?.slotsFreed ?? null),
    slotsHeldOnDisk: dryRun ? 0 : (report?.slotsHeldOnDisk ?? 0),
    liveBefore: report?.recompute?.liveBefore ?? null,
    liveAfter: report?.recompute?.liveAfter ?? null,
    durationMs: Date.now() - started,
    journal: report?.runId ?? null,
  });
}
