// Times openclaw-sessions against the floor of the same work done by bare Node, on generated
// stores of 1k / 10k / 100k entries, and reports ratios and peak RSS.
//
//   npm run bench                 # all sizes
//   node bench/run.mjs 1000 10000 # chosen sizes (after npm run build)
//
// list:   `list --json --store F`           vs floor: read + JSON.parse of F
// prune:  `prune --yes --json --store F`    vs floor: read + parse + stringify + atomic write
//         (lock hold time is reported by prune itself, in its JSON, per store)
// metrics: `metrics --textfile D --store F`  vs floor: read + JSON.parse of F (it runs every minute)
// version: `--version`                      vs `node -e 0`
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateStore } from './generate-store.mjs';
import { writeFileSync } from 'node:fs';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'openclaw-sessions.js');
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(path.join(os.tmpdir(), 'ocs-bench-'));

/** Wall time (ms) and peak RSS (KiB) of a command, via GNU time. */
function measure(args, env = {}) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr.slice(-500)}`);
  const [seconds, kib] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { ms: seconds * 1000, rssKiB: kib, stdout: result.stdout };
}

function best(fn) {
  let min = null;
  for (let i = 0; i < runs; i++) {
    const r = fn();
    if (!min || r.ms < min.ms) min = { ...r, rssKiB: Math.max(r.rssKiB, min?.rssKiB ?? 0) };
  }
  return min;
}

const floorList = `const fs=require('fs');JSON.parse(fs.readFileSync(process.argv[1],'utf8'));`;
// Prints its own work time (no Node start-up) so the lock hold time compares with the work alone.
const floorWrite = `const t0=performance.now();const fs=require('fs'),p=process.argv[1];const d=JSON.parse(fs.readFileSync(p,'utf8'));const t=p+'.tmp';const fd=fs.openSync(t,'w',0o600);fs.writeSync(fd,JSON.stringify(d,null,2));fs.fsyncSync(fd);fs.closeSync(fd);fs.renameSync(t,p);console.log(performance.now()-t0);`;

const rows = [];
try {
  const version = best(() => measure([process.execPath, bin, '--version']));
  const nodeBare = best(() => measure([process.execPath, '-e', '0']));
  rows.push(['--version', '-', version.ms, nodeBare.ms, version.rssKiB]);

  for (const size of sizes.length ? sizes : [1000, 10000, 100000]) {
    const file = path.join(work, `sessions-${size}.json`);
    writeFileSync(file, JSON.stringify(generateStore(size, 7), null, 2), { mode: 0o600 });
    const mib = statSync(file).size / 1048576;

    const list = best(() => measure([process.execPath, bin, 'list', '--json', '--store', file]));
    const listFloor = best(() => measure([process.execPath, '-e', floorList, file]));
    rows.push([`list --json ${size}`, mib.toFixed(1), list.ms, listFloor.ms, list.rssKiB]);

    const metrics = best(() => measure([process.execPath, bin, 'metrics', '--textfile', work, '--store', file]));
    rows.push([`metrics ${size}`, mib.toFixed(1), metrics.ms, listFloor.ms, metrics.rssKiB]);

    let floorWork = Infinity;
    const pruneFloor = best(() => {
      const copy = `${file}.floor`;
      copyFileSync(file, copy);
      const r = measure([process.execPath, '-e', floorWrite, copy]);
      floorWork = Math.min(floorWork, Number(r.stdout.trim()));
      return r;
    });
    let hold = Infinity;
    const prune = best(() => {
      const dir = mkdtempSync(path.join(work, 'p-'));
      const copy = path.join(dir, 'sessions.json');
      copyFileSync(file, copy);
      const r = measure([process.execPath, bin, 'prune', '--yes', '--json', '--older-than', '0', '--keep-transcripts', '--store', copy]);
      const report = JSON.parse(r.stdout);
      hold = Math.min(hold, report.stores[0]?.lockHoldMs ?? NaN);
      rmSync(dir, { recursive: true, force: true });
      return r;
    });
    rows.push([`prune ${size}`, mib.toFixed(1), prune.ms, pruneFloor.ms, prune.rssKiB, hold, floorWork]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`node ${process.version}, best of ${runs} runs, ${os.cpus().length} cpus`);
console.log('case'.padEnd(22), 'MiB'.padStart(7), 'ms'.padStart(9), 'floor ms'.padStart(9), 'ratio'.padStart(6), 'RSS MiB'.padStart(8), 'RSS/file'.padStart(8), 'lock hold ms'.padStart(13), 'hold/work'.padStart(10));
// hold/work: the gateway-lock hold time over the floor's in-process work time (read + parse +
// stringify + fsynced write of the same file), i.e. what a naive locked rewrite would hold.
for (const [name, mib, ms, floor, rss, hold, work] of rows) {
  const rssMiB = rss / 1024;
  console.log(
    name.padEnd(22),
    String(mib).padStart(7),
    ms.toFixed(0).padStart(9),
    floor.toFixed(0).padStart(9),
    (ms / floor).toFixed(2).padStart(6),
    rssMiB.toFixed(0).padStart(8),
    (mib === '-' ? '-' : (rssMiB / Number(mib)).toFixed(2)).padStart(8),
    (hold === undefined ? '-' : hold.toFixed(0)).padStart(13),
    (hold === undefined ? '-' : (hold / work).toFixed(2)).padStart(10),
  );
}
