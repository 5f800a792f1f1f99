// Times `clean` on a sessions directory of 10k files against the floor of the same deletions
// done by bare Node (readdir + lstat + unlink of exactly the expired files), and reports peak RSS.
//
//   node bench/clean.mjs            # after npm run build; 10k files
//   node bench/clean.mjs 50000      # another directory size
//
// The directory: a store whose entries refer to 40% of the files' transcripts, 30% expired
// `.deleted.` archives, 10% young archives, 10% orphan transcripts quiet for 2 days, 10% `.reset.`
// archives past the retention. Each run works on a fresh copy.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'openclaw-sessions.js');
const files = Number(process.argv[2] ?? 10000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(path.join(os.tmpdir(), 'ocs-bench-clean-'));
const DAY = 86_400_000;
const stamp = (ms) => new Date(ms).toISOString().replaceAll(':', '-');

function makeInstall(root) {
  const dir = path.join(root, '.openclaw', 'agents', 'main', 'sessions');
  mkdirSync(dir, { recursive: true });
  const store = {};
  const now = Date.now();
  const body = 'x'.repeat(2048);
  for (let i = 0; i < files; i++) {
    const slot = i % 10;
    if (slot < 4) {
      store[`agent:main:direct:p${i}`] = { sessionId: `s${i}`, updatedAt: now };
      writeFileSync(path.join(dir, `s${i}.jsonl`), body);
    } else if (slot < 7) writeFileSync(path.join(dir, `d${i}.jsonl.deleted.${stamp(now - 40 * DAY - i)}`), body);
    else if (slot < 8) writeFileSync(path.join(dir, `y${i}.jsonl.deleted.${stamp(now - DAY)}`), body);
    else if (slot < 9) {
      const file = path.join(dir, `o${i}.jsonl`);
      writeFileSync(file, body);
      utimesSync(file, (now - 2 * DAY) / 1000, (now - 2 * DAY) / 1000);
    } else writeFileSync(path.join(dir, `r${i}.jsonl.reset.${stamp(now - 31 * DAY)}`), body);
  }
  writeFileSync(path.join(dir, 'sessions.json'), JSON.stringify(store, null, 2), { mode: 0o600 });
  return dir;
}

function measure(args, env = {}) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr.slice(-500)}`);
  const [seconds, kib] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { ms: seconds * 1000, rssKiB: kib, stdout: result.stdout };
}

// The floor removes what clean removes (expired archives) and renames the orphans, nothing else.
const floor = `const fs=require('fs'),p=require('path'),d=process.argv[1],now=Date.now();for(const n of fs.readdirSync(d)){const f=p.join(d,n);const s=fs.lstatSync(f);if(!s.isFile())continue;if(/^[dr]\\d+\\.jsonl\\./.test(n))fs.unlinkSync(f);else if(/^o\\d+\\.jsonl$/.test(n))fs.renameSync(f,f+'.deleted.x');}`;

try {
  let best = null;
  let bestFloor = null;
  let reclaimed = 0;
  for (let i = 0; i < runs; i++) {
    const home = mkdtempSync(path.join(work, 'c-'));
    makeInstall(home);
    const r = measure([process.execPath, bin, 'clean', '--yes', '--json'], { HOME: home });
    reclaimed = JSON.parse(r.stdout).bytesReclaimed;
    if (!best || r.ms < best.ms) best = { ...r, rssKiB: Math.max(r.rssKiB, best?.rssKiB ?? 0) };
    rmSync(home, { recursive: true, force: true });
    const floorHome = mkdtempSync(path.join(work, 'f-'));
    const dir = makeInstall(floorHome);
    const f = measure([process.execPath, '-e', floor, dir]);
    if (!bestFloor || f.ms < bestFloor.ms) bestFloor = f;
    rmSync(floorHome, { recursive: true, force: true });
  }
  console.log(`node ${process.version}, best of ${runs} runs, ${os.cpus().length} cpus`);
  console.log(`clean --yes, ${files} files: ${best.ms.toFixed(0)} ms vs floor ${bestFloor.ms.toFixed(0)} ms (${(best.ms / bestFloor.ms).toFixed(2)}x), peak RSS ${(best.rssKiB / 1024).toFixed(0)} MiB, ${(reclaimed / 1e6).toFixed(1)} MB reclaimed`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
