/**
 * How prune shows itself: the plan table, the sentence about how the gateway will be told, and
 * the `--log-format json` event lines of a finished run.
 */
import type { GatewayStatus } from '../../gateway/probe.js';
import type { RecomputeDecision } from '../../recompute/choose.js';
import type { PruneReport } from '../../report/prune-report.js';
import { formatAgo } from '../../sessions/duration.js';
import type { PrunePlan } from '../../sessions/plan.js';
import type { EventLog } from '../event-log.js';
import { paintState } from '../paint.js';
import { renderTable } from '../table.js';
import { listFitSteps } from './list.js';
import type { TerminalStyle } from '../terminal.js';

/** What one prune run came to; a "no" at the prompt is an outcome (cancelled), not an error. */
export type PruneOutcome =
  | { kind: 'nothing' | 'planned'; report: PruneReport; exitCode: number }
  | { kind: 'cancelled'; report: null; exitCode: number }
  | { kind: 'pruned'; report: PruneReport; exitCode: number };

/** The plan, fitted like `list`: every row is "prune", so no ACTION column; SLOT says what it frees. */
export function renderPlan(plan: PrunePlan, style: TerminalStyle): string {
  const agentInKey = plan.items.every((item) => item.key.startsWith(`agent:${item.agentId}:`));
  return renderTable(
    [
      { header: 'AGENT', shrink: 'end' },
      { header: 'KEY', shrink: 'key' },
      { header: 'STATE' },
      { header: 'AGE' },
      { header: 'SLOT' },
      { header: 'REASON', shrink: 'end' },
    ],
    plan.items.map((item) => [
      { text: item.agentId },
      { text: item.key },
      { text: item.state, paint: (t) => paintState(style.chalk, item.state, t) },
      { text: formatAgo(item.ageMs) },
      { text: item.holdsSlot ? 'yes' : '-' },
      { text: item.reason },
    ]),
    style,
    { steps: listFitSteps(agentInKey) },
  );
}

export function describeDecision(decision: RecomputeDecision, gateway: GatewayStatus): string {
  const pid = gateway.gateway?.lock.pid;
  switch (decision.method) {
    case 'rpc':
      return `; ACP sessions are deleted through the gateway (pid ${pid}) so it drops their handles`;
    case 'restart':
      return `; then the gateway (pid ${pid}) is restarted with ${gateway.restart.ok ? gateway.restart.signal : '?'}`;
    case 'none':
      return `; the running gateway (pid ${pid}) will keep counting them (${decision.why})`;
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
    if (report.recompute) log.emit('recompute', report.recompute);
  }
  const dryRun = report?.dryRun ?? false;
  log.emit('run.end', {
    exitCode,
    pruned: dryRun ? 0 : (report?.pruned.length ?? 0),
    planned: dryRun ? report!.pruned.length : undefined,
    skipped: report?.skipped.length ?? 0,
    slotsFreed: dryRun ? 0 : (report?.slotsFreed ?? 0),
    durationMs: Date.now() - started,
    journal: report?.runId ?? null,
  });
}
