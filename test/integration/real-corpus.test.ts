/**
 * Golden classification of every committed real-gateway corpus (test/fixtures/real/<version>/,
 * written by real gateways through test/e2e/corpus/generate.ts), through the built binary.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCliAsync } from '../helpers/cli.js';
import { checkDefaultPrune, checkGoldenClassification, corpusAt, corpusEnv } from '../helpers/corpus-golden.js';
import { CORPUS_ROOT, corpusVersions } from '../helpers/real-corpus.js';

test('a corpus exists for openclaw 2026.4.2 at least', () => {
  assert.ok(corpusVersions().includes('2026.4.2'), `no corpus in ${CORPUS_ROOT}`);
});

for (const version of corpusVersions()) {
  describe(`real corpus ${version}`, () => {
    const dir = path.join(CORPUS_ROOT, version);
    test('each role has the golden kind, state, terminal and prunable, fresh and 2 h later', async () => {
      await checkGoldenClassification(dir);
    });
    test('a default prune on the aged corpus removes every finished run and no conversation', async () => {
      await checkDefaultPrune(dir);
    });
  });
}

test('--include-conversations is the only way conversations go: after its own grace, never main or running, listed apart', async () => {
  const { stateDir, manifest, cleanup } = corpusAt(path.join(CORPUS_ROOT, '2026.4.2'), 2 * 3_600_000);
  try {
    const env = corpusEnv(stateDir);
    // The default grace of the opt-in (30d) keeps 2-hour-old chats.
    const month = await runCliAsync(['prune', '--dry-run', '--json', '--include-conversations'], env);
    assert.equal(month.status, 0, month.stderr);
    assert.deepEqual((JSON.parse(month.stdout) as { pruned: Array<{ conversation: boolean }> }).pruned.filter((p) => p.conversation), []);
    const hour = await runCliAsync(['prune', '--dry-run', '--json', '--include-conversations', '1h'], env);
    const plan = JSON.parse(hour.stdout) as { pruned: Array<{ key: string; conversation: boolean; state: string }>; summary: string };
    const chats = plan.pruned.filter((p) => p.conversation).map((p) => p.key);
    assert.ok(chats.includes(manifest.roles.direct!.key) && chats.includes(manifest.roles.aborted!.key), JSON.stringify(chats));
    for (const role of ['main', 'busy', 'failed-retrying']) assert.ok(!chats.includes(manifest.roles[role]!.key), `${role} must never be pruned`);
    assert.match(plan.summary, /\(\d+ of them conversations, --include-conversations\)/);
    const text = await runCliAsync(['prune', '--dry-run', '--include-conversations', '1h'], env);
    assert.match(text.stdout, /Conversations \(--include-conversations\): \d+/);
    // The plan has no ACTION column (every row is pruned): conversations are the table under their heading.
    assert.match(text.stdout.slice(text.stdout.indexOf('Conversations (--include-conversations)')), /^main\s+agent:main:direct:alice/m);
    const stuckOnly = await runCliAsync(['prune', '--dry-run', '--json', '--include-conversations', '1h', '--state', 'stuck'], env);
    const stuck = (JSON.parse(stuckOnly.stdout) as { pruned: Array<{ key: string }> }).pruned.map((p) => p.key).sort();
    assert.deepEqual(stuck, ['aborted', 'cron-crashed', 'killed', 'timeout'].map((r) => manifest.roles[r]!.key).sort());
    const refused = await runCliAsync(['prune', '--dry-run', '--state', 'stuck'], env);
    assert.equal(refused.status, 2, refused.stderr);
  } finally {
    cleanup();
  }
});
