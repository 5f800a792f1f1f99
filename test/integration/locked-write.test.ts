import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError } from '../../src/errors.js';
import { keysToRestore, restoreRun } from '../../src/prune/restore.js';
import type { JournalRun } from '../../src/store/journal.js';
import { withLockedWrites } from '../../src/store/locked-write.js';
import { toolLockPathFor } from '../../src/store/tool-lock.js';
import { chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

test('a write through the shared helper refuses once the run lock was lost (restore included), and leaves the store as it was', async () => {
  const store = writeFile(storePath(tempDir('ocs-lw-'), 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  const before = readFileSync(store, 'utf8');
  const run = {
    runId: 'r1',
    at: new Date().toISOString(),
    storePath: store,
    journalPath: path.join(path.dirname(store), 'journal.jsonl'),
    entries: { 'agent:main:x': chatEntry('x', MIN) },
    removed: ['agent:main:x'],
    restoredKeys: [],
    restoredAt: null,
    transcriptMoves: [],
  } as unknown as JournalRun;
  assert.deepEqual(keysToRestore(run), ['agent:main:x']);
  const error = await withLockedWrites([store], { lockTimeoutMs: 1000 }, async (writer) => {
    rmSync(toolLockPathFor(store), { recursive: true, force: true });
    // proper-lockfile notices at its next refresh (3 s).
    const deadline = Date.now() + 8000;
    for (;;) {
      try {
        writer.assertRunLock();
      } catch {
        break;
      }
      if (Date.now() > deadline) assert.fail('the lost run lock was never noticed');
      await sleep(100);
    }
    return restoreRun(run, writer, { transcriptDirs: [] }).then(
      () => null,
      (e: unknown) => e,
    );
  });
  assert.ok(error instanceof ToolError && error.kind === 'lock-busy', String(error));
  assert.match((error as Error).message, /compromised.*stopped before writing/);
  assert.equal(readFileSync(store, 'utf8'), before);
});
