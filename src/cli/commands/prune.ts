/**
 * `openclaw-sessions prune`: plan once, show it, confirm, remove exactly that set under the
 * gateway's lock, journal it for `restore`, report.
 */
import { CliError, EXIT } from '../../errors.js';
import { takeInventory, type Inventory } from '../../inventory.js';
import { applyPrunePlan, type StoreApplyResult } from '../../prune/apply.js';
import { PRUNE_SCHEMA_VERSION, type PruneReport, type PrunedSession } from '../../report/prune-report.js';
import { formatAgo, parseDuration } from '../../sessions/duration.js';
import { parseKindList, parseStateList } from '../../sessions/filter.js';
import { describePlan, planPrune, type PlanCandidate, type PrunePlan, type PrunePlanItem } from '../../sessions/plan.js';
import type { Snapshot } from '../../store/edit-store.js';
import { newRunId } from '../../store/journal.js';
import { assertStoreWritable } from '../../store/store-safety.js';
import { acquireToolLocks } from '../../store/tool-lock.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { confirm } from '../confirm.js';
import type { CliIo } from '../io.js';
import { paintState } from '../paint.js';
import { renderTable } from '../table.js';
import { decideStyle, type TerminalStyle } from '../terminal.js';
import { toolVersion } from '../version.js';

export interface PruneFlags extends StoreFlags {
  state?: string;
  kind?: string;
  key: string[];
  keep: string[];
  olderThan: string;
  acp?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  quiet?: boolean;
  lockTimeout: string;
  journal: boolean;
  keepTranscripts?: boolean;
}

export async function runPrune(flags: PruneFlags, io: CliIo): Promise<number> {
  const criteria = {
    states: flags.state ? parseStateList(flags.state) : undefined,
    kinds: flags.kind ? parseKindList(flags.kind) : undefined,
    olderThanMs: parseDuration(flags.olderThan, '--older-than'),
    acpOnly: flags.acp,
    keyGlobs: flags.key,
    keepGlobs: flags.keep,
  };
  const lockTimeoutMs = parseDuration(flags.lockTimeout, '--lock-timeout');
  const inventory = takeInventory(io.env, { ...inventoryOptionsFrom(flags), retainDocuments: true });
  if (inventory.failures.length > 0) {
    for (const failure of inventory.failures.slice(1)) io.stderr.write(`openclaw-sessions: ${failure.error.message}\n`);
    throw inventory.failures[0]!.error;
  }
  if (flags.store && inventory.stores.length === 0) throw new CliError(EXIT.error, `session store not found: ${flags.store}`);

  const plan = planPrune(candidatesOf(inventory), criteria);
  const style = decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
  const say = (text: string): void => {
    if (!flags.quiet && !flags.json) io.stdout.write(text);
  };

  if (plan.items.length === 0) {
    if (flags.json) io.stdout.write(`${JSON.stringify(report(plan, flags.dryRun ?? false, null, [], inventory), null, 2)}\n`);
    else say(`Nothing to prune (${plan.totalSessions} session${plan.totalSessions === 1 ? '' : 's'} in ${inventory.stores.length} store${inventory.stores.length === 1 ? '' : 's'} checked).\n`);
    return EXIT.ok;
  }

  if (flags.dryRun) {
    if (flags.json) io.stdout.write(`${JSON.stringify(report(plan, true, null, [], inventory), null, 2)}\n`);
    else say(`${renderPlan(plan, style)}\n${describePlan(plan, true)}\n`);
    return EXIT.ok;
  }

  // Refuse before asking: a yes to something that cannot be done helps nobody.
  for (const store of inventory.stores) if (plan.byStore.has(store.ref.path)) assertStoreWritable(store.ref);

  if (!flags.yes) {
    if (!io.stdinIsTTY) {
      throw new CliError(EXIT.usage, `refusing to prune ${plan.items.length} session${plan.items.length === 1 ? '' : 's'} without confirmation: not a terminal; pass --yes (or --dry-run to look first)`);
    }
    io.stderr.write(`${renderPlan(plan, style)}\n${describePlan(plan, false)}\n`);
    if (!(await confirm(io, 'Prune these sessions? [y/N] '))) {
      io.stderr.write('Cancelled; nothing was changed.\n');
      return EXIT.ok;
    }
  }

  const runId = flags.journal ? newRunId() : null;
  const releaseToolLocks = await acquireToolLocks([...plan.byStore.keys()], { timeoutMs: lockTimeoutMs });
  let results: StoreApplyResult[];
  try {
    results = await applyPrunePlan(plan, {
      runId: runId ?? newRunId(),
      toolVersion: toolVersion(),
      lockTimeoutMs,
      journal: flags.journal,
      keepTranscripts: flags.keepTranscripts ?? false,
      snapshots: snapshotsOf(inventory),
      assertRunLock: () => {
        const lost = releaseToolLocks.compromised();
        if (lost) throw new CliError(EXIT.lockBusy, `${lost}; stopped before writing`);
      },
    });
  } finally {
    await releaseToolLocks();
  }

  const final = report(plan, false, runId, results, inventory);
  if (flags.json) io.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  else {
    for (const skip of final.skipped) say(`skipped ${skip.key}: ${skip.why}\n`);
    for (const result of results) for (const failure of result.transcriptFailures) io.stderr.write(`openclaw-sessions: could not archive transcript ${failure.path}: ${failure.error}\n`);
    say(`${final.summary}\n`);
  }
  return EXIT.ok;
}

