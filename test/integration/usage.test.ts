import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, runInProcess } from '../helpers/cli.js';
import { REPO } from '../helpers/golden.js';
import { tempDir } from '../helpers/tmp.js';

function assertUsageError(result: { status: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
  assert.match(result.stderr, /^openclaw-sessions: /);
  assert.match(result.stderr, pattern);
}

const cases: Array<[string, string[], RegExp]> = [
  ['prune --state with a state that is never pruned', ['prune', '--state', 'idle'], /--state idle is not a terminal state: prune takes errored, finished, closed, stale/],
  ['prune --older-than with an empty value', ['prune', '--older-than', ''], /invalid --older-than "": use a duration/],
  ['list --older-than with an empty value', ['list', '--older-than', ''], /invalid --older-than ""/],
  ['schedule --install with --uninstall', ['schedule', '--install', 'systemd', '--uninstall'], /'--install <kind>' cannot be used with option '--uninstall'/],
  ['schedule --profile with --state-dir', ['schedule', '--profile', 'a', '--state-dir', '/tmp/b'], /--profile and --state-dir both name the state directory/],
  ['schedule --older-than with an empty value', ['schedule', '--older-than', ''], /invalid --older-than ""/],
  ['restore --list with a run id', ['restore', '--list', '20261201T000000Z-abcd'], /restore --list takes no run id/],
  ['an unknown option', ['list', '--bogus'], /unknown option '--bogus'/],
  ['an unknown command', ['purge'], /unknown command 'purge'/],
  // After '--' an option is an operand: no "(Did you mean --lp?)", commander's hint for 'help' cut short.
  ['an option after --', ['--', '--help'], /^openclaw-sessions: unknown command '--help'\n$/],
  ['help of an unknown command', ['help', 'purge'], /unknown command 'purge' \(the commands: list, prune, /],
  ['a flag without its value', ['prune', '--key'], /'--key <glob>' argument missing/],
  // `--key "$KEYS"` with the variable unset matched nothing: a cron line that prunes nothing forever.
  ['prune --key with an empty glob', ['prune', '--dry-run', '--key', ''], /option '--key <glob>' argument '' is invalid\. needs a value, not an empty one/],
  ['prune --keep with an empty glob, after a good one', ['prune', '--dry-run', '--keep', 'agent:*', '--keep', ''], /option '--keep <glob>' argument '' is invalid\. needs a value, not an empty one/],
  ['an unknown --state value', ['list', '--state', 'dead'], /unknown --state value "dead"/],
  ['--json with --log-format json', ['prune', '--json', '--log-format', 'json'], /exclude each other/],
];

for (const [name, args, pattern] of cases) {
  test(`usage error (exit 2, one line): ${name}`, async () => {
    const state = tempDir('ocs-usage-');
    const withState = ['schedule', 'purge', 'help', '--'].includes(args[0]!) ? args : [args[0]!, '--state-dir', state, ...args.slice(1)];
    assertUsageError(await runInProcess(withState, { HOME: state }), pattern);
  });
}

test('the built binary reports unknown options like every other error: prefix, one line, exit 2', () => {
  assertUsageError(runCli(['prune', '--bogus']), /^openclaw-sessions: unknown option '--bogus'/);
});

// Found by an operator's paste: a path with a newline (or an escape sequence) in a flag was echoed raw
// by the error, two lines on stderr and a terminal the path could restyle.
test('the built binary: a --state-dir or --store path with control characters is quoted in one line, exit 2 / 1', () => {
  const home = tempDir('ocs-usage-nl-');
  const missing = runCli(['list', '--state-dir', `${home}/a\nb\x1b[31m`], { HOME: home });
  assertUsageError(missing, /state dir not found: .*\/a\\nb\\x1b\[31m/);
  const store = runCli(['list', '--store', `${home}/x\ny/sessions.json`], { HOME: home });
  assert.equal(store.status, 1, store.stderr);
  assert.equal(store.stderr.trimEnd().split('\n').length, 1, `one line: ${store.stderr}`);
  assert.match(store.stderr, /^openclaw-sessions: session store not found: .*\/x\\ny\/sessions\.json$/m);
});

test('the built binary: prune --key "" (an unset variable in a cron line) is a usage error, not a run that matches nothing', () => {
  const home = tempDir('ocs-usage-key-');
  assertUsageError(runCli(['prune', '--yes', '--state-dir', path.join(REPO, 'examples', 'state'), '--key', ''], { HOME: home }), /'--key <glob>' argument '' is invalid/);
  // Repeatable still collects every glob.
  const two = runCli(['prune', '--dry-run', '--json', '--state-dir', path.join(REPO, 'examples', 'state'), '--key', '*:subagent:*', '--key', '*:cron:*'], { HOME: home });
  assert.equal(two.status, 0, two.stderr);
  assert.equal((JSON.parse(two.stdout) as { pruned: unknown[] }).pruned.length, 2);
});

test('no command: the help on stdout, exit 0; every command has examples and the exit-code table in --help', async () => {
  const bare = await runInProcess([]);
  assert.equal(bare.status, 0);
  assert.match(bare.stdout, /^Usage: openclaw-sessions/);
  assert.match(bare.stdout, /\nExit codes:\n {2}0 {2}ok/);
  assert.equal(bare.stderr, '');
  // Every way of asking for the top-level help gets the same text, the built binary's too.
  for (const args of [['--help'], ['-h'], ['help'], ['--'], ['help', 'help'], ['help', 'help', 'help'], ['help', 'help', '--json']]) {
    const help = await runInProcess(args);
    assert.deepEqual([help.status, help.stdout, help.stderr], [0, bare.stdout, ''], args.join(' '));
  }
  // The built binary prints the text the build wrote (dist/bundle/help.txt) for each of them.
  for (const args of [[], ['--help'], ['-h'], ['help'], ['--'], ['help', 'help'], ['help', 'help', 'help']]) {
    const built = runCli(args);
    assert.deepEqual([built.status, built.stdout, built.stderr], [0, bare.stdout, ''], `built: ${args.join(' ')}`);
  }
  for (const command of ['list', 'prune', 'restore', 'gateway', 'doctor', 'schedule']) {
    const help = await runInProcess([command, '--help']);
    assert.equal(help.status, 0, command);
    const examples = help.stdout.split('Examples:\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
    assert.ok(examples.length >= 2 && examples.length <= 4, `${command}: ${examples.length} examples`);
    for (const line of examples) assert.match(line, /^ {2}openclaw-sessions /);
    assert.match(help.stdout, /Exit codes:\n {2}0 {2}ok/);
    assert.doesNotMatch(help.stdout, /default: \[\]/, `${command}: list-valued flags show no empty default`);
    for (const line of help.stdout.split('\n')) assert.ok(line.length <= 120, `${command}: ${line}`);
  }
});

test('without the help the build wrote, or with anything else in its place, the binary prints the same help from the bundle', () => {
  // A copy of the package (bin, bundle, package.json) with dist/bundle/help.txt replaced.
  const root = tempDir('ocs-help-copy-');
  for (const part of ['bin', path.join('dist', 'bundle'), 'package.json']) cpSync(path.join(REPO, part), path.join(root, part), { recursive: true });
  const file = path.join(root, 'dist', 'bundle', 'help.txt');
  const written = readFileSync(file, 'utf8');
  const shapes: Array<[string, () => void]> = [
    ['missing', () => {}],
    ['empty', () => writeFileSync(file, '')],
    ['cut short (no final newline)', () => writeFileSync(file, written.slice(0, 100))],
    ['not the help', () => writeFileSync(file, 'something else\n')],
    ['a directory', () => mkdirSync(file)],
    ['a FIFO (would hang a plain read)', () => execFileSync('mkfifo', [file])],
    ['a link to /dev/zero (would never end)', () => symlinkSync('/dev/zero', file)],
  ];
  for (const [shape, make] of shapes) {
    rmSync(file, { recursive: true, force: true });
    make();
    const result = spawnSync(process.execPath, [path.join(root, 'bin', 'openclaw-sessions.js'), '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 30_000 });
    assert.deepEqual([result.status, result.stdout, result.stderr], [0, written, ''], shape);
  }
});
