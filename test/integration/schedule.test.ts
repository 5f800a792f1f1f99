import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cronSchedule, onCalendar, withCronBlock, CRON_BEGIN, CRON_END } from '../../src/schedule/units.js';
import { loadNodeSqlite } from '../../src/store/sqlite-open.js';
import { BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
}

test('generated units: absolute paths, the install named, and systemd accepts them', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  const result = runCli(['schedule', '--json', '--state-dir', path.join(home, 'state'), '--every', '30m', '--allow-restart'], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { cron: string; systemd: { dir: string; service: { name: string; content: string }; timer: { name: string; content: string } } };
  const cronLine = out.cron.split('\n').find((l) => !l.startsWith('#'))!;
  assert.match(cronLine, /^\d{1,2}-59\/30 \* \* \* \* \/\S+\/node \S+\/bin\/openclaw-sessions\.js prune --yes --quiet --allow-restart --state-dir \/\S+\/state$/);
  assert.ok(cronLine.includes(BIN));
  assert.match(out.systemd.service.content, /^Type=oneshot$/m);
  assert.match(out.systemd.service.content, /^ExecStart=\/\S+ \S+openclaw-sessions\.js prune --yes --quiet --log-format json --allow-restart --state-dir /m);
  assert.match(out.systemd.timer.content, /^OnCalendar=\*-\*-\* \*:\d{2}\/30:00$/m);
  assert.match(out.systemd.timer.content, /^RandomizedDelaySec=60$/m);
  assert.match(out.systemd.timer.content, /^Persistent=true$/m);
  assert.equal(out.systemd.dir, path.join(home, '.config', 'systemd', 'user'));
  // Same host and install → the same text (a re-install changes nothing).
  assert.equal(runCli(['schedule', '--json', '--state-dir', path.join(home, 'state'), '--every', '30m', '--allow-restart'], { HOME: home }).stdout, result.stdout);

  if (hasSystemdAnalyze()) {
    const dir = tempDir();
    writeFileSync(path.join(dir, out.systemd.service.name), out.systemd.service.content);
    writeFileSync(path.join(dir, out.systemd.timer.name), out.systemd.timer.content);
    const verify = spawnSync('systemd-analyze', ['verify', path.join(dir, out.systemd.timer.name), path.join(dir, out.systemd.service.name)], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    const calendar = spawnSync('systemd-analyze', ['calendar', onCalendar(30, 7)], { encoding: 'utf8' });
    assert.equal(calendar.status, 0, calendar.stderr);
  }
});

test('a profile under OPENCLAW_HOME is scheduled by its state dir: cron and systemd run without that variable, where --profile names another install', () => {
  const home = tempDir();
  const openclawHome = path.join(home, 'srv');
  mkdirSync(path.join(openclawHome, '.openclaw-work'), { recursive: true });
  const under = JSON.parse(runCli(['schedule', '--json', '--profile', 'work'], { HOME: home, OPENCLAW_HOME: openclawHome }).stdout) as { cron: string; systemd: { service: { content: string } } };
  assert.match(under.cron, new RegExp(`prune --yes --quiet --state-dir ${openclawHome}/\\.openclaw-work$`, 'm'));
  assert.doesNotMatch(under.cron + under.systemd.service.content, /--profile/);
  // Without OPENCLAW_HOME the profile is the user's own, and --profile names it wherever the unit runs.
  mkdirSync(path.join(home, '.openclaw-work'), { recursive: true });
  const own = JSON.parse(runCli(['schedule', '--json', '--profile', 'work'], { HOME: home }).stdout) as { cron: string };
  assert.match(own.cron, /prune --yes --quiet --profile work$/m);
});

test('cron and calendar expressions per period; bad periods refused', () => {
  assert.equal(cronSchedule(15, 7), '7-59/15 * * * *');
  assert.equal(cronSchedule(60, 7), '7 * * * *');
  assert.equal(cronSchedule(360, 7), '7 */6 * * *');
  assert.equal(onCalendar(15, 7), '*-*-* *:07/15:00');
  assert.equal(onCalendar(60, 7), '*-*-* *:07:00');
  assert.equal(onCalendar(120, 7), '*-*-* 00/2:07:00');
  const bad = runCli(['schedule', '--every', '7m'], { HOME: tempDir() });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--every must be one of/);
});

