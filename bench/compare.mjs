// Two builds of the tool side by side on the 500-entry start-up cases, interleaved run by run so
// that a busy machine slows both alike: `node bench/compare.mjs BEFORE_ROOT AFTER_ROOT [runs]`
// (each root a built checkout: bin/ and dist/; runs default 41). Each command's median wall time,
// and its ratio to the floor of its kind (`node -e 0` for --help and --version; read + JSON.parse +
// JSON.stringify for the rest), measured in the same run, in bench/common.mjs's clean
// environment. NODE=/path/to/node compares on another Node (each build's code cache fits only the Node
// that built it; a build without a fitting cache compiles as usual).
//
// For the tree before a change: `git worktree add /tmp/before <commit>`, then in /tmp/before
// `ln -s "$PWD/node_modules" node_modules` (from this checkout) and `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchEnv, FLOOR_SCRIPT, median } from './common.mjs';
import { generateStore } from './generate-store.mjs';

const [before, after, runsArg] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node bench/compare.mjs BEFORE_ROOT AFTER_ROOT [runs]');
  process.exit(2);
}
const runs = Number(runsArg ?? 41);
const node = process.env.NODE ?? process.execPath;
const work = mkdtempSync(path.join(os.tmpdir(), 'ocs-compare-'));
const env = benchEnv(work);
const store = path.join(work, 'sessions.json');
writeFileSync(store, JSON.stringify(generateStore(500, 7), null, 2), { mode: 0o600 });

const commands = [
  ['--help', ['--help'], 'start'],
  ['--version', ['--version'], 'start'],
  ['list --json', ['list', '--json', '--store', store], 'floor'],
  ['list', ['list', '--store', store], 'floor'],
  ['prune --dry-run', ['prune', '--dry-run', '--store', store], 'floor'],
];
const cases = [
  { name: 'start', args: ['-e', '0'] },
  { name: 'floor', args: ['-e', FLOOR_SCRIPT, store] },
  ...commands.flatMap(([label, args]) => [before, after].map((root) => ({ name: `${root}\t${label}`, args: [path.join(path.resolve(root), 'bin', 'openclaw-sessions.js'), ...args] }))),
];

function wallMs(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(node, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-300)}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

try {
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) for (const c of cases) samples.get(c.name).push(wallMs(c.args));
  const of = (name) => median(samples.get(name));
  const cell = (ms, base) => `${ms.toFixed(1)} ms (${(ms / base).toFixed(2)}×)`;
  console.log(`node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${os.cpus().length} cpus, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${runs} runs each, medians`);
  console.log(`node -e 0 ${of('start').toFixed(1)} ms; floor (500 entries) ${of('floor').toFixed(1)} ms\n`);
  console.log(`| case | ${before} | ${after} |\n|---|---:|---:|`);
  for (const [label, , base] of commands) console.log(`| ${label} | ${cell(of(`${before}\t${label}`), of(base))} | ${cell(of(`${after}\t${label}`), of(base))} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
