/**
 * `doctor`'s look around: the gateway, the cap and who holds the slots, idle eviction, stale
 * locks (store, transcript, this tool's run lock), broken and unsafe stores. Read-only.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { READ_CAPS, readRegularFile } from '../store/safe-fs.js';
import path from 'node:path';
import type { GatewayStatus } from '../gateway/probe.js';
import { unansweredGatewayClause } from '../gateway/unanswered.js';
import { judgeSilentGateway, silentGatewayAdvice } from '../gateway/silent-gateway.js';
import { FOREIGN_GATEWAY_FIX, foreignGatewayClause } from '../recompute/choose.js';
import type { Inventory } from '../inventory.js';
import { describeSlots, summarize } from '../sessions/summary.js';
import { gatewaySlots, heldForOrphans, heldOnDiskUnknown, unreadStoresClause, type GatewaySlots } from '../sessions/gateway-slots.js';
import { isPrunableByDefault } from '../sessions/plan.js';
import { classifyLockHolder, lockPathFor, notALockFile, parseLockContents, readHolderFacts } from '../store/gateway-lock.js';
import { assertStoreWritable } from '../store/store-safety.js';
import { TOOL_LOCK_SUFFIX } from '../store/tool-lock.js';
import { acpStateFix } from '../store/read-acp-state.js';
import { unreadableStoreFinding, unsafeStoreFix } from './store-fixes.js';
import { foldStoreErrors } from '../cli/store-errors.js';
import { installCommands, openclawCommand, selectionArgs, selectionForStore, toolCommand, type SelectionFlags } from '../cli/selection.js';
import { shellQuote } from '../system/shell-quote.js';
import type { Finding } from './findings.js';
import { inventoryDisk } from '../clean/disk.js';
import { DEFAULT_ARCHIVE_KEEP_MS } from '../defaults.js';
import { diskFindings } from '../clean/summary.js';
import { noGatewaySlotFinding, noGatewayTerminalMessage } from './no-gateway.js';
import { withheldSecretFindings, withheldSecretFix } from './withheld.js';

/**
 * `selection` is the flags naming this install and its stores, so every fix pastes as is. `slots`:
 * every agent's slots (gateway-slots.ts), whatever `--agent` selected: the cap and the gateway's
 * handles are gateway-wide. Defaults to the inventory's own, right when it is not narrowed.
 */
