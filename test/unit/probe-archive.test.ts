/**
 * removeProbeArchive (src/gateway/probe-archive.ts): only the probe session's own `.deleted.`
 * archive goes; every other name, a link, and an unsafe id are left alone.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { removeProbeArchive } from '../../src/gateway/probe-archive.js';

test('removes <id>.jsonl.deleted.<time> of the probe id only', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ocs-probe-archive-'));
  try {
    const dir = path.join(root, 'sessions');
    mkdirSync(dir);
    const id = '6f0c2a8e-1b7d-4c1e-9a55-0d8e2f4b7c11';
    const ts = '2026-12-01T03-00-00.000Z';
    const names = {
      ours: `${id}.jsonl.deleted.${ts}`,
      live: `${id}.jsonl`,
      reset: `${id}.jsonl.reset.${ts}`,
      other: `1${id.slice(1)}.jsonl.deleted.${ts}`,
      garbage: `${id}.jsonl.deleted.yesterday`,
      nested: `${id}.jsonl.deleted.x.deleted.${ts}`,
    };
    for (const name of Object.values(names)) writeFileSync(path.join(dir, name), 'x');
    const outside = path.join(root, 'outside.txt');
    writeFileSync(outside, 'keep');
    const link = `${id}.jsonl.deleted.2026-12-01T04-00-00.000Z`;
    symlinkSync(outside, path.join(dir, link));

    assert.deepEqual(removeProbeArchive(dir, id), [path.join(dir, names.ours)]);
    assert.deepEqual(readdirSync(dir).sort(), [names.live, names.reset, names.other, names.garbage, names.nested, link].sort());
    assert.ok(existsSync(outside));

    assert.deepEqual(removeProbeArchive(dir, '../sessions'), []);
    assert.deepEqual(removeProbeArchive(path.join(root, 'missing'), id), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("OpenClaw 8.1+'s <id>.jsonl.deleted.<time>.<generation>.zst archive of the probe id goes too; a reset one or another id's stays", () => {
  // Observed on a real 2026.9.6 gateway: each list/gateway/metrics live read left
  // <id>.jsonl.deleted.2026-12-02T13-36-00.307Z.9fd985b7ced1495f8972b5295c373a08.zst behind.
  const root = mkdtempSync(path.join(os.tmpdir(), 'ocs-probe-archive-'));
  try {
    const id = '6bd006a9-fce1-4357-9b0c-cdd5e21e1350';
    const ts = '2026-12-02T13-36-00.307Z';
    const gen = '9fd985b7ced1495f8972b5295c373a08';
    const ours = [`${id}.jsonl.deleted.${ts}.${gen}.zst`, `${id}.jsonl.deleted.${ts}.${gen}`, `${id}.jsonl.deleted.${ts}.zst`];
    const kept = [`${id}.jsonl.reset.${ts}.${gen}.zst`, `1${id.slice(1)}.jsonl.deleted.${ts}.${gen}.zst`, `${id}.jsonl.deleted.${ts}.${gen}.zst.tmp`, `${id}.jsonl.deleted.${ts}.notes.zst`];
    for (const name of [...ours, ...kept]) writeFileSync(path.join(root, name), 'x');
    assert.deepEqual(removeProbeArchive(root, id).sort(), ours.map((name) => path.join(root, name)).sort());
    assert.deepEqual(readdirSync(root).sort(), [...kept].sort());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