function candidatesOf(inventory: Inventory): PlanCandidate[] {
  const documents = new Map(inventory.stores.map((store) => [store.ref.path, store.document]));
  return inventory.sessions.map((session) => ({
    ...session,
    raw: documents.get(session.storePath)?.[session.key] ?? null,
  }));
}

function snapshotsOf(inventory: Inventory): Map<string, Snapshot> {
  const snapshots = new Map<string, Snapshot>();
  for (const store of inventory.stores) {
    if (store.bytes && store.document) snapshots.set(store.ref.path, { bytes: store.bytes, document: store.document });
  }
  return snapshots;
}

function prunedOf(item: PrunePlanItem): PrunedSession {
  return { agentId: item.agentId, key: item.key, kind: item.kind, state: item.state, reason: item.reason, ageMs: item.ageMs, holdsSlot: item.holdsSlot, storePath: item.storePath };
}

function report(plan: PrunePlan, dryRun: boolean, runId: string | null, results: StoreApplyResult[], inventory: Inventory): PruneReport {
  if (dryRun || results.length === 0) {
    const counts = new Map<string, number>();
    for (const session of inventory.sessions) counts.set(session.storePath, (counts.get(session.storePath) ?? 0) + 1);
    return {
      schemaVersion: PRUNE_SCHEMA_VERSION,
      dryRun,
      runId: null,
      summary: plan.items.length === 0 ? 'nothing to prune' : describePlan(plan, true),
      pruned: plan.items.map(prunedOf),
      skipped: [],
      stores: [...plan.byStore].map(([path, items]) => ({
        agentId: items[0]!.agentId,
        path,
        before: counts.get(path) ?? 0,
        after: (counts.get(path) ?? 0) - items.length,
        journal: null,
        lockWaitMs: null,
        lockHoldMs: null,
      })),
      transcripts: [],
      slotsFreed: plan.slotsFreed,
    };
  }
  const removed = results.flatMap((result) => result.removed);
  const touched = results.filter((result) => result.removed.length > 0).length;
  const slotsFreed = removed.filter((item) => item.holdsSlot).length;
  const slots = slotsFreed > 0 ? ` (${slotsFreed} ACP slot${slotsFreed === 1 ? '' : 's'} freed)` : '';
  const journal = runId && removed.length > 0 ? ` Journal: ${runId}.` : '';
  return {
    schemaVersion: PRUNE_SCHEMA_VERSION,
    dryRun: false,
    runId: removed.length > 0 ? runId : null,
    summary: `Pruned ${removed.length} session${removed.length === 1 ? '' : 's'} from ${touched} store${touched === 1 ? '' : 's'}${slots}.${journal}`,
    pruned: removed.map(prunedOf),
    skipped: results.flatMap((result) => result.skipped),
    stores: results.map((result) => ({
      agentId: result.agentId,
      path: result.path,
      before: result.before,
      after: result.after,
      journal: result.journalPath,
      lockWaitMs: round(result.timing.waitMs),
      lockHoldMs: round(result.timing.holdMs),
    })),
    transcripts: results.flatMap((result) => result.transcripts),
    slotsFreed,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function renderPlan(plan: PrunePlan, style: TerminalStyle): string {
  return renderTable(
    [
      { header: 'ACTION' },
      { header: 'AGENT', shrink: 'end', minWidth: 8 },
      { header: 'KEY', shrink: 'middle', minWidth: 24 },
      { header: 'STATE' },
      { header: 'AGE' },
      { header: 'REASON', shrink: 'end', minWidth: 20 },
    ],
    plan.items.map((item) => [
      { text: 'prune' },
      { text: item.agentId },
      { text: item.key },
      { text: item.state, paint: (t) => paintState(style.chalk, item.state, t) },
      { text: formatAgo(item.ageMs) },
      { text: item.reason },
    ]),
    style,
  );
}