test('a flag given without the flag it works with is refused (exit 2), never silently ignored', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  for (const [args, line] of [
    [['--clean-keep', '7d'], /^openclaw-sessions: --clean-keep only works with --clean; nothing was done\n$/],
    [['--metrics-every', '5m'], /^openclaw-sessions: --metrics-every only works with --metrics-textfile; nothing was done\n$/],
    [['--force'], /^openclaw-sessions: --force only works with --install; nothing was done\n$/],
  ] as const) {
    const refused = runCli(['schedule', '--state-dir', path.join(home, 'state'), ...args], { HOME: home });
    assert.equal(refused.status, 2, args.join(' '));
    assert.match(refused.stderr, line);
    assert.equal(refused.stdout, '');
  }
  const clean = runCli(['schedule', '--json', '--state-dir', path.join(home, 'state'), '--clean', '--clean-keep', '7d'], { HOME: home });
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /clean --yes --quiet --keep 7d /);
});

test('--no-enable (with --install systemd) is refused without it, never ignored: a cron install would run at once', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  const bin = path.join(home, 'bin');
  mkdirSync(bin);
  const table = path.join(home, 'crontab.txt');
  writeFileSync(table, 'MAILTO=ops\n');
  writeFileSync(path.join(bin, 'crontab'), `#!/bin/sh\nif [ "$1" = "-l" ]; then cat "${table}"; elif [ "$1" = "-" ]; then cat > "${table}"; else exit 2; fi\n`);
  chmodSync(path.join(bin, 'crontab'), 0o755);
  const env = { HOME: home, PATH: `${bin}:${process.env.PATH}` };
  for (const args of [['--no-enable'], ['--install', 'cron', '--no-enable']]) {
    const refused = runCli(['schedule', '--state-dir', path.join(home, 'state'), ...args], env);
    assert.equal(refused.status, 2, args.join(' '));
    assert.match(refused.stderr, /^openclaw-sessions: --no-enable only works with --install systemd; nothing was done\n$/);
    assert.equal(refused.stdout, '');
  }
  assert.equal(readFileSync(table, 'utf8'), 'MAILTO=ops\n', 'no crontab block was installed');
});

test('crontab block replacement keeps every other line', () => {
  const original = 'MAILTO=ops@example.com\n0 3 * * * /usr/bin/backup\n';
  const block = `${CRON_BEGIN}\n1 * * * * x\n${CRON_END}`;
  const added = withCronBlock(original, block);
  assert.equal(added, `${original}${block}\n`);
  assert.equal(withCronBlock(added, `${CRON_BEGIN}\n2 * * * * y\n${CRON_END}`), `${original}${CRON_BEGIN}\n2 * * * * y\n${CRON_END}\n`);
  assert.equal(withCronBlock(added, null), original);
});