export function collectFindings(inventory: Inventory, gateway: GatewayStatus, selection: SelectionFlags = {}, now = Date.now(), slots: GatewaySlots = gatewaySlots(inventory, {}, { staleAfterMs: 0 })): Finding[] {
  const findings: Finding[] = [];
  const facts = inventory.config.facts;
  const cap = facts.acp?.maxConcurrentSessions ?? null;

  // The gateway: found by lock, port or URL; its live count is the truth about slots.
  // A gateway named by URL keeps its stores elsewhere: local files say nothing about its slots.
  // Every agent's (helper-28: the selection's share made the others' handles "orphaned"), and none
  // past a store that could not be read.
  const held = gateway.remote || heldOnDiskUnknown(inventory) !== null ? null : heldForOrphans(slots);
  const live = gateway.live.activeRuntimeSessions;
  if (gateway.running) {
    const who = gateway.gateway ? `gateway pid ${gateway.gateway.pid} verified` : gateway.remote ? `gateway at ${gateway.url} (named by the operator; never signalled)` : `a gateway answers on port ${gateway.port}, pid unknown (no verified lock: never signalled)`;
    findings.push({ id: 'gateway', severity: 'ok', message: `${who}, OpenClaw ${gateway.version ?? 'version unknown'}, ${gateway.url} ${gateway.ready ? 'ready' : 'NOT ready'}`, fix: null });
    if (!gateway.ready) findings.push({ id: 'gateway-not-ready', severity: 'problem', message: `the gateway does not answer /readyz at ${gateway.url}`, fix: openclawCommand(selection, ['gateway', 'status']).join(' ') });
    if (!gateway.rpc.ok) {
      // --no-rpc is a choice, not a credentials problem: the fix is to ask (seen: "check gateway.auth" after --no-rpc).
      const fix = /--no-rpc/.test(gateway.rpc.why) ? 'run doctor without --no-rpc' : /approve/.test(gateway.rpc.why) ? openclawCommand(selection, ['devices', 'approve', '--latest']).join(' ') : gateway.discovery.foreign ? FOREIGN_GATEWAY_FIX : !gateway.discovery.secrets.ok ? `openclaw-sessions doctor --url ${gateway.url} --token <token> (only if you know it is your gateway)` : (withheldSecretFix(gateway, selection) ?? 'check gateway.auth in the config, or set OPENCLAW_GATEWAY_TOKEN');
      findings.push({ id: 'rpc-unavailable', severity: 'warning', message: `RPC unavailable: ${gateway.rpc.why}; the live ACP count cannot be read and prune cannot close handles without a restart`, fix });
    }
    if (gateway.gateway && !gateway.restart.ok) findings.push({ id: 'restart-unavailable', severity: 'warning', message: `a restart would not clear the count: ${gateway.restart.why}`, fix: gateway.restart.fix });
  } else if (gateway.remote) {
    // The operator named this gateway: that it does not answer is the problem, not a healthy state.
    const what = gateway.discovery.health.listening ? `${gateway.url} accepts connections but does not answer as an OpenClaw gateway` : `nothing answers as an OpenClaw gateway at ${gateway.url}`;
    findings.push({ id: 'gateway-unreachable', severity: 'problem', message: what, fix: 'check the URL (--url, OPENCLAW_GATEWAY_URL or gateway.remote.url) and that the gateway runs' });
  } else if (gateway.discovery.silentGateway) {
    // The verified gateway itself, silent: what it was measured doing decides the advice (a busy
    // one is not restarted: that drops its chats' running turns).
    const { clause, fix } = silentGatewayAdvice(gateway.discovery.silentGateway, openclawCommand(selection, ['gateway', 'restart']).join(' '));
    const busy = judgeSilentGateway(gateway.discovery.silentGateway) === 'busy';
    findings.push({ id: 'gateway-not-answering', severity: busy ? 'warning' : 'problem', message: `${clause}; its live ACP count cannot be read now`, fix });
  } else if (gateway.discovery.health.listening) {
    // Something holds the gateway's port: a gateway cannot start there, or it is too hung to answer.
    findings.push({
      id: 'gateway-port-taken',
      severity: 'problem',
      message: `port ${gateway.port} accepts connections but does not answer as an OpenClaw gateway (${gateway.discovery.health.silent ? 'no response to /healthz or /readyz within 2 s' : 'no /healthz, /readyz or connect.challenge'}): another program holds the gateway's port, or the gateway is hung`,
      fix: `see who listens: ss -ltnp 'sport = :${gateway.port}'; a hung gateway: ${openclawCommand(selection, ['gateway', 'restart']).join(' ')}; another program: stop it, or set gateway.port`,
    });
  } else {
    findings.push({ id: 'gateway', severity: 'ok', message: `no gateway answers on port ${gateway.port} for this config (its next start reads the stores as they are)`, fix: null });
  }
  for (const stale of gateway.stale) {
    const pid = stale.lock?.pid;
    const why = stale.verdict.ok ? '' : stale.verdict.detail;
    // Never advise removing a lock whose pid is alive: it may be a live gateway we failed to prove.
    const dead = !stale.verdict.ok && stale.verdict.why === 'dead';
    findings.push({ id: 'unverified-gateway-lock', severity: 'warning', message: `gateway lock ${stale.lockPath}${pid ? ` names pid ${pid}` : ''}: ${why}; never signalled`, fix: dead ? `rm ${shellQuote(stale.lockPath)}` : null });
  }
  findings.push(...withheldSecretFindings(gateway));
  if (live !== null) findings.push(...liveFindings(inventory, gateway, selection, { live, held, cap }));

  // Slots against the cap, as the stores tell.
  if (gateway.remote) return [...findings, ...storeFindings(inventory, selection, now)];
  findings.push(...diskSlotFindings(inventory, gateway, selection, live, slots));
  const stuck = inventory.sessions.filter((session) => session.state === 'stuck');
  if (stuck.length > 0) {
    findings.push({ id: 'stuck-conversations', severity: 'warning', message: `${stuck.length} conversation(s) whose last turn still says running with no live transcript lock (aborted, timed out, or the gateway stopped mid-turn), e.g. ${stuck[0]!.key}; not pruned`, fix: 'send the chat a new message: its next turn clears it' });
  }
  const ttlOff = gateway.live.report ? gateway.live.report.runtimeIdleTtlMs === 0 : facts.acp?.runtime?.ttlMinutes === undefined;
  if (cap !== null && ttlOff) {
    findings.push({ id: 'no-idle-ttl', severity: 'warning', message: 'acp.runtime.ttlMinutes is unset: idle ACP handles are never evicted', fix: 'set acp.runtime.ttlMinutes (e.g. 30) in the OpenClaw config' });
  }

  // ACP state kept outside the entries (7.x+): unreadable means every ACP session is unknown.
  if (inventory.acpState.source === 'unreadable') {
    const { path: dbPath, reason } = inventory.acpState;
    findings.push({ id: 'acp-state-unreadable', severity: 'problem', message: `ACP session state in ${dbPath} cannot be read (${reason}): ACP sessions show as "unknown", are not counted and are never pruned`, fix: acpStateFix(inventory.acpState) });
  }

  return [...findings, ...storeFindings(inventory, selection, now)];
}

