/**
 * clean on stores a real gateway wrote (test/fixtures/real/<version>/, see test/helpers/real-corpus.ts):
 * every file the gateway left stays, including transcripts that only an absolute `sessionFile`, a
 * thread topic or a shared cron sessionId refers to, and the live transcript locks; only the
 * archives, orphan and temp file added beside them go.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { archiveNameFor } from '../../src/clean/names.js';
import { runInProcess } from '../helpers/cli.js';
import { CORPUS_ROOT, corpusVersions, materialiseCorpus } from '../helpers/real-corpus.js';
import { tempDir } from '../helpers/tmp.js';

const DAY = 86_400_000;

for (const version of corpusVersions()) {
  test(`clean on the real ${version} corpus removes only what was added beside it`, async () => {
    const stateDir = path.join(tempDir('ocs-clean-corpus-'), 'state');
    const threeDaysAgo = Date.now() - 3 * DAY;
    const manifest = materialiseCorpus(path.join(CORPUS_ROOT, version), { stateDir, capturedAt: threeDaysAgo });
    const before = new Map<string, string[]>();
    for (const agentId of Object.keys(manifest.agents)) {
      const dir = path.join(stateDir, 'agents', agentId, 'sessions');
      // Quiet for three days, like a store nobody touched since: orphans would be archivable now.
      for (const name of readdirSync(dir)) utimesSync(path.join(dir, name), threeDaysAgo / 1000, threeDaysAgo / 1000);
      before.set(agentId, readdirSync(dir).sort());
    }
    const dir = path.join(stateDir, 'agents', 'main', 'sessions');
    const added = {
      archive: path.join(dir, archiveNameFor('0d9c3f8e-0000-4000-8000-000000000001.jsonl', new Date(Date.now() - 40 * DAY))),
      orphan: path.join(dir, '0d9c3f8e-0000-4000-8000-000000000002.jsonl'),
      temp: path.join(dir, 'sessions.json.0d9c3f8e-0000-4000-8000-000000000003.tmp'),
    };
    for (const file of Object.values(added)) {
      writeFileSync(file, 'x');
      utimesSync(file, threeDaysAgo / 1000, threeDaysAgo / 1000);
    }
    const result = await runInProcess(['clean', '--yes', '--json', '--state-dir', stateDir], { HOME: path.dirname(stateDir) });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { filesRemoved: number; transcriptsArchived: number };
    assert.deepEqual([report.filesRemoved, report.transcriptsArchived], [2, 1]);
    assert.equal(existsSync(added.archive), false);
    assert.equal(existsSync(added.temp), false);
    assert.equal(existsSync(added.orphan), false);
    for (const [agentId, names] of before) {
      const now = readdirSync(path.join(stateDir, 'agents', agentId, 'sessions'));
      for (const name of names) assert.ok(now.includes(name), `${agentId}/${name} is still there`);
    }
  });
}
