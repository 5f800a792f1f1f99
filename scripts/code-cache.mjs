// Fills dist/.code-cache (bin/code-cache.js: what it is, when a run uses it, why that is safe).
// Runs the commands operators run most, in this process, on a copy of the example store, so that
// V8's cache holds the code those runs compiled, not only each file's top level. Read-only runs:
// nothing outside a temp dir is read or written, and the gateway port they probe is one this
// process held a moment ago (nothing answers there), so no gateway on the build machine is asked.
//
// `npm run build` runs this after scripts/bundle.mjs. OPENCLAW_SESSIONS_NO_CODE_CACHE=1 skips it
// (then every run compiles as usual).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = path.join(path.dirname(self), '..');
const cacheDir = path.join(root, 'dist', '.code-cache');
rmSync(cacheDir, { recursive: true, force: true });
if (process.env.OPENCLAW_SESSIONS_NO_CODE_CACHE) process.exit(0);

// V8 refuses a cache made under other flags (NODE_OPTIONS=--max-old-space-size=… is common in
// CI): the cache is made by a Node started as a run starts, with no flags of its own.
if (process.execArgv.length > 0 || process.env.NODE_OPTIONS) {
  const { NODE_OPTIONS: _dropped, ...env } = process.env;
  const child = spawnSync(process.execPath, [self], { env, stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

/** A loopback port nothing listens on: one the OS gave this process, then closed. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const require = createRequire(import.meta.url);
const { load, save } = require('../bin/code-cache.js').recordCodeCache(root);
const { run } = load('main.cjs');

const work = mkdtempSync(path.join(os.tmpdir(), 'ocs-code-cache-'));
const fresh = path.join(root, 'dist', `.code-cache.tmp-${process.pid}`);
try {
  const stateDir = path.join(work, 'state');
  cpSync(path.join(root, 'examples', 'state'), stateDir, { recursive: true });
  mkdirSync(path.join(work, 'home'), { mode: 0o700 });
  const env = { PATH: process.env.PATH, HOME: path.join(work, 'home'), OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_PORT: String(await closedPort()), NO_COLOR: '1' };
  const store = path.join(stateDir, 'agents', 'main', 'sessions', 'sessions.json');
  let output = [];
  const io = {
    env,
    stdout: { write: (text) => output.push(text), isTTY: false },
    stderr: { write: (text) => output.push(text) },
    stdinIsTTY: false,
    ask: async () => 'n',
  };
  const commands = [['--help'], ['list', '--json'], ['list', '--store', store], ['prune', '--dry-run'], ['doctor', '--no-rpc']];
  for (const command of commands) {
    output = [];
    const code = await run([process.execPath, 'openclaw-sessions', ...command], io);
    // A failure here means the bundle itself is broken: the build says so rather than caching it.
    if (code !== 0 && command[0] !== 'doctor') throw new Error(`scripts/code-cache.mjs: openclaw-sessions ${command.join(' ')} exited ${code}:\n${output.join('')}`);
  }
  // Written into a private directory (no one else can add a file or a link while it fills), then
  // opened up — readable by every user who may run the tool, as dist/bundle is, writable by its
  // owner only — and put in place in one rename.
  mkdirSync(fresh, { mode: 0o700 });
  const files = save(fresh);
  for (const name of readdirSync(fresh)) chmodSync(path.join(fresh, name), 0o644);
  chmodSync(fresh, 0o755);
  renameSync(fresh, cacheDir);
  console.log(`code cache: ${files.length} bundle files for node ${process.version} in ${path.relative(root, cacheDir)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(fresh, { recursive: true, force: true });
}