/** Slots against the cap, as the stores tell; with no gateway running, what that does and does not mean. */
function diskSlotFindings(inventory: Inventory, gateway: GatewayStatus, selection: SelectionFlags, live: number | null, all: GatewaySlots): Finding[] {
  const findings: Finding[] = [];
  const cap = inventory.config.facts.acp?.maxConcurrentSessions ?? null;
  // The selection's own holders (what its prune fix takes); the count against the cap is every agent's.
  const summary = summarize(inventory.sessions, cap, isPrunableByDefault);
  const heldAll = all.slotsHeld ?? 0;
  // Never claim a count that left stores out without saying so.
  const heldUnknown = heldOnDiskUnknown(inventory);
  const capRemoved = inventory.stores.some((store) => store.ref.format === 'sqlite');
  const across = all.narrowed && all.scope === 'all-agents' ? ` across all agents${capRemoved ? '' : ' (the cap is gateway-wide)'}` : '';
  const slots = `${describeSlots({ acp: all }, { capKnown: inventory.config.path !== null, capRemoved, heldUnknown })}${unreadStoresClause(all.unreadStores)}${across}`;
  // No gateway at all (none answers, none may be hung there): nothing holds a slot now.
  const nobody = !gateway.running && !gateway.discovery.health.listening && unansweredGatewayClause(gateway) === null;
  if (nobody && !heldUnknown) {
    findings.push(noGatewaySlotFinding(inventory, cap, slots, installCommands(selection)));
  } else if (live === null && cap !== null && heldAll >= cap) {
    const prune = summary.acp.heldByTerminal > 0 ? pruneFix(inventory, gateway, selection, ['--older-than', '0']) : null;
    findings.push({ id: 'cap-reached', severity: 'problem', message: `${slots}: new ACP spawns fail with "ACP max concurrent sessions reached (${cap}/${cap})"${prune?.note ?? ''}`, fix: prune ? prune.fix : 'raise acp.maxConcurrentSessions, or close idle ACP sessions' });
  } else {
    findings.push({ id: 'slots', severity: heldUnknown || all.unreadStores > 0 ? 'warning' : 'ok', message: `on disk: ${slots}`, fix: null });
  }
  if (summary.acp.heldByTerminal > 0 && (nobody || !(cap !== null && (live ?? heldAll) >= cap))) {
    // Holders that failed minutes ago are not quiet for prune's default grace yet: plain `prune`
    // would answer "Nothing to prune" (observed on a real 2026.9.6 gateway), so name the flag that takes them.
    const ripe = inventory.sessions.some((session) => session.holdsSlot && session.terminal && isPrunableByDefault(session));
    const prune = pruneFix(inventory, gateway, selection, ripe ? [] : ['--older-than', '0']);
    const message = nobody ? noGatewayTerminalMessage(summary.acp.heldByTerminal, prune.note) : `${summary.acp.heldByTerminal} terminal session(s) (errored/stale) still hold ACP slots${prune.note}`;
    findings.push({ id: 'terminal-slots', severity: 'warning', message, fix: prune.fix });
  }
  return findings;
}

