/**
 * The golden check of a real-gateway corpus (test/fixtures/real/expected.json), through the
 * built binary: `list --json` pins each role's kind, state, terminal and prunable, fresh and
 * aged; a default `prune` on the aged corpus removes every finished run and no conversation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliAsync } from './cli.js';
import { materialiseCorpus, type CorpusManifest } from './real-corpus.js';

interface Expected {
  agedByMs: number;
  roles: Record<string, { kind: string; conversation: boolean; fresh: [string, boolean, boolean]; aged: [string, boolean, boolean] }>;
}

export const EXPECTED_FILE = fileURLToPath(new URL('../../../test/fixtures/real/expected.json', import.meta.url));

export function readExpected(): Expected {
  return JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Expected;
}

interface ListedSession {
  agentId: string;
  key: string;
  kind: string;
  conversation: boolean;
  state: string;
  terminal: boolean;
  prunable: boolean;
  reason: string;
}

/** A state dir holding the corpus as captured `ageMs` ago; removed by the returned cleanup. */
export function corpusAt(dir: string, ageMs: number): { stateDir: string; manifest: CorpusManifest; cleanup: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ocs-corpus-'));
  const stateDir = path.join(root, 'state');
  const manifest = materialiseCorpus(dir, { stateDir, capturedAt: Date.now() - ageMs });
  return { stateDir, manifest, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The CLI's environment for a materialised corpus: no gateway, no real home. */
export function corpusEnv(stateDir: string): Record<string, string> {
  return { HOME: path.dirname(stateDir), OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: path.join(stateDir, 'openclaw.json') };
}

export async function listCorpus(stateDir: string): Promise<ListedSession[]> {
  const listed = await runCliAsync(['list', '--json'], corpusEnv(stateDir));
  assert.equal(listed.status, 0, listed.stderr);
  return (JSON.parse(listed.stdout) as { sessions: ListedSession[] }).sessions;
}

/** Every role of the corpus against expected.json, at capture time and aged. */
export async function checkGoldenClassification(dir: string): Promise<void> {
  const expected = readExpected();
  for (const [moment, ageMs] of [['fresh', 0], ['aged', expected.agedByMs]] as const) {
    const { stateDir, manifest, cleanup } = corpusAt(dir, ageMs);
    try {
      const sessions = await listCorpus(stateDir);
      const byKey = new Map(sessions.map((s) => [`${s.agentId}\0${s.key}`, s]));
      const problems: string[] = [];
      for (const [role, want] of Object.entries(expected.roles)) {
        const where = manifest.roles[role];
        if (!where) continue;
        const got = byKey.get(`${where.agentId}\0${where.key}`);
        if (!got) {
          problems.push(`${moment} ${role}: ${where.key} not listed`);
          continue;
        }
        const [state, terminal, prunable] = want[moment];
        const actual = [got.kind, got.conversation, got.state, got.terminal, got.prunable];
        const wanted = [want.kind, want.conversation, state, terminal, prunable];
        if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
          problems.push(`${moment} ${role} (${where.key}): got [kind, conversation, state, terminal, prunable] ${JSON.stringify(actual)}, want ${JSON.stringify(wanted)} — ${got.reason}`);
        }
      }
      // Keys no role names: a shape this corpus has but expected.json does not pin. A default
      // prune may only ever take runs.
      const roleKeys = new Set(Object.values(manifest.roles).map((r) => `${r.agentId}\0${r.key}`));
      for (const s of sessions) {
        if (!roleKeys.has(`${s.agentId}\0${s.key}`) && s.prunable && s.conversation) problems.push(`${moment}: unpinned conversation ${s.key} would be pruned`);
      }
      assert.deepEqual(problems, [], `${manifest.openclawVersion} corpus:\n${problems.join('\n')}`);
    } finally {
      cleanup();
    }
  }
}

/**
 * A real default `prune --yes` on the aged corpus (no gateway runs): exactly the runs expected
 * to be prunable go, every conversation stays.
 */
export async function checkDefaultPrune(dir: string): Promise<void> {
  const expected = readExpected();
  const { stateDir, manifest, cleanup } = corpusAt(dir, expected.agedByMs);
  try {
    const before = await listCorpus(stateDir);
    const pruned = await runCliAsync(['prune', '--yes', '--json', '--recompute', 'none'], corpusEnv(stateDir));
    assert.equal(pruned.status, 0, pruned.stderr);
    const report = JSON.parse(pruned.stdout) as { pruned: Array<{ key: string; conversation: boolean }> };
    const after = await listCorpus(stateDir);
    const afterKeys = new Set(after.map((s) => `${s.agentId}\0${s.key}`));
    const gone = before.filter((s) => !afterKeys.has(`${s.agentId}\0${s.key}`));
    // Conversations by what the corpus says each role is, not by the tool's own verdict.
    const conversationKeys = new Set(Object.entries(expected.roles).filter(([role, want]) => manifest.roles[role] && want.conversation).map(([role]) => manifest.roles[role]!.key));
    assert.deepEqual(gone.filter((s) => conversationKeys.has(s.key) || s.conversation).map((s) => s.key), [], 'a default prune removed a conversation');
    const wantGone = Object.entries(expected.roles)
      .filter(([role, want]) => manifest.roles[role] && want.aged[2])
      .map(([role]) => manifest.roles[role]!.key)
      .sort();
    assert.deepEqual(gone.map((s) => s.key).sort(), wantGone, 'a default prune must remove exactly the finished runs');
    assert.deepEqual(report.pruned.map((p) => p.key).sort(), wantGone);
    assert.ok(wantGone.length > 0, 'the corpus has runs to prune');
  } finally {
    cleanup();
  }
}
