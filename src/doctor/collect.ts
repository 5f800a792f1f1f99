/**
 * `doctor`'s look around: the gateway, the cap and who holds the slots, idle eviction, stale
 * locks (store, transcript, this tool's run lock), broken and unsafe stores. Read-only.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { READ_CAPS, readRegularFile } from '../store/safe-fs.js';
import path from 'node:path';
import type { GatewayStatus } from '../gateway/probe.js';
import type { Inventory } from '../inventory.js';
import { describeSlots, summarize } from '../sessions/summary.js';
import { isPrunableByDefault } from '../sessions/plan.js';
import { classifyLockHolder, lockPathFor, parseLockContents, readHolderFacts } from '../store/gateway-lock.js';
import { assertStoreWritable } from '../store/store-safety.js';
import { TOOL_LOCK_SUFFIX } from '../store/tool-lock.js';
import type { Finding } from './findings.js';
import { inventoryDisk } from '../clean/run.js';
import { DEFAULT_ARCHIVE_KEEP_MS } from '../defaults.js';
import { diskFindings } from '../clean/summary.js';

/** `target` is the flags naming this install (e.g. ` --state-dir /srv/oc`), so fixes can be pasted. */
export function collectFindings(inventory: Inventory, gateway: GatewayStatus, target = '', now = Date.now()): Finding[] {
  const findings: Finding[] = [];
  const facts = inventory.config.facts;
  const cap = facts.acp?.maxConcurrentSessions ?? null;

  // The gateway: found by lock, port or URL; its live count is the truth about slots.
  // A gateway named by URL keeps its stores elsewhere: local files say nothing about its slots.
  const held = gateway.remote ? null : summarize(inventory.sessions, cap, () => false).acp.slotsHeld;
  const live = gateway.live.activeRuntimeSessions;
  if (gateway.running) {
    const who = gateway.gateway ? `gateway pid ${gateway.gateway.pid} verified` : gateway.remote ? `gateway at ${gateway.url} (named by the operator; never signalled)` : `a gateway answers on port ${gateway.port}, pid unknown (no verified lock: never signalled)`;
    findings.push({ id: 'gateway', severity: 'ok', message: `${who}, OpenClaw ${gateway.version ?? 'version unknown'}, ${gateway.url} ${gateway.ready ? 'ready' : 'NOT ready'}`, fix: null });
    if (!gateway.ready) findings.push({ id: 'gateway-not-ready', severity: 'problem', message: `the gateway does not answer /readyz at ${gateway.url}`, fix: 'openclaw gateway status' });
    if (!gateway.rpc.ok) {
      const fix = /approve/.test(gateway.rpc.why) ? 'openclaw devices approve --latest' : !gateway.discovery.secrets.ok ? `openclaw-sessions doctor --url ${gateway.url} --token <token> (only if you know it is your gateway)` : 'check gateway.auth in the config, or set OPENCLAW_GATEWAY_TOKEN';
      findings.push({ id: 'rpc-unavailable', severity: 'warning', message: `RPC unavailable: ${gateway.rpc.why}; the live ACP count cannot be read and prune cannot close handles without a restart`, fix });
    }
    if (gateway.gateway && !gateway.restart.ok) findings.push({ id: 'restart-unavailable', severity: 'warning', message: `a restart would not clear the count: ${gateway.restart.why}`, fix: gateway.restart.fix });
  } else {
    findings.push({ id: 'gateway', severity: 'ok', message: gateway.remote ? `nothing answers at ${gateway.url}` : `no gateway answers on port ${gateway.port} for this config (its next start reads the stores as they are)`, fix: null });
  }
  for (const stale of gateway.stale) {
    const pid = stale.lock?.pid;
    const why = stale.verdict.ok ? '' : stale.verdict.detail;
    // Never advise removing a lock whose pid is alive: it may be a live gateway we failed to prove.
    const dead = !stale.verdict.ok && stale.verdict.why === 'dead';
    findings.push({ id: 'unverified-gateway-lock', severity: 'warning', message: `gateway lock ${stale.lockPath}${pid ? ` names pid ${pid}` : ''}: ${why}; never signalled`, fix: dead ? `rm ${stale.lockPath}` : null });
  }
  if (live !== null) {
    const detail = `${live} live ACP handle${live === 1 ? '' : 's'} in the gateway${cap === null ? '' : ` of ${cap}`} (${held === null ? 'stores not local' : `${held} held by sessions on disk`}${gateway.live.report?.turnCounts ? `; turns completed=${gateway.live.report.turnCounts.completed} failed=${gateway.live.report.turnCounts.failed}` : ''})`;
    if (held !== null && live > held) {
      const fix = gateway.restart.ok ? `openclaw-sessions prune --recompute restart --allow-restart${target}` : gateway.restart.fix;
      findings.push({ id: 'orphaned-handles', severity: 'problem', message: `${live - held} orphaned ACP handle${live - held === 1 ? '' : 's'}: the gateway holds ${live} runtime handles but only ${held} session${held === 1 ? '' : 's'} on disk hold a slot — their entries were removed while the gateway ran, so sessions.delete can no longer close them; only a restart that replaces the process clears them`, fix });
    }
    if (cap !== null && live >= cap) {
      findings.push({ id: 'cap-reached', severity: 'problem', message: `${detail}: new ACP spawns fail with "ACP max concurrent sessions reached (${cap}/${cap})"`, fix: held !== null && live > held ? (gateway.restart.ok ? `openclaw-sessions prune --recompute restart --allow-restart${target}` : gateway.restart.fix) : `openclaw-sessions prune --older-than 0${target}` });
    } else {
      findings.push({ id: 'live-slots', severity: 'ok', message: detail, fix: null });
    }
  }

  // Slots against the cap, as the stores tell.
  if (gateway.remote) return [...findings, ...storeFindings(inventory, target, now)];
  const summary = summarize(inventory.sessions, cap, isPrunableByDefault);
  const slots = describeSlots(summary);
  if (live === null && cap !== null && summary.acp.slotsHeld >= cap) {
    findings.push({ id: 'cap-reached', severity: 'problem', message: `${slots}: new ACP spawns fail with "ACP max concurrent sessions reached (${cap}/${cap})"`, fix: summary.acp.heldByTerminal > 0 ? `openclaw-sessions prune --older-than 0${target}` : 'raise acp.maxConcurrentSessions, or close idle ACP sessions' });
  } else {
    findings.push({ id: 'slots', severity: 'ok', message: `on disk: ${slots}`, fix: null });
  }
  if (summary.acp.heldByTerminal > 0 && !(cap !== null && (live ?? summary.acp.slotsHeld) >= cap)) {
    findings.push({ id: 'terminal-slots', severity: 'warning', message: `${summary.acp.heldByTerminal} terminal session(s) (errored/stale) still hold ACP slots`, fix: `openclaw-sessions prune${target}` });
  }
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
    findings.push({ id: 'acp-state-unreadable', severity: 'problem', message: `ACP session state in ${dbPath} cannot be read (${reason}): ACP sessions show as "unknown", are not counted and are never pruned`, fix: /node:sqlite|Node\.js/.test(reason) ? 'run openclaw-sessions with Node.js 22.13 or later' : `check ${dbPath} (this tool only reads it)` });
  }

  return [...findings, ...storeFindings(inventory, target, now)];
}

