// The tool's speed and memory goals, measured in one run (`npm run bench`, or after a build
// `node bench/run.mjs [entries...]`, default 500 and 100000). Ratios compare with floors
// measured in the same run, interleaved, so a busy machine slows both sides alike.
//
// start-up   `--help`, `--version`             vs `node -e 0`                       goal ≤ 1.3×
// 500        `list --json`, `list`             vs floor: node read + JSON.parse +   goal ≤ 1.3×
//            `prune --dry-run`                    JSON.stringify (whole process)     goal ≤ 1.5×
// 100k       `list --json`                     vs the same floor                    goal ≤ 1.5×
//            peak RSS of list --json, list, prune --dry-run, prune                   goal ≤ 3× the file
//            prune: longest gateway-lock hold                                       goal < 1 s
//            prune while a gateway-protocol writer changes the store after the plan
//            (the changed-since-planning path): lock hold and attempts                goal < 1 s
//
// Wall time is the median of BENCH_RUNS runs (default 31: a start-up of tens of ms moves by a few
// ms run to run on a shared 2-core machine, and 7 runs left a ratio ±0.15 from one run of the bench
// to the next; 3 for stores over 10 MiB, each seconds long); CPU time
// (user + sys) is shown beside it, steadier when other work shares the machine.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv, FLOOR_SCRIPT, median } from './common.mjs';
import { generateStore } from './generate-store.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'openclaw-sessions.js');
const writerHelper = path.join(here, '..', 'test', 'helpers', 'gateway-lock-holder.mjs');
const node = process.execPath;
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const work = mkdtempSync(path.join(os.tmpdir(), 'ocs-bench-'));
const MiB = 1048576;
// A clean environment (bench/common.mjs says why); BENCH_ENV=inherit measures in the caller's.
const env = benchEnv(work, process.env.BENCH_ENV === 'inherit');

if (!existsSync('/usr/bin/time')) {
  console.error('bench: needs GNU time at /usr/bin/time (apt-get install time)');
  process.exit(1);
}

/**
 * One run: wall ms (measured here, to the microsecond: GNU time's %e has 10 ms steps, a sixth of
 * a whole start-up), CPU ms and peak RSS KiB (GNU time); stdout kept only when asked.
 */
function measure(args, { keepStdout = false } = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  const last = result.stderr.trim().split('\n').at(-1);
  if (result.status !== 0) throw new Error(`${args.slice(1).join(' ')} exited ${result.status}: ${result.stderr.slice(-500)}`);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const [, u, s, kib] = last.split(' ').map(Number);
  return { wallMs, cpuMs: (u + s) * 1000, rssKiB: kib, stdout: result.stdout };
}


/** Runs every case `runs` times, interleaved; returns medians per case. */
function interleaved(cases, runs) {
  const samples = cases.map(() => []);
  for (let i = 0; i < runs; i++) cases.forEach((args, j) => samples[j].push(measure(args)));
  return samples.map((list) => ({
    wallMs: median(list.map((r) => r.wallMs)),
    cpuMs: median(list.map((r) => r.cpuMs)),
    rssKiB: Math.max(...list.map((r) => r.rssKiB)),
  }));
}

const rows = [];
const row = (name, result, floor, goal, extra = '') => {
  const ratio = floor ? result.wallMs / floor.wallMs : null;
  const cpuRatio = floor ? result.cpuMs / floor.cpuMs : null;
  rows.push({ name, wallMs: result.wallMs, cpuMs: result.cpuMs, ratio, cpuRatio, rssMiB: result.rssKiB / 1024, goal, extra });
};

/** A copy of `file` in its own directory, as prune wants (it writes beside the store). */
function storeCopy(file) {
  const dir = mkdtempSync(path.join(work, 'p-'));
  const copy = path.join(dir, 'sessions.json');
  copyFileSync(file, copy);
  return copy;
}

const pruneArgs = (store) => [node, bin, 'prune', '--yes', '--json', '--older-than', '0', '--keep-transcripts', '--lock-timeout', '60s', '--store', store];

/**
 * prune while a second process speaking the gateway's lock protocol writes the store once,
 * right after prune has prepared its edit (its temp file appears) and before it takes the
 * lock: prune must find the store changed, give the lock back and prepare again.
 */