test('schedule --install systemd into a temp HOME, refuse a changed file without --force, --uninstall', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg') };
  const args = ['schedule', '--install', 'systemd', '--no-enable', '--state-dir', path.join(home, 'state')];
  const first = runCli(args, env);
  assert.equal(first.status, 0, first.stderr);
  const dir = path.join(home, 'cfg', 'systemd', 'user');
  const service = path.join(dir, 'openclaw-sessions-prune.service');
  const timer = path.join(dir, 'openclaw-sessions-prune.timer');
  assert.ok(existsSync(service) && existsSync(timer));
  assert.match(first.stdout, /systemctl --user enable --now openclaw-sessions-prune\.timer/);
  // Observed: --no-enable printed "systemctl --user was not reachable", which it never tried.
  assert.match(first.stdout, /^timer not enabled \(--no-enable\); to activate it run:$/m);
  assert.doesNotMatch(first.stdout, /not reachable/);
  assert.match(runCli(args, env).stdout, /unchanged/);
  writeFileSync(timer, `${readFileSync(timer, 'utf8')}# local tweak\n`);
  const refused = runCli(args, env);
  assert.equal(refused.status, 4);
  assert.match(refused.stderr, /--force/);
  assert.match(readFileSync(timer, 'utf8'), /local tweak/);
  assert.equal(runCli([...args, '--force'], env).status, 0);
  assert.doesNotMatch(readFileSync(timer, 'utf8'), /local tweak/);
  const removed = runCli(['schedule', '--uninstall'], { ...env, PATH: '/nonexistent' });
  assert.equal(removed.status, 0, removed.stderr);
  assert.ok(!existsSync(service) && !existsSync(timer));
});

test('schedule --install cron edits only its block of the user crontab (through the crontab command)', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  // A stand-in for cron's `crontab` that keeps the table in a file.
  const bin = path.join(home, 'bin');
  mkdirSync(bin);
  const table = path.join(home, 'crontab.txt');
  writeFileSync(table, 'MAILTO=ops\n0 3 * * * /usr/bin/backup\n');
  writeFileSync(path.join(bin, 'crontab'), `#!/bin/sh\nif [ "$1" = "-l" ]; then cat "${table}"; elif [ "$1" = "-" ]; then cat > "${table}"; else exit 2; fi\n`);
  chmodSync(path.join(bin, 'crontab'), 0o755);
  const env = { HOME: home, PATH: `${bin}:${process.env.PATH}` };
  const args = ['schedule', '--install', 'cron', '--state-dir', path.join(home, 'state')];
  assert.equal(runCli(args, env).status, 0);
  const installed = readFileSync(table, 'utf8');
  assert.ok(installed.startsWith('MAILTO=ops\n0 3 * * * /usr/bin/backup\n# BEGIN openclaw-sessions'));
  assert.match(runCli(args, env).stdout, /unchanged/);
  assert.equal(runCli([...args, '--every', '1h'], env).status, 4, 'a different block is not replaced without --force');
  assert.equal(runCli([...args, '--every', '1h', '--force'], env).status, 0);
  assert.match(readFileSync(table, 'utf8'), /^\d+ \* \* \* \* /m);
  assert.equal(runCli(['schedule', '--uninstall'], env).status, 0);
  assert.equal(readFileSync(table, 'utf8'), 'MAILTO=ops\n0 3 * * * /usr/bin/backup\n');
});