function storeFindings(inventory: Inventory, target: string, now: number): Finding[] {
  const findings: Finding[] = [];
  // Stores.
  for (const failure of inventory.failures) {
    findings.push({ id: 'store-unreadable', severity: 'problem', message: failure.error.message, fix: `fix or move aside ${failure.ref.path} (the gateway treats it as empty and its next write drops every session)` });
  }
  for (const store of [...inventory.stores.map((s) => s.ref), ...inventory.failures.map((f) => f.ref)]) {
    if (store.format !== 'json') continue;
    try {
      assertStoreWritable(store);
    } catch (error) {
      findings.push({ id: 'store-unsafe', severity: 'problem', message: (error as Error).message, fix: lstatSafe(store.path)?.isSymbolicLink() ? `replace the symlink ${store.path} with the real file` : `chmod o-w ${path.dirname(store.path)} ${store.path}` });
    }
    findings.push(...lockFindings(store.path, now));
  }
  for (const [storePath, disk] of inventoryDisk(inventory, DEFAULT_ARCHIVE_KEEP_MS)) findings.push(...diskFindings(storePath, disk, `openclaw-sessions clean${target}`));
  return findings;
}

function lockFindings(storePath: string, now: number): Finding[] {
  const findings: Finding[] = [];
  const storeLock = lockPathFor(storePath);
  const stat = lstatSafe(storeLock);
  if (stat?.isDirectory()) {
    findings.push({ id: 'store-lock-directory', severity: 'problem', message: `${storeLock} is a directory: the gateway cannot write ${storePath}`, fix: `rmdir ${storeLock}` });
  } else if (stat) {
    const verdict = judge(storeLock, stat.mtimeMs, now);
    if (verdict) findings.push({ id: 'stale-store-lock', severity: 'problem', message: `stale store lock ${storeLock}: ${verdict}`, fix: `rm ${storeLock}` });
  }
  const toolLock = `${path.resolve(storePath)}${TOOL_LOCK_SUFFIX}`;
  const toolStat = lstatSafe(toolLock);
  if (toolStat && now - toolStat.mtimeMs > 60_000) {
    findings.push({ id: 'stale-run-lock', severity: 'warning', message: `run lock ${toolLock} left by an interrupted openclaw-sessions run`, fix: `rm -r ${toolLock}` });
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
    // recycled holder makes it stale, never its age (facts §4, seen on 2026.4.2).
    const verdict = judge(file, lock.mtimeMs, now, Number.POSITIVE_INFINITY);
    if (verdict) findings.push({ id: 'stale-transcript-lock', severity: 'warning', message: `stale transcript lock ${file}: ${verdict}`, fix: `rm ${file}` });
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

