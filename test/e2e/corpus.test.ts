/**
 * The corpus, regenerated on the real gateway of the lane's install, must classify as the
 * committed golden file says,
 * and a default prune on it must remove every finished run and no conversation.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { checkDefaultPrune, checkGoldenClassification, readExpected } from '../helpers/corpus-golden.js';
import { CORPUS_ROOT, type CorpusManifest } from '../helpers/real-corpus.js';
import { generateCorpus, installedVersion } from './corpus/generate.js';
import { E2E_HOME, e2eUnavailable } from './real-gateway.js';

// The lane's install (OPENCLAW_E2E_HOME / OPENCLAW_E2E_VERSION choose another version).
const installDir = E2E_HOME;
const unavailable = e2eUnavailable();
const skip = unavailable && process.env.OPENCLAW_E2E !== '1' ? unavailable : false;
if (unavailable && process.env.OPENCLAW_E2E === '1') throw new Error(unavailable);

describe('real gateway: the corpus regenerated and checked against the golden classification', { skip, timeout: 900_000 }, () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'ocs-corpus-gen-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  test('regenerate, classify, prune', { timeout: 900_000 }, async () => {
    const version = installedVersion(installDir);
    await generateCorpus({ installDir, version, out, log: () => undefined });
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as CorpusManifest;
    // Every role the golden file pins was produced (a role the gateway could not make is a failure here).
    assert.deepEqual(Object.keys(readExpected().roles).filter((role) => !manifest.roles[role]), []);
    const committed = path.join(CORPUS_ROOT, version, 'manifest.json');
    if (existsSync(committed)) {
      const old = JSON.parse(readFileSync(committed, 'utf8')) as CorpusManifest;
      assert.deepEqual(Object.keys(manifest.roles).sort(), Object.keys(old.roles).sort(), 'the regenerated corpus has the committed corpus\'s roles');
    }
    await checkGoldenClassification(out);
    await checkDefaultPrune(out);
  });
});
