#!/usr/bin/env node
// Thin entry: the CLI is bundled into dist/bundle/ at build time (scripts/bundle.mjs).
// CommonJS (bin/package.json says so): Node then never starts its ES module loader, ~10 ms of a
// ~70 ms start-up (issue 11, bench/). `--version` is answered before loading the bundle, so the
// answer costs no more than starting Node.
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  useCompileCache();
  let run;
  try {
    ({ run } = require('../dist/bundle/main.cjs'));
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    process.stderr.write(`openclaw-sessions: not built (${error.message.split('\n')[0]}); run: npm install (or npm run build)\n`);
    process.exit(1);
  }
  run(process.argv).then((code) => {
    process.exitCode = code;
  });
}

/**
 * Node 22.1+ keeps compiled code between runs when asked (module.enableCompileCache): the bundle
 * is then not parsed and compiled again at every start. The cache lives in this package
 * (dist/.compile-cache, made by the build), never in a temp dir another user could fill, and is
 * used only while it is a real directory owned by the package's owner and writable by no one
 * else: a cache is code, and root's cron runs this tool. Node 20 has no such cache; a run by
 * another user reads the cache but cannot write it (Node then compiles as usual, silently).
 */
function useCompileCache() {
  const { enableCompileCache } = require('node:module');
  if (typeof enableCompileCache !== 'function' || process.env.NODE_DISABLE_COMPILE_CACHE) return;
  const { lstatSync, mkdirSync } = require('node:fs');
  const dir = require('node:path').join(__dirname, '..', 'dist', '.compile-cache');
  try {
    const owner = lstatSync(__filename).uid;
    // An npm install ships no such directory (the build makes it): the package's owner makes it.
    if (process.geteuid?.() === owner) mkdirSync(dir, { recursive: true, mode: 0o755 });
    const cache = lstatSync(dir);
    if (!cache.isDirectory() || cache.uid !== owner || (cache.mode & 0o022) !== 0) return;
    enableCompileCache(dir);
  } catch {
    // no cache directory, or it cannot be made: compile as usual
  }
}