/** The gateway's own count (`/acp doctor`) against the cap and against the handles on disk. */
function liveFindings(inventory: Inventory, gateway: GatewayStatus, selection: SelectionFlags, counts: { live: number; held: number | null; cap: number | null }): Finding[] {
  const { live, held, cap } = counts;
  const findings: Finding[] = [];
  const restartFix = gateway.restart.ok ? toolCommand(['prune', '--recompute', 'restart', '--allow-restart', ...selectionArgs(selection)]).join(' ') : gateway.restart.fix;
  const detail = `${live} live ACP handle${live === 1 ? '' : 's'} in the gateway${cap === null ? '' : ` of ${cap}`} (${held !== null ? `${held} held by sessions on disk` : gateway.remote ? 'stores not local' : heldOnDiskUnknown(inventory) === null ? 'held on disk unknown: a store could not be read' : 'held on disk unknown: ACP state unreadable'}${gateway.live.report?.turnCounts ? `; turns completed=${gateway.live.report.turnCounts.completed} failed=${gateway.live.report.turnCounts.failed}` : ''})`;
  if (held !== null && live > held) {
    findings.push({ id: 'orphaned-handles', severity: 'problem', message: `${live - held} orphaned ACP handle${live - held === 1 ? '' : 's'}: the gateway holds ${live} runtime handles but only ${held} session${held === 1 ? '' : 's'} on disk hold a slot — their entries were removed while the gateway ran, so sessions.delete can no longer close them; only a restart that replaces the process clears them`, fix: restartFix });
  }
  if (cap !== null && live >= cap) {
    const prune = held !== null && live > held ? null : pruneFix(inventory, gateway, selection, ['--older-than', '0']);
    findings.push({ id: 'cap-reached', severity: 'problem', message: `${detail}: new ACP spawns fail with "ACP max concurrent sessions reached (${cap}/${cap})"${prune?.note ?? ''}`, fix: prune ? prune.fix : restartFix });
  } else {
    findings.push({ id: 'live-slots', severity: 'ok', message: detail, fix: null });
  }
  return findings;
}

function storeFindings(inventory: Inventory, selection: SelectionFlags, now: number): Finding[] {
  const findings: Finding[] = [];
  // Stores.
  // Stores failing for this Node.js's reason (no node:sqlite) share one finding, as list's one line.
  for (const error of foldStoreErrors(inventory.failures.map((failure) => failure.error))) {
    const failure = inventory.failures.find((f) => f.error === error) ?? inventory.failures.find((f) => error.message.includes(f.ref.path))!;
    findings.push(unreadableStoreFinding(failure.ref.format, failure.ref.path, error.message, inventory.location.stateDir));
  }
  for (const store of [...inventory.stores.map((s) => s.ref), ...inventory.failures.map((f) => f.ref)]) {
    if (store.format !== 'json') continue;
    const stat = lstatSafe(store.path);
    // A device, FIFO or directory is already reported as unreadable; its modes are not the install's.
    const regularOrLink = stat === null || stat.isFile() || stat.isSymbolicLink();
    try {
      if (regularOrLink) assertStoreWritable(store);
    } catch (error) {
      findings.push({ id: 'store-unsafe', severity: 'problem', message: (error as Error).message, fix: unsafeStoreFix(store.path, stat, inventory.location.stateDir) });
    }
    findings.push(...lockFindings(store.path, now));
  }
  for (const [storePath, disk] of inventoryDisk(inventory, DEFAULT_ARCHIVE_KEEP_MS)) findings.push(...diskFindings(storePath, disk, toolCommand(['clean', ...selectionArgs(selection)]).join(' ')));
  return findings;
}