async function pruneWithWriter(file) {
  const store = storeCopy(file);
  const dir = path.dirname(store);
  // Started first and waiting, so it takes the lock as soon as prune's temp file appears.
  const writer = spawn(node, [writerHelper, 'write-when-prepared', store], { stdio: ['ignore', 'pipe', 'inherit'] });
  let written = '';
  writer.stdout.on('data', (d) => (written += d));
  const writerClosed = new Promise((resolve) => writer.on('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', ...pruneArgs(store)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise((resolve) => child.on('close', resolve));
  if (writer.exitCode === null) writer.kill();
  await writerClosed;
  if (status !== 0) throw new Error(`prune with a writer exited ${status}: ${stderr.slice(-500)}`);
  const [e, u, s, kib] = stderr.trim().split('\n').at(-1).split(' ').map(Number);
  const report = JSON.parse(stdout);
  rmSync(dir, { recursive: true, force: true });
  return { wallMs: e * 1000, cpuMs: (u + s) * 1000, rssKiB: kib, store: report.stores[0], writerRan: written.includes('written') };
}

try {
  const runs = Number(process.env.BENCH_RUNS ?? 31);
  const [bare, help, version] = interleaved([[node, '-e', '0'], [node, bin, '--help'], [node, bin, '--version']], runs);
  row('node -e 0', bare, null, '');
  row('--help', help, bare, '≤ 1.3×');
  row('--version', version, bare, '≤ 1.3×');

  for (const size of sizes.length ? sizes : [500, 100_000]) {
    const file = path.join(work, `sessions-${size}.json`);
    writeFileSync(file, JSON.stringify(generateStore(size, 7), null, 2), { mode: 0o600 });
    const mib = statSync(file).size / MiB;
    const big = mib > 10;
    const label = `${size} (${mib.toFixed(mib < 10 ? 2 : 0)} MiB)`;
    const sizeRuns = Number(process.env.BENCH_RUNS ?? (big ? 3 : 31));

    if (big && process.env.BENCH_ONLY === 'prune') {
      const store = storeCopy(file);
      const prune = measure(pruneArgs(store), { keepStdout: true });
      rmSync(path.dirname(store), { recursive: true, force: true });
      const pruned = JSON.parse(prune.stdout).stores[0];
      row(`prune ${label}`, prune, null, 'hold < 1 s', `lock held ${pruned.lockHoldMs} ms, ${pruned.lockAttempts} attempt(s)`);
      const changed = await pruneWithWriter(file);
      row(`prune, store changed after planning ${label}`, changed, null, 'hold < 1 s', `lock held ${changed.store.lockHoldMs} ms at most, ${changed.store.lockAttempts} attempts${changed.writerRan && changed.store.lockAttempts > 1 ? '' : ' (path NOT exercised)'}`);
      continue;
    }
    const cases = [[node, '-e', FLOOR_SCRIPT, file], [node, bin, 'list', '--json', '--store', file]];
    if (!big) cases.push([node, bin, 'list', '--store', file], [node, bin, 'prune', '--dry-run', '--store', file]);
    const [floor, listJson, listTable, dryRun] = interleaved(cases, sizeRuns);
    row(`floor ${label}`, floor, null, '');
    row(`list --json ${label}`, listJson, floor, big ? '≤ 1.5×' : '≤ 1.3×', `RSS ${(listJson.rssKiB / 1024 / mib).toFixed(2)}× file`);
    if (!big) {
      row(`list ${label}`, listTable, floor, '≤ 1.3×');
      row(`prune --dry-run ${label}`, dryRun, floor, '≤ 1.5×');
      continue;
    }
    // Memory of every command once (RSS/file ≤ 3), and the gateway-lock hold of prune.
    const rss = (result) => `RSS ${(result.rssKiB / 1024 / mib).toFixed(2)}× file`;
    const table = measure([node, bin, 'list', '--store', file]);
    row(`list ${label}`, table, null, 'RSS ≤ 3×', rss(table));
    const dry = measure([node, bin, 'prune', '--dry-run', '--json', '--store', file]);
    row(`prune --dry-run ${label}`, dry, null, 'RSS ≤ 3×', rss(dry));
    const store = storeCopy(file);
    const prune = measure(pruneArgs(store), { keepStdout: true });
    rmSync(path.dirname(store), { recursive: true, force: true });
    const pruned = JSON.parse(prune.stdout).stores[0];
    row(`prune ${label}`, prune, null, 'hold < 1 s, RSS ≤ 3×', `${rss(prune)}; lock held ${pruned.lockHoldMs} ms, ${pruned.lockAttempts} attempt(s)`);
    const changed = await pruneWithWriter(file);
    const exercised = changed.writerRan && changed.store.lockAttempts > 1;
    row(
      `prune, store changed after planning ${label}`,
      changed,
      null,
      'hold < 1 s, RSS ≤ 3×',
      `${rss(changed)}; lock held ${changed.store.lockHoldMs} ms at most, ${changed.store.lockAttempts} attempts${exercised ? '' : ' (the writer did not land between plan and lock this time: path NOT exercised)'}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}, env ${process.env.BENCH_ENV === 'inherit' ? 'inherited' : 'clean (PATH, HOME, LANG, TMPDIR)'}`);
console.log(`| case | wall ms | ratio | CPU ms | CPU ratio | peak RSS MiB | goal | notes |`);
console.log(`|---|---:|---:|---:|---:|---:|---|---|`);
for (const r of rows) {
  const ratio = r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`;
  const cpuRatio = r.cpuRatio === null ? '' : `${r.cpuRatio.toFixed(2)}×`;
  console.log(`| ${r.name} | ${r.wallMs.toFixed(0)} | ${ratio} | ${r.cpuMs.toFixed(0)} | ${cpuRatio} | ${r.rssMiB.toFixed(0)} | ${r.goal} | ${r.extra} |`);
}
