import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archiveNameFor, isStoreTempName, isTranscriptName, parseArchiveName, parseStoreRotation, sessionIdsInTranscriptName } from '../../src/clean/names.js';
import { bytesToFree, ORPHAN_QUIET_MS, planStoreClean, TEMP_SAFE_AGE_MS } from '../../src/clean/plan.js';
import { DEFAULT_ARCHIVE_KEEP_MS as DEFAULT_KEEP_MS } from '../../src/defaults.js';
import { collectReferences, isReferenced, type StoreDiskScan } from '../../src/clean/scan.js';

const DAY = 86_400_000;

test('archive names parse exactly as OpenClaw writes them, and nothing else', () => {
  const at = new Date('2026-11-01T10:20:30.456Z');
  const name = archiveNameFor('abc.jsonl', at);
  assert.equal(name, 'abc.jsonl.deleted.2026-11-01T10-20-30.456Z');
  assert.deepEqual(parseArchiveName(name), { reason: 'deleted', original: 'abc.jsonl', archivedAtMs: at.getTime() });
  assert.equal(parseArchiveName('abc.jsonl.reset.2026-11-01T10-20-30Z')?.reason, 'reset');
  assert.equal(parseArchiveName('abc.jsonl.bak.2026-11-01T10-20-30Z')?.reason, 'bak');
  // Near misses are not archives: wrong time format, no original name, a second marker later.
  assert.equal(parseArchiveName('abc.jsonl.deleted.2026-11-01T10:20:30Z'), null);
  assert.equal(parseArchiveName('abc.jsonl.deleted.yesterday'), null);
  assert.equal(parseArchiveName('.deleted.2026-11-01T10-20-30Z'), null);
  assert.equal(parseArchiveName('abc.deleted.2026-11-01T10-20-30Z.jsonl'), null);
});

test('store temp files, rotations and transcripts are told apart', () => {
  assert.equal(isStoreTempName('sessions.json.0b6f0b3e-9a7c-4a52-8f7e-7f8f1d2c3b4a.tmp', 'sessions.json'), true);
  assert.equal(isStoreTempName('sessions.json.tmp', 'sessions.json'), false);
  assert.equal(isStoreTempName('other.json.0b6f0b3e-9a7c-4a52-8f7e-7f8f1d2c3b4a.tmp', 'sessions.json'), false);
  assert.equal(isStoreTempName('sessions.json.x.0b6f0b3e-9a7c-4a52-8f7e-7f8f1d2c3b4a.tmp', 'sessions.json'), false);
  assert.deepEqual(parseStoreRotation('sessions.json.bak.1764547200000', 'sessions.json'), { rotatedAtMs: 1764547200000 });
  assert.equal(parseStoreRotation('sessions.json.bak.12', 'sessions.json'), null);
  assert.equal(isTranscriptName('a.jsonl'), true);
  assert.equal(isTranscriptName('a.jsonl.deleted.2026-11-01T10-20-30Z'), false);
  assert.equal(isTranscriptName('a.jsonl.lock'), false);
});

test('a transcript name yields every session id it may belong to (plain, topic, fork)', () => {
  assert.deepEqual(sessionIdsInTranscriptName('s1.jsonl'), ['s1']);
  assert.deepEqual(sessionIdsInTranscriptName('s1-topic-42.jsonl'), ['s1-topic-42', 's1']);
  assert.deepEqual(sessionIdsInTranscriptName('2026-11-01T10-20-30-000Z_s1.jsonl').at(-1), 's1');
});

test("a live session's trajectory and checkpoint files (OpenClaw 2026.7+) are its own, never orphans", () => {
  // Observed on a real 2026.7.35 gateway: each chat turn writes <id>.trajectory.jsonl beside
  // <id>.jsonl; clean --dry-run planned to archive them as orphan transcripts after 24 h.
  const refs = collectReferences([{ storePath: '/s/a/sessions.json', document: { k1: { sessionId: 'id1' }, k2: { sessionId: 'id2', sessionFile: 'custom.jsonl' } } }]);
  assert.equal(isReferenced('/s/a/id1.trajectory.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/id1.checkpoint.0b6f0b3e-9a7c-4a52-8f7e-7f8f1d2c3b4a.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/id1-topic-3.trajectory.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/custom.trajectory.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/gone.trajectory.jsonl', refs), false);
  assert.equal(isReferenced('/s/a/gone.checkpoint.0b6f0b3e-9a7c-4a52-8f7e-7f8f1d2c3b4a.jsonl', refs), false);
  // The trace's pointer too (not a .jsonl): its session's while the session is referenced.
  assert.equal(isReferenced('/s/a/id1.trajectory-path.json', refs), true);
  assert.equal(isReferenced('/s/a/custom.trajectory-path.json', refs), true);
  assert.equal(isReferenced('/s/a/gone.trajectory-path.json', refs), false);
  // A sessionFile that does not end in .jsonl gets `<sessionFile>.trajectory-path.json` (7.35 dist/paths-*.js).
  const odd = collectReferences([{ storePath: '/s/a/sessions.json', document: { k1: { sessionId: 'id1', sessionFile: 'custom.log' } } }]);
  assert.equal(isReferenced('/s/a/custom.log.trajectory-path.json', odd), true);
  assert.equal(isReferenced('/s/a/other.log.trajectory-path.json', odd), false);
});

test('references come from every entry, valid or not, by id and by sessionFile', () => {
  const refs = collectReferences([
    { storePath: '/s/a/sessions.json', document: { k1: { sessionId: 'id1' }, k2: { updatedAt: 1, sessionFile: 'custom.jsonl' }, k3: 'junk' } },
  ]);
  assert.equal(isReferenced('/s/a/id1.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/id1-topic-3.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/custom.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/other.jsonl', refs), false);
});