/**
 * The prune that frees the terminal sessions' slots, as a command that will not refuse when
 * pasted: prune refuses the whole run when any selected store is broken or unsafe (so then one
 * command per store it can act on), cannot touch a SQLite store (or a 5.2–7.x store while its
 * gateway runs) without the gateway's RPC, and leaves a running gateway counting when it can
 * neither call RPC nor restart — then the fix says so and restarts the gateway after.
 */
function pruneFix(inventory: Inventory, gateway: GatewayStatus, selection: SelectionFlags, extra: string[]): { fix: string | null; note: string } {
  // No session can be told to hold a slot (all ACP ones are "unknown"): the store is not the
  // obstacle, the unreadable ACP state is (it was called "the unsafe-store problem below").
  if (inventory.acpState.source === 'unreadable') {
    return { fix: acpStateFix(inventory.acpState), note: '; which sessions hold them cannot be told while the ACP state is unreadable (see the ACP state finding below), so prune takes none of them' };
  }
  const holding = new Set(inventory.sessions.filter((s) => s.holdsSlot && s.terminal).map((s) => s.storePath));
  const refs = inventory.stores.map((s) => s.ref).filter((ref) => holding.has(ref.path));
  // prune keeps every session that may hold a handle while a gateway may be there unanswering
  // (recompute/choose.ts): naming its command here would advise a run that is refused.
  const unanswered = gateway.remote ? null : unansweredGatewayClause(gateway);
  if (unanswered) return { fix: null, note: `; prune keeps them while ${unanswered} (a gateway that does not answer still counts them): see the gateway findings above` };
  const gatewayOnly = refs.some((ref) => ref.format === 'sqlite') || (gateway.running && gateway.generation === 'unlocked-json');
  if (gatewayOnly && gateway.running && !gateway.rpc.ok) {
    return { fix: null, note: `; that store changes only through the gateway, whose RPC is unavailable (${gateway.rpc.why}): see the RPC finding` };
  }
  if (gatewayOnly && !gateway.running) {
    // prune would refuse the SQLite store now; once the gateway runs, prune deletes over its RPC.
    return { fix: openclawCommand(selection, ['gateway', 'start']).join(' '), note: '; that store changes only through the gateway, which is not running: start it, then prune' };
  }
  const writable = refs.filter((ref) => {
    if (ref.format !== 'json') return true;
    try {
      assertStoreWritable(ref);
      return true;
    } catch {
      return false;
    }
  });
  if (writable.length === 0) return { fix: null, note: '; prune refuses the store holding them until the unsafe-store problem below is fixed' };
  const perAgent = new Map<string, number>();
  for (const ref of [...inventory.stores.map((s) => s.ref), ...inventory.failures.map((f) => f.ref)]) perAgent.set(ref.agentId, (perAgent.get(ref.agentId) ?? 0) + 1);
  const narrowed = inventory.failures.length > 0 || writable.length < refs.length;
  // While the gateway runs, prune takes ACP entries only through its RPC or a restart it verifies
  // (recompute/choose.ts): with neither, it refuses. A restart after the prune would not help either:
  // 4.x re-creates handles for the entries still in the store (docs/openclaw-cli.md). So the
  // gateway is stopped first (prune then edits the file under its lock) and started after.
  const stopped = gateway.running && !gateway.rpc.ok && !gateway.restart.ok;
  // Another install's gateway on this install's port: stopping it is never this install's fix.
  if (stopped && gateway.discovery.foreign) return { fix: null, note: `; ${foreignGatewayClause({ port: gateway.port, ...gateway.discovery.foreign })}, so prune keeps them while it answers there; ${FOREIGN_GATEWAY_FIX}` };
  const args = ['prune', ...extra, ...(gateway.running && !gateway.rpc.ok && gateway.restart.ok ? ['--allow-restart'] : [])];
  const commands = narrowed
    ? writable.map((ref) => toolCommand([...args, ...selectionArgs(selectionForStore(selection, ref.agentId, ref.path, perAgent.get(ref.agentId) ?? 1))]).join(' '))
    : [toolCommand([...args, ...selectionArgs(selection)]).join(' ')];
  if (stopped) commands.splice(0, commands.length, openclawCommand(selection, ['gateway', 'stop']).join(' '), ...commands, openclawCommand(selection, ['gateway', 'start']).join(' '));
  const note = narrowed ? '; prune refuses a selection with a broken or unsafe store, so the fix names each healthy one' : '';
  return { fix: commands.join('; '), note: stopped ? `${note}; while the gateway runs, prune takes them only through its RPC or a restart it can verify, and neither works here (see the RPC finding): the fix stops the gateway for the prune` : note };
}

