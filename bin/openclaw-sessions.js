#!/usr/bin/env node
// Thin entry: the CLI is bundled into dist/bundle/ at build time (scripts/bundle.mjs).
// `--version` is answered before loading it, so the answer costs no more than starting Node.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  let run;
  try {
    ({ run } = createRequire(import.meta.url)('../dist/bundle/main.cjs'));
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    process.stderr.write(`openclaw-sessions: not built (${error.message.split('\n')[0]}); run: npm install (or npm run build)\n`);
    process.exit(1);
  }
  process.exitCode = await run(process.argv);
}