function scanOf(partial: Partial<StoreDiskScan>): StoreDiskScan {
  return { storePath: '/s/sessions.json', sessionsDir: '/s', tombstones: [], backups: [], orphans: [], temps: [], transcripts: { count: 0, bytes: 0 }, missingTranscripts: [], journalBytes: 0, ...partial };
}
const file = (name: string, bytes: number, mtimeMs: number) => ({ name, path: `/s/${name}`, bytes, mtimeMs, dev: 1, ino: bytes });

test('plan: tombstones past the retention go, younger and future-dated ones stay', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const plan = planStoreClean(
    scanOf({
      tombstones: [
        { ...file('old', 100, now), reason: 'deleted', archivedAtMs: now - DEFAULT_KEEP_MS - 1 },
        { ...file('young', 200, now), reason: 'reset', archivedAtMs: now - DEFAULT_KEEP_MS + DAY },
        { ...file('future', 300, now), reason: 'deleted', archivedAtMs: now + DAY },
      ],
    }),
    { keepMs: DEFAULT_KEEP_MS, now },
  );
  assert.deepEqual(plan.actions.map((a) => a.file.name), ['old']);
  assert.deepEqual(plan.kept.map((k) => k.why), ['younger than the retention (--keep)', 'archived in the future (clock skew)']);
  assert.equal(bytesToFree(plan.actions), 100);
});

test('plan: orphans only when quiet and unlocked; temps only past the safe age; archiving frees nothing yet', () => {
  const now = 10 * DAY;
  const plan = planStoreClean(
    scanOf({
      orphans: [
        { ...file('quiet.jsonl', 10, now - ORPHAN_QUIET_MS - 1), liveLock: false },
        { ...file('locked.jsonl', 20, now - 5 * DAY), liveLock: true },
        { ...file('recent.jsonl', 30, now - 1000), liveLock: false },
      ],
      temps: [file('t-old', 40, now - TEMP_SAFE_AGE_MS - 1), file('t-new', 50, now - 1000)],
    }),
    { keepMs: DEFAULT_KEEP_MS, now },
  );
  assert.deepEqual(
    plan.actions.map((a) => [a.type, a.file.name]),
    [
      ['archive-orphan', 'quiet.jsonl'],
      ['remove-temp', 't-old'],
    ],
  );
  assert.deepEqual(plan.kept.map((k) => k.path), ['/s/locked.jsonl', '/s/recent.jsonl', '/s/t-new']);
  assert.equal(bytesToFree(plan.actions), 40);
});

test('disk summary counts what clean would do; doctor warns with the pasteable fix', async () => {
  const { summarizeDisk, diskFindings, describeDisk, formatBytes } = await import('../../src/clean/summary.js');
  const now = 100 * DAY;
  const plan = planStoreClean(
    scanOf({
      tombstones: [
        { ...file('a', 1500, now), reason: 'deleted', archivedAtMs: now - 40 * DAY },
        { ...file('b', 10, now), reason: 'reset', archivedAtMs: now - DAY },
      ],
      orphans: [{ ...file('o.jsonl', 2000, now - 2 * DAY), liveLock: false }],
      temps: [file('t', 5, now)],
      missingTranscripts: [{ key: 'k', path: '/s/k.jsonl' }],
    }),
    { keepMs: DEFAULT_KEEP_MS, now },
  );
  const summary = summarizeDisk(plan);
  assert.deepEqual(summary.tombstones, { count: 2, bytes: 1510, oldestArchivedAt: new Date(now - 40 * DAY).toISOString(), expired: 1, expiredBytes: 1500 });
  assert.deepEqual(summary.tempFiles, { count: 1, bytes: 5, stale: 0 });
  assert.equal(describeDisk(summary), '1 expired archive (1.5 kB), 1 orphan transcript (2.0 kB)');
  const findings = diskFindings('/s/sessions.json', summary, "openclaw-sessions clean --state-dir '/srv/o c'");
  assert.deepEqual(findings.map((f) => [f.id, f.fix]), [
    ['disk-reclaimable', "openclaw-sessions clean --state-dir '/srv/o c'"],
    ['transcripts-missing', null],
  ]);
  // A real 2026.7.35 gateway writes no transcript for an ACP session whose turns all failed, or
  // that never ran one: "their history is gone" claimed a loss that never happened (helper-22).
  assert.doesNotMatch(findings[1]!.message, /history is gone/);
  assert.match(findings[1]!.message, /^\/s\/sessions\.json: 1 entry has no transcript file \(none was written yet — OpenClaw writes none for an ACP session whose turns all failed — or it was removed; the session still works\)$/);
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(171_000_000), '171 MB');
});

test("a transcript an entry's compaction checkpoint names (OpenClaw 2026.7+) is referenced, never an orphan", () => {
  // 7.35's own orphan scan (resolveReferencedSessionArtifactPaths) keeps these; read in its dist.
  const refs = collectReferences([
    { storePath: '/s/a/sessions.json', document: { k1: { sessionId: 'new-id', compactionCheckpoints: [{ preCompaction: { sessionFile: 'old-id.jsonl' }, postCompaction: { sessionFile: '/s/a/new-id.jsonl' } }, null, 'junk', { preCompaction: null }] } } },
  ]);
  assert.equal(isReferenced('/s/a/old-id.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/new-id.jsonl', refs), true);
  assert.equal(isReferenced('/s/a/other-id.jsonl', refs), false);
});
