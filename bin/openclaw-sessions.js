#!/usr/bin/env node
// Thin entry: the compiled CLI lives in dist/. `--version` is answered before loading it,
// so the answer costs no more than starting Node.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  let run;
  try {
    ({ run } = await import('../dist/src/cli/main.js'));
  } catch (error) {
    process.stderr.write(`openclaw-sessions: not built (${error.code ?? error.message}); run: npm install (or npm run build)\n`);
    process.exit(1);
  }
  process.exitCode = await run(process.argv);
}
