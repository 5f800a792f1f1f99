/**
 * The slot count is every agent's (the cap and the gateway's handle map are gateway-wide), and it
 * never passes for complete when a store could not be read. Found by helper-28's walk: with main's
 * store unparsable (it held 2 of the 3 slots), `list --agent coder` said "1 of 3 ACP slots held",
 * exit 0, its JSON had no word of the failure, and `metrics` exported
 * `openclaw_acp_slots_held{agent="main"} 0`; and a gateway holding main's handles would have had
 * them called "orphaned" by `list --agent coder` and `doctor --agent coder` (their count was the
 * selection's, not the gateway's), with a restart advised.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { liveFooter } from '../../src/cli/commands/list.js';
import { gatewayReport } from '../../src/cli/commands/gateway.js';
import { collectFindings } from '../../src/doctor/collect.js';
import { verifiedGatewayWith } from '../helpers/verified-gateway.js';
import { takeInventory } from '../../src/inventory.js';
import { gatewaySlots, heldForOrphans } from '../../src/sessions/gateway-slots.js';
import { runCli } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

/** main and coder, each holding 4 ACP slots on disk (everyState: running, idle, errored, stale); cap 8. */
function install(): string {
  const state = path.join(tempDir(), 'state');
  for (const agent of ['main', 'coder']) {
    chmodSync(path.dirname(writeFile(storePath(state, agent), everyState(agent))), 0o700);
  }
  writeFileSync(path.join(state, 'openclaw.json'), JSON.stringify({ agents: { list: [{ id: 'main' }, { id: 'coder' }] }, acp: { enabled: true, maxConcurrentSessions: 8 } }));
  return state;
}


const options = (state: string, agent?: string) => ({ stateDir: state, agent, staleAfterMs: 30 * 60_000 });

test('--agent: the gateway\'s 8 live handles are every agent\'s, not 4 orphaned beside the selection\'s 4', () => {
  const state = install();
  const coder = takeInventory({}, options(state, 'coder'));
  const slots = gatewaySlots(coder, {}, options(state, 'coder'));
  assert.deepEqual([slots.slotsHeld, slots.unreadStores, slots.narrowed], [8, 0, true]);
  const gateway = verifiedGatewayWith(8, '2026.4.2');
  assert.doesNotMatch(liveFooter(gateway, heldForOrphans(slots), 8), /orphaned|restart/);
  // The control: the selection's own count would have claimed them.
  assert.match(liveFooter(gateway, 4, 8), /4 orphaned/);
  const findings = collectFindings(coder, gateway, { agent: 'coder' }, Date.now(), slots);
  assert.equal(findings.find((f) => f.id === 'orphaned-handles'), undefined, JSON.stringify(findings));
  assert.equal(gatewayReport(gateway, 8, { held: slots.slotsHeld, byTerminal: slots.heldByTerminal, unreadStores: 0 }).acp.orphanedHandles, 0);
});

test('a store that could not be read: the count says it left it out, no orphans are claimed, metrics leave the slots out', () => {
  const state = install();
  writeFileSync(storePath(state, 'main'), '{"agent:main:acp:x": {');

  const text = runCli(['list', '--agent', 'coder', '--no-rpc', '--state-dir', state]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout.replace(/\s+/g, ' '), /4 of 8 ACP slots held .*\(in the readable stores; 1 could not be read\) across all agents/);
  const json = JSON.parse(runCli(['list', '--agent', 'coder', '--json', '--state-dir', state]).stdout) as { schemaVersion: number; gatewaySlots: { slotsHeld: number; unreadStores: number } };
  assert.deepEqual([json.schemaVersion, json.gatewaySlots.slotsHeld, json.gatewaySlots.unreadStores], [4, 4, 1]);

  const coder = takeInventory({}, options(state, 'coder'));
  const slots = gatewaySlots(coder, {}, options(state, 'coder'));
  const gateway = verifiedGatewayWith(8, '2026.4.2');
  assert.equal(heldForOrphans(slots), null);
  const report = gatewayReport(gateway, 8, { held: slots.slotsHeld, byTerminal: slots.heldByTerminal, unreadStores: slots.unreadStores });
  assert.deepEqual([report.slotsHeldOnDisk, report.unreadStores, report.acp.orphanedHandles], [4, 1, null]);
  const findings = collectFindings(coder, gateway, { agent: 'coder' }, Date.now(), slots);
  assert.equal(findings.find((f) => f.id === 'orphaned-handles'), undefined, JSON.stringify(findings));
  assert.ok(findings.some((f) => /held on disk unknown: a store could not be read/.test(f.message)), JSON.stringify(findings));
  const disk = findings.find((f) => f.message.startsWith('on disk:'));
  assert.match(disk?.message ?? '', /in the readable stores; 1 could not be read/);
  assert.notEqual(disk?.severity, 'ok');

  const textDir = path.join(tempDir(), 'prom');
  mkdirSync(textDir);
  const metrics = runCli(['metrics', '--no-rpc', '--state-dir', state]);
  assert.equal(metrics.status, 0, metrics.stderr);
  assert.match(metrics.stdout, /^openclaw_sessions_store_readable\{agent="main"\} 0$/m);
  assert.doesNotMatch(metrics.stdout, /^openclaw_acp_slots_held\{/m, 'a sum across agents that left main out would fire the orphaned-handles alert');
  assert.doesNotMatch(metrics.stdout, /^openclaw_sessions\{agent="main"/m, 'main\'s counts are unknown, not 0');
  assert.match(metrics.stdout, /^openclaw_sessions\{agent="coder",kind="acp",state="errored"\} 1$/m);
});
