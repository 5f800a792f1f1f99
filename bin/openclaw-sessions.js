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
  // Compiled code the build kept (bin/code-cache.js says when it is used, and why it is safe).
  // Only ever a speed-up: without it (a bin reached through a preserved symlink, say) Node compiles.
  try {
    require('./code-cache.js').useCodeCache(require('node:path').join(__dirname, '..'));
  } catch {
    // no cache: compile as usual
  }
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