function lockFindings(storePath: string, now: number): Finding[] {
  const findings: Finding[] = [];
  const storeLock = lockPathFor(storePath);
  const stat = lstatSafe(storeLock);
  if (stat?.isDirectory()) {
    findings.push({ id: 'store-lock-directory', severity: 'problem', message: `${storeLock} is a directory: the gateway cannot write ${storePath}`, fix: `rmdir ${shellQuote(storeLock)}` });
  } else if (stat && notALockFile(stat)) {
    findings.push({ id: 'store-lock-not-a-file', severity: 'problem', message: `${storeLock} is a ${notALockFile(stat)}, not a lock file: every prune of ${storePath} waits for it and gives up (exit 3)`, fix: `rm ${shellQuote(storeLock)}` });
  } else if (stat) {
    const verdict = judge(storeLock, stat.mtimeMs, now);
    if (verdict) findings.push({ id: 'stale-store-lock', severity: 'problem', message: `stale store lock ${storeLock}: ${verdict}`, fix: `rm ${shellQuote(storeLock)}` });
  }
  const toolLock = `${path.resolve(storePath)}${TOOL_LOCK_SUFFIX}`;
  const toolStat = lstatSafe(toolLock);
  if (toolStat && now - toolStat.mtimeMs > 60_000) {
    findings.push({ id: 'stale-run-lock', severity: 'warning', message: `run lock ${toolLock} left by an interrupted openclaw-sessions run`, fix: `rm -r ${shellQuote(toolLock)}` });
  }
  let names: string[] = [];
  try {
    names = readdirSync(path.dirname(storePath));
  } catch {
    return findings;
  }
  for (const name of names) {
    if (!name.endsWith('.jsonl.lock')) continue;
    const file = path.join(path.dirname(storePath), name);
    const lock = lstatSafe(file);
    if (!lock?.isFile()) continue;
    // A turn may hold its transcript lock up to its timeout (48 h by default): only a dead or
    // recycled holder makes it stale, never its age (docs/openclaw.md §4, seen on 2026.4.2).
    const verdict = judge(file, lock.mtimeMs, now, Number.POSITIVE_INFINITY);
    if (verdict) findings.push({ id: 'stale-transcript-lock', severity: 'warning', message: `stale transcript lock ${file}: ${verdict}`, fix: `rm ${shellQuote(file)}` });
  }
  return findings;
}

function judge(file: string, mtimeMs: number, now: number, staleMs?: number): string | null {
  let text: string;
  try {
    // Never a FIFO, device or link, at most 64 KiB (issue 16 finding 8).
    text = readRegularFile(file, { maxBytes: READ_CAPS.lock, what: 'lock' }).bytes.toString('utf8');
  } catch {
    return null;
  }
  const contents = parseLockContents(text);
  const verdict = classifyLockHolder(contents, mtimeMs, now, readHolderFacts(contents), staleMs);
  return verdict.stale ? verdict.reason : null;
}

function lstatSafe(file: string): Stats | null {
  try {
    return lstatSync(file) as Stats;
  } catch {
    return null;
  }
}

