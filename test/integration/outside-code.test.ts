/**
 * The tool runs no code from outside its own package: ws's optional native helpers (bufferutil,
 * utf-8-validate), which Node would look up along every node_modules directory above the bundle,
 * are answered inside the bundle (scripts/bundle.mjs), so one planted above the package is never
 * loaded, even when the WebSocket client is.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/golden.js';

test('a bufferutil or utf-8-validate planted in a node_modules above the package is never loaded, though ws is', async () => {
  const above = mkdtempSync(path.join(os.tmpdir(), 'ocs-outside-'));
  const root = path.join(above, 'pkg');
  for (const part of ['bin', 'dist/bundle', 'package.json']) cpSync(path.join(REPO, part), path.join(root, part), { recursive: true });
  const marker = path.join(above, 'loaded');
  for (const name of ['bufferutil', 'utf-8-validate']) {
    mkdirSync(path.join(above, 'node_modules', name), { recursive: true });
    writeFileSync(path.join(above, 'node_modules', name, 'index.js'), `require('node:fs').appendFileSync(${JSON.stringify(marker)}, '${name}\\n'); module.exports = { mask() {}, unmask() {} };`);
  }
  // Which bundle files the run loaded (Node's loader, as without a code cache).
  const record = path.join(above, 'record.cjs');
  const seen = path.join(above, 'seen.json');
  writeFileSync(record, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify(Object.keys(require.cache))));`);
  // Something on the gateway's port, so the probe loads the WebSocket client for its challenge.
  const server = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const state = path.join(above, 'state');
    mkdirSync(path.join(state, 'agents', 'main', 'sessions'), { recursive: true });
    writeFileSync(path.join(state, 'agents', 'main', 'sessions', 'sessions.json'), '{}');
    const env = { PATH: process.env.PATH, HOME: above, OPENCLAW_STATE_DIR: state, OPENCLAW_GATEWAY_PORT: String((server.address() as AddressInfo).port) };
    // Async: this process serves the port while the run probes it.
    const child = spawn(process.execPath, ['-r', record, path.join(root, 'bin', 'openclaw-sessions.js'), 'gateway'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(status, 0, stdout);
    assert.match(stdout, /not answering: port \d+ accepts connections/);
    const loaded = JSON.parse(readFileSync(seen, 'utf8')) as string[];
    assert.ok(loaded.some((file) => readFileSync(file, 'utf8').includes('Sec-WebSocket-Key')), 'the WebSocket client was loaded');
    assert.equal(existsSync(marker) ? readFileSync(marker, 'utf8') : '', '', 'code from outside the package ran');
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(above, { recursive: true, force: true });
  }
});
