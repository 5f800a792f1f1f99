/**
 * Golden classification of every committed real-gateway corpus (test/fixtures/real/<version>/,
 * written by real gateways through test/e2e/corpus/generate.ts), through the built binary.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkDefaultPrune, checkGoldenClassification } from '../helpers/corpus-golden.js';
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
