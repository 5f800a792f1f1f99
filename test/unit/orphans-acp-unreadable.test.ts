/**
 * Live handles are "orphaned" only when the sessions on disk are known not to hold them. With the
 * ACP state unreadable (7.x+ keeps it in state/openclaw.sqlite; Node < 22.13 cannot read it) the
 * ACP sessions are "unknown" and count no slot, so list, doctor and gateway must not call the
 * live handles orphaned nor advise a restart for them. Observed (helper-17, real 7.35 gateway,
 * tool on Node 20): all three said "2 orphaned (no entry on disk)" for 2 failed sessions on disk.
 * The inventory is the real one, of a real 7.35 snapshot whose state database cannot be read.
 */
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { liveFooter } from '../../src/cli/commands/list.js';
import { gatewayReport } from '../../src/cli/commands/gateway.js';
import { collectFindings } from '../../src/doctor/collect.js';
import { verifiedGatewayWith } from '../helpers/verified-gateway.js';
import { takeInventory } from '../../src/inventory.js';
import { gatewaySlots, heldOnDiskUnknown } from '../../src/sessions/gateway-slots.js';
import { tempDir } from '../helpers/tmp.js';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/acp-state/2026.7.35', import.meta.url));


test('ACP state unreadable: no orphaned handles claimed by list, doctor or gateway, and no restart advised', () => {
  const state = path.join(tempDir(), 'state');
  cpSync(FIXTURE, state, { recursive: true });
  writeFileSync(path.join(state, 'state', 'openclaw.sqlite'), 'not a database');
  const inventory = takeInventory({}, { stateDir: state, staleAfterMs: 30 * 60_000 });
  assert.equal(inventory.acpState.source, 'unreadable');
  assert.match(heldOnDiskUnknown(inventory)!, /openclaw\.sqlite is unreadable/);
  const gateway = verifiedGatewayWith(2);

  // The footer would claim orphans from a count of 0 held on disk (the control), not from unknown.
  assert.match(liveFooter(gateway, 0, 3), /2 orphaned \(no entry on disk\)/);
  assert.doesNotMatch(liveFooter(gateway, null, 3), /orphaned|restart/);

  const findings = collectFindings(inventory, gateway);
  assert.equal(findings.find((f) => f.id === 'orphaned-handles'), undefined, JSON.stringify(findings));
  assert.ok(findings.some((f) => f.id === 'acp-state-unreadable' && f.severity === 'problem'), 'the unreadable state is the problem doctor names');

  const slots = gatewaySlots(inventory, {}, { stateDir: state, staleAfterMs: 30 * 60_000 });
  const report = gatewayReport(gateway, 3, { held: slots.slotsHeld, byTerminal: slots.heldByTerminal }, true);
  assert.deepEqual([report.acp.orphanedHandles, report.slotsHeldOnDisk], [null, null], 'neither orphans nor "0 held on disk" are claimed');
});