test('schedule --metrics-textfile: a metrics line in the cron block and a metrics timer that systemd accepts; the line itself writes the textfile', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  const stateDir = path.join(home, 'state');
  mkdirSync(path.join(stateDir, 'agents', 'main', 'sessions'), { recursive: true });
  writeFileSync(path.join(stateDir, 'agents', 'main', 'sessions', 'sessions.json'), JSON.stringify({ 'agent:main:main': { sessionId: 'm', updatedAt: Date.now() } }));
  const textDir = path.join(home, 'textfile');
  mkdirSync(textDir);
  const result = runCli(['schedule', '--json', '--state-dir', stateDir, '--metrics-textfile', textDir, '--metrics-every', '2m'], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { cron: string; systemd: { service: { name: string; content: string }; timer: { name: string; content: string }; metrics: { service: { name: string; content: string }; timer: { name: string; content: string } } | null } };
  const metricsLine = out.cron.split('\n').find((l) => / metrics /.test(l) && !l.startsWith('#'))!;
  assert.equal(metricsLine, `*/2 * * * * ${process.execPath} ${BIN} metrics --textfile ${textDir} --state-dir ${stateDir}`);
  assert.ok(out.cron.indexOf(metricsLine) < out.cron.indexOf(CRON_END), 'inside the managed block');
  assert.ok(out.systemd.metrics);
  assert.equal(out.systemd.metrics.service.name, 'openclaw-sessions-metrics.service');
  assert.match(out.systemd.metrics.service.content, new RegExp(`^ExecStart=${process.execPath} \\S+openclaw-sessions\\.js metrics --textfile ${textDir} --state-dir ${stateDir}$`, 'm'));
  assert.match(out.systemd.metrics.service.content, /^TimeoutStartSec=115s$/m);
  assert.match(out.systemd.metrics.timer.content, /^OnCalendar=\*-\*-\* \*:00\/2:00$/m);
  assert.match(out.systemd.metrics.timer.content, /^Unit=openclaw-sessions-metrics\.service$/m);

  // What cron would run: the command part of the line, through sh as cron does.
  const command = metricsLine.split(' ').slice(5).join(' ');
  const ran = spawnSync('sh', ['-c', command], { env: { PATH: '/usr/bin:/bin', HOME: home }, encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  assert.match(readFileSync(path.join(textDir, 'openclaw_sessions.prom'), 'utf8'), /^openclaw_sessions\{agent="main",kind="main",state="idle"\} 1$/m);

  if (hasSystemdAnalyze()) {
    const dir = tempDir();
    const units = [out.systemd.service, out.systemd.timer, out.systemd.metrics.service, out.systemd.metrics.timer];
    for (const unit of units) writeFileSync(path.join(dir, unit.name), unit.content);
    const verify = spawnSync('systemd-analyze', ['verify', ...units.map((u) => path.join(dir, u.name))], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    for (const every of ['1m', '2m', '15m']) {
      const timer = (JSON.parse(runCli(['schedule', '--json', '--state-dir', stateDir, '--metrics-textfile', textDir, '--metrics-every', every], { HOME: home }).stdout) as typeof out).systemd.metrics!.timer.content;
      const calendar = /^OnCalendar=(.*)$/m.exec(timer)![1]!;
      const check = spawnSync('systemd-analyze', ['calendar', calendar], { encoding: 'utf8' });
      assert.equal(check.status, 0, `${calendar}: ${check.stderr}`);
    }
  }
  const bad = runCli(['schedule', '--metrics-textfile', textDir, '--metrics-every', '7m'], { HOME: home });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--metrics-every must be one of 1m, 2m, 5m, 10m, 15m/);
  assert.doesNotMatch(runCli(['schedule', '--json', '--state-dir', stateDir], { HOME: home }).stdout, / metrics --textfile/, 'no metrics unless asked');
  const missing = runCli(['schedule', '--state-dir', stateDir, '--metrics-textfile', path.join(home, 'nope')], { HOME: home });
  assert.equal(missing.status, 0);
  assert.match(missing.stderr, /nope is not a directory yet/);
});

test('schedule --install systemd --metrics-textfile writes four units; --uninstall removes them all', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg') };
  const textDir = path.join(home, 'textfile');
  mkdirSync(textDir);
  const installed = runCli(['schedule', '--install', 'systemd', '--no-enable', '--state-dir', path.join(home, 'state'), '--metrics-textfile', textDir], env);
  assert.equal(installed.status, 0, installed.stderr);
  const dir = path.join(home, 'cfg', 'systemd', 'user');
  const names = ['openclaw-sessions-prune.service', 'openclaw-sessions-prune.timer', 'openclaw-sessions-metrics.service', 'openclaw-sessions-metrics.timer'];
  for (const name of names) assert.ok(existsSync(path.join(dir, name)), name);
  assert.match(installed.stdout, /systemctl --user enable --now openclaw-sessions-metrics\.timer/);
  const removed = runCli(['schedule', '--uninstall'], { ...env, PATH: '/nonexistent' });
  assert.equal(removed.status, 0, removed.stderr);
  for (const name of names) assert.ok(!existsSync(path.join(dir, name)), `${name} removed`);
});

test('schedule --clean: a daily clean line in the cron block and a clean timer that systemd accepts; the line itself cleans', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  const stateDir = path.join(home, 'state');
  const sessions = path.join(stateDir, 'agents', 'main', 'sessions');
  mkdirSync(sessions, { recursive: true });
  writeFileSync(path.join(sessions, 'sessions.json'), JSON.stringify({ 'agent:main:main': { sessionId: 'm', updatedAt: Date.now() } }));
  const expired = path.join(sessions, 'old.jsonl.deleted.2026-01-01T00-00-00.000Z');
  writeFileSync(expired, 'x');
  const result = runCli(['schedule', '--json', '--state-dir', stateDir, '--clean', '--clean-keep', '14d'], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { cron: string; systemd: { clean: { service: { name: string; content: string }; timer: { name: string; content: string } } | null } };
  const cleanLine = out.cron.split('\n').find((l) => / clean /.test(l) && !l.startsWith('#'))!;
  assert.match(cleanLine, new RegExp(`^\\d+ 4 \\* \\* \\* ${process.execPath} ${BIN} clean --yes --quiet --keep 14d --state-dir ${stateDir}$`));
  assert.ok(out.cron.indexOf(cleanLine) < out.cron.indexOf(CRON_END), 'inside the managed block');
  assert.ok(out.systemd.clean);
  assert.equal(out.systemd.clean.service.name, 'openclaw-sessions-clean.service');
  assert.match(out.systemd.clean.service.content, /^ExecStart=.* clean --yes --quiet --keep 14d --state-dir .* --log-format json$/m);
  assert.match(out.systemd.clean.timer.content, /^OnCalendar=\*-\*-\* 04:\d\d:00$/m);
  const ran = spawnSync('sh', ['-c', cleanLine.split(' ').slice(5).join(' ')], { env: { PATH: '/usr/bin:/bin', HOME: home }, encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  assert.equal(existsSync(expired), false, 'the scheduled line removed the expired archive');
  if (hasSystemdAnalyze()) {
    const dir = tempDir();
    const units = [out.systemd.clean.service, out.systemd.clean.timer];
    for (const unit of units) writeFileSync(path.join(dir, unit.name), unit.content);
    const verify = spawnSync('systemd-analyze', ['verify', ...units.map((u) => path.join(dir, u.name))], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
  }
  assert.doesNotMatch(runCli(['schedule', '--json', '--state-dir', stateDir], { HOME: home }).stdout, / clean --yes/, 'no clean unless asked');
  const bad = runCli(['schedule', '--state-dir', stateDir, '--clean', '--clean-keep', 'soon'], { HOME: home });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--clean-keep/);
});

// Observed: on Node 20 against a real 2026.9.6 install, schedule wrote units (naming Node 20)
// whose every prune would exit 1, since Node 20 has no node:sqlite; it said nothing.
test('an install that keeps state in SQLite: schedule warns when the Node its units would run cannot read it', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  const state = path.join(home, 'state');
  mkdirSync(path.join(state, 'agents', 'main', 'agent'), { recursive: true });
  writeFileSync(path.join(state, 'agents', 'main', 'agent', 'openclaw-agent.sqlite'), 'SQLite format 3\0');
  const result = runCli(['schedule', '--state-dir', state], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /prune --yes --quiet/);
  if (loadNodeSqlite()) assert.equal(result.stderr, '', 'this Node reads SQLite: nothing to warn about');
  else assert.match(result.stderr, /^openclaw-sessions: warning: this install keeps sessions or ACP state in SQLite .*Node\.js \d+.* cannot read: .*run schedule with Node\.js 22\.13 or later\n$/);
  // A JSON-only install: no warning on any Node.
  const plain = path.join(home, 'plain');
  mkdirSync(path.join(plain, 'agents', 'main', 'sessions'), { recursive: true });
  assert.equal(runCli(['schedule', '--state-dir', plain], { HOME: home }).stderr, '');
});

/** What cron does to a crontab line's command before `sh -c` (crontab(5); Vixie cron's do_command): `\%` → `%`, an unescaped `%` ends it. */
function asCronRuns(line: string): string {
  const command = line.split(' ').slice(5).join(' ');
  let out = '';
  for (let i = 0; i < command.length; i++) {
    if (command[i] === '\\' && command[i + 1] === '%') {
      out += '%';
      i++;
    } else if (command[i] === '%') break;
    else out += command[i];
  }
  return out;
}

test('schedule: a % in a path is escaped for cron (\\%) and systemd (%%), a $ for systemd ($$), and the cron line still runs; a newline in a path is refused', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  const stateDir = path.join(home, 'state 100%d$HOME');
  mkdirSync(path.join(stateDir, 'agents', 'main', 'sessions'), { recursive: true });
  writeFileSync(path.join(stateDir, 'agents', 'main', 'sessions', 'sessions.json'), JSON.stringify({ 'agent:main:main': { sessionId: 'm', updatedAt: Date.now() } }));
  const textDir = path.join(home, 'prom%h');
  mkdirSync(textDir);
  const result = runCli(['schedule', '--json', '--state-dir', stateDir, '--metrics-textfile', textDir], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { cron: string; systemd: { service: { content: string }; metrics: { service: { content: string } } } };
  const metricsLine = out.cron.split('\n').find((l) => / metrics /.test(l) && !l.startsWith('#'))!;
  assert.ok(metricsLine.includes("/state 100\\%d$HOME'"), metricsLine);
  const ran = spawnSync('sh', ['-c', asCronRuns(metricsLine)], { env: { PATH: '/usr/bin:/bin', HOME: home }, encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  assert.ok(existsSync(path.join(textDir, 'openclaw_sessions.prom')), 'the cron line wrote the textfile into the directory named');
  assert.match(out.systemd.service.content, /--state-dir '\S+\/state 100%%d\$\$HOME'$/m);
  assert.match(out.systemd.metrics.service.content, /--textfile \S+\/prom%%h /m);

  const injected = runCli(['schedule', '--install', 'systemd', '--no-enable', '--state-dir', `${home}/x\nExecStartPost=/bin/touch ${home}/pwn`], { HOME: home });
  assert.equal(injected.status, 2, injected.stderr);
  assert.match(injected.stderr, /control character/);
  assert.equal(existsSync(path.join(home, '.config', 'systemd', 'user')), false, 'nothing written');
});

test('schedule: a backslash in a path is doubled in the systemd units (systemd unescapes inside single quotes), kept as is for cron', () => {
  // Observed: --state-dir '/tmp/h32/b\s/state' gave ExecStart=… --state-dir '/tmp/h32/b\s/state', which systemd
  // reads as "/tmp/h32/b /state" (\s is its escape for a space); systemd-analyze 252 verify warned
  // "Ignoring unknown escape sequences" for the same unit with \q.
  const home = tempDir();
  const stateDir = path.join(home, 'b\\s', "it's");
  mkdirSync(path.join(stateDir, 'agents', 'main', 'sessions'), { recursive: true });
  writeFileSync(path.join(stateDir, 'agents', 'main', 'sessions', 'sessions.json'), JSON.stringify({ 'agent:main:main': { sessionId: 'm', updatedAt: Date.now() } }));
  const result = runCli(['schedule', '--json', '--state-dir', stateDir], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { cron: string; systemd: { service: { content: string } } };
  const exec = out.systemd.service.content.split('\n').find((l) => l.startsWith('ExecStart='))!;
  assert.ok(exec.endsWith(`--state-dir '${home}/b\\\\s/it'\\''s'`), exec);
  const cronLine = out.cron.split('\n').find((l) => / prune /.test(l) && !l.startsWith('#'))!;
  assert.ok(cronLine.endsWith(`--state-dir '${home}/b\\s/it'\\''s'`), cronLine);
  // The cron line, run by sh, names the directory itself.
  const ran = spawnSync('sh', ['-c', `${asCronRuns(cronLine).replace(/ prune --yes --quiet /, ' list --no-rpc --json ')}`], { env: { PATH: '/usr/bin:/bin', HOME: home }, encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  assert.equal((JSON.parse(ran.stdout) as { stateDir: string }).stateDir, stateDir);
});

/**
 * Beside OpenClaw 2026.4.29 every live read's probe delete may block the gateway 7–28 s
 * (docs/openclaw-probe-delete.md): a metrics timer every minute is warned about, 5m is not, and
 * neither is any cadence beside a release without that install (9.6) or none on PATH.
 */
test('schedule --metrics-textfile: a cadence under 5m beside an installed OpenClaw 2026.4.29 gets a warning; the units are written as asked', () => {
  const home = tempDir();
  mkdirSync(path.join(home, 'state'), { recursive: true });
  mkdirSync(path.join(home, 'prom'));
  const withOpenclaw = (version: string): string => {
    const pkg = path.join(home, `openclaw-${version}`, 'node_modules', 'openclaw');
    mkdirSync(path.join(pkg, 'bin'), { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'openclaw', version }));
    writeFileSync(path.join(pkg, 'bin', 'openclaw.mjs'), '');
    const bin = path.join(home, `bin-${version}`);
    mkdirSync(bin);
    symlinkSync(path.join(pkg, 'bin', 'openclaw.mjs'), path.join(bin, 'openclaw'));
    return `${bin}:${process.env.PATH}`;
  };
  const args = (every: string) => ['schedule', '--state-dir', path.join(home, 'state'), '--metrics-textfile', path.join(home, 'prom'), '--metrics-every', every];
  const at429 = withOpenclaw('2026.4.29');
  const warned = runCli(args('1m'), { HOME: home, PATH: at429 });
  assert.equal(warned.status, 0, warned.stderr);
  assert.match(warned.stderr, /^openclaw-sessions: warning: metrics every 1m beside OpenClaw 2026\.4\.29: .*blocks it, all its chats, for 7-28 s; choose --metrics-every 5m or more there/m);
  assert.match(warned.stdout, /^\* \* \* \* \* .* metrics --textfile /m, 'the cadence asked for is still what is printed');
  assert.doesNotMatch(runCli(args('5m'), { HOME: home, PATH: at429 }).stderr, /metrics every/);
  assert.doesNotMatch(runCli(args('1m'), { HOME: home, PATH: withOpenclaw('2026.9.6') }).stderr, /metrics every/);
  assert.doesNotMatch(runCli(args('1m'), { HOME: home, PATH: '/nonexistent' }).stderr, /metrics every/, 'no openclaw on PATH: nothing claimed');
});

test('schedule beside a config that does not parse still prints the units, and warns that every run would fail', () => {
  // Observed: with openclaw.json '{ session: { store: "x" }' (unclosed), list/prune/metrics/clean
  // each exit 1 "is not valid JSON5", while schedule printed the units, exit 0, and no word.
  const home = tempDir();
  const stateDir = path.join(home, 'state');
  mkdirSync(path.join(stateDir, 'agents', 'main', 'sessions'), { recursive: true });
  writeFileSync(path.join(stateDir, 'openclaw.json'), '{ session: { store: "x" }');
  const result = runCli(['schedule', '--state-dir', stateDir], { HOME: home });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, / prune --yes --quiet /);
  assert.match(result.stderr, /^openclaw-sessions: warning: config \S+openclaw\.json:1:26 is not valid JSON5: .*: each scheduled run would fail \(exit 1\) until it is fixed$/m);
  writeFileSync(path.join(stateDir, 'openclaw.json'), '{ session: { store: "x" } }');
  const fine = runCli(['schedule', '--state-dir', stateDir], { HOME: home });
  assert.equal(fine.status, 0, fine.stderr);
  assert.doesNotMatch(fine.stderr, /config/);
});
