// `npm start`: shows what openclaw-sessions sees. On a machine with an OpenClaw install it
// reads that install (read-only: `list` and a `prune --dry-run`); without one it uses the
// example state shipped here, so a fresh clone shows a stuck gateway's store at once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'openclaw-sessions.js');
const home = process.env.OPENCLAW_HOME || process.env.HOME || os.homedir();
const installed = [process.env.OPENCLAW_STATE_DIR, path.join(home, '.openclaw'), path.join(home, '.clawdbot')]
  .filter(Boolean)
  .some((dir) => existsSync(path.join(dir, 'agents')));

const target = installed ? [] : ['--state-dir', path.join(here, 'state'), '--config', path.join(here, 'state', 'openclaw.json')];
if (!installed) console.log(`No OpenClaw install found; using the example store in ${path.join(here, 'state')}\n`);

let status = 0;
for (const command of [['list'], ['prune', '--dry-run']]) {
  console.log(`$ openclaw-sessions ${command.join(' ')}`);
  const result = spawnSync(process.execPath, [bin, ...command, ...target, ...process.argv.slice(2)], { stdio: 'inherit' });
  status ||= result.status ?? 1;
  console.log('');
}
process.exitCode = status;
