/**
 * Ctrl-C while a finished prune waits for the gateway to delete its own probe session (up to
 * 22 s on OpenClaw 2026.4.29: docs/openclaw-probe-delete.md): the interrupt line says the run had
 * finished, not "the store holds either its old or its new content" (helper-27's walk on 9.6).
 * A child process runs the real wait and the real signal handlers; the delete never settles.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const module = (name: string): string => fileURLToPath(new URL(`../../src/${name}`, import.meta.url));

test('SIGINT during the end-of-run probe-delete wait: exit 130 and a line that says the run had finished', async () => {
  const script = `
    const { onInterrupt } = await import(${JSON.stringify(module('system/cleanup.js'))});
    const { trackProbeDeletes, probeDeletesSettledAtEnd } = await import(${JSON.stringify(module('gateway/probe-deletes.js'))});
    onInterrupt(() => {}); // a prune registers its cleanups before it edits: the handlers are installed
    trackProbeDeletes(new Promise(() => {}));
    setInterval(() => {}, 1000);
    process.stdout.write('waiting\\n');
    await probeDeletesSettledAtEnd();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  for (let i = 0; i < 200 && !out.includes('waiting'); i++) await sleep(50);
  assert.ok(out.includes('waiting'), err);
  child.kill('SIGINT');
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 130);
  assert.match(err, /^openclaw-sessions: interrupted by SIGINT; locks released and temp files removed; the run had finished; only the gateway's delete of this run's own probe session was still pending/m);
  assert.doesNotMatch(err, /old or its new content/);
});
