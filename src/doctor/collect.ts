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
import { TRANSCRIPT_LOCK_STALE_MS } from '../store/transcripts.js';
import type { Finding } from './findings.js';
import { inventoryDisk } from '../clean/run.js';
import { DEFAULT_ARCHIVE_KEEP_MS } from '../defaults.js';
import { diskFindings } from '../clean/summary.js';

/** `target` is the flags naming this install (e.g. ` --state-dir /srv/oc`), so fixes can be pasted. */
export function collectFindings(inventory: Inventory, gateway: GatewayStatus, target = '', now = Date.now()): Finding[] {
  const findings: Finding[] = [];
  const facts = inventory.config.facts;
  const cap = facts.acp?.maxConcurrentSessions ?? null;

  // The gateway.
  if (gateway.running && gateway.gateway) {
    findings.push({ id: 'gateway', severity: 'ok', message: `gateway pid ${gateway.gateway.lock.pid} verified, OpenClaw ${gateway.version ?? 'version unknown'}, port ${gateway.port} ${gateway.ready ? 'ready' : 'NOT ready'}`, fix: null });
    if (!gateway.ready) findings.push({ id: 'gateway-not-ready', severity: 'problem', message: `gateway pid ${gateway.gateway.lock.pid} does not answer /readyz on port ${gateway.port}`, fix: 'openclaw gateway status' });
    if (!gateway.rpc.ok) findings.push({ id: 'rpc-unavailable', severity: 'warning', message: `RPC unavailable: ${gateway.rpc.why}; pruning cannot make this gateway drop handles without a restart`, fix: /approve/.test(gateway.rpc.why) ? 'openclaw devices approve --latest' : 'check gateway.auth in the config, or set OPENCLAW_GATEWAY_TOKEN' });
    if (gateway.noRespawn) findings.push({ id: 'no-respawn', severity: 'warning', message: 'OPENCLAW_NO_RESPAWN=1 in the gateway environment: a SIGUSR1 restart keeps the process and the stale ACP count', fix: 'unset OPENCLAW_NO_RESPAWN in the gateway service and restart it' });
  } else {
    findings.push({ id: 'gateway', severity: 'ok', message: 'no gateway running for this config (its next start reads the stores as they are)', fix: null });
  }
  for (const stale of gateway.stale) {
    findings.push({ id: 'stale-gateway-lock', severity: 'warning', message: `gateway lock ${stale.lockPath} names pid ${stale.lock.pid}: ${stale.verdict.ok ? '' : stale.verdict.detail}`, fix: `rm ${stale.lockPath}` });
  }

  // Slots against the cap.
  const summary = summarize(inventory.sessions, cap, isPrunableByDefault);
  const slots = describeSlots(summary);
  if (cap !== null && summary.acp.slotsHeld >= cap) {
    findings.push({ id: 'cap-reached', severity: 'problem', message: `${slots}: new ACP spawns fail with "ACP max concurrent sessions reached (${cap}/${cap})"`, fix: summary.acp.heldByTerminal > 0 ? `openclaw-sessions prune --older-than 0${target}` : 'raise acp.maxConcurrentSessions, or close idle ACP sessions' });
  } else {
    findings.push({ id: 'slots', severity: 'ok', message: slots, fix: null });
  }
  if (summary.acp.heldByTerminal > 0 && !(cap !== null && summary.acp.slotsHeld >= cap)) {
    findings.push({ id: 'terminal-slots', severity: 'warning', message: `${summary.acp.heldByTerminal} terminal session(s) (errored/stale) still hold ACP slots`, fix: `openclaw-sessions prune${target}` });
  }
  if (cap !== null && facts.acp?.runtime?.ttlMinutes === undefined) {
    findings.push({ id: 'no-idle-ttl', severity: 'warning', message: 'acp.runtime.ttlMinutes is unset: idle ACP handles are never evicted', fix: 'set acp.runtime.ttlMinutes (e.g. 30) in the OpenClaw config' });
  }

  // ACP state kept outside the entries (7.x+): unreadable means every ACP session is unknown.
  if (inventory.acpState.source === 'unreadable') {
    const { path: dbPath, reason } = inventory.acpState;
    findings.push({ id: 'acp-state-unreadable', severity: 'problem', message: `ACP session state in ${dbPath} cannot be read (${reason}): ACP sessions show as "unknown", are not counted and are never pruned`, fix: /node:sqlite|Node\.js/.test(reason) ? 'run openclaw-sessions with Node.js 22.13 or later' : `check ${dbPath} (this tool only reads it)` });
  }

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
    const verdict = judge(file, lock.mtimeMs, now, TRANSCRIPT_LOCK_STALE_MS);
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

