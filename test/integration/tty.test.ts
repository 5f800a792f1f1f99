import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { BIN } from '../helpers/cli.js';
import { everyState } from '../helpers/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

const PTY = fileURLToPath(new URL('../../../test/helpers/pty-run.py', import.meta.url));

function onTerminal(answer: string, args: string[], env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync('python3', [PTY, answer, '[y/N]', '--', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TERM: 'xterm', COLUMNS: '160', ...env },
    timeout: 60_000,
  });
  return { status: result.status, output: result.stdout };
}

/** A state dir whose main store holds one session of every state (helpers/stores.ts). */
function installWithEveryState(): { state: string; store: string } {
  const state = path.join(tempDir(), 'state');
  return { state, store: writeFile(storePath(state, 'main'), everyState('main')) };
}

test('on a terminal: the plan is shown as a coloured table and [y/N] asked; "n" changes nothing, "y" prunes', () => {
  const { state, store } = installWithEveryState();
  const before = readFileSync(store);
  const no = onTerminal('n', ['prune', '--state-dir', state], { HOME: state });
  assert.equal(no.status, 0, no.output);
  assert.match(no.output, /^AGENT {2}KEY +STATE +AGE +SLOT +REASON\r?$/m, 'a borderless table, kubectl style');
  assert.doesNotMatch(no.output, /[┌│─]/);
  assert.match(no.output, /\x1b\[31merrored/, 'coloured state');
  assert.match(no.output, /will prune 5 of 9 sessions, from 1 store; 2 of them hold ACP slots on disk/);
  assert.match(no.output, /Prune these sessions\? \[y\/N\]/);
  assert.match(no.output, /Cancelled; nothing was changed\./);
  assert.deepEqual(readFileSync(store), before);

  const yes = onTerminal('y', ['prune', '--state-dir', state], { HOME: state });
  assert.equal(yes.status, 0, yes.output);
  assert.match(yes.output, /Pruned 5 sessions from 1 store \(2 of them held ACP slots on disk; no gateway is running/);
  assert.equal(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object).length, 4);
});

test('on a terminal: Ctrl-C at [y/N] is an interrupt (exit 130, nothing changed); Ctrl-D a "no" (exit 0)', () => {
  const { state, store } = installWithEveryState();
  const before = readFileSync(store);
  const interrupted = onTerminal('^C', ['prune', '--state-dir', state], { HOME: state });
  assert.equal(interrupted.status, 130, interrupted.output);
  assert.match(interrupted.output, /interrupted at the prompt \(Ctrl-C\); nothing was changed/);
  assert.doesNotMatch(interrupted.output, /Cancelled/);
  // An interrupt at the prompt is a cancel: only a run that may have changed something is recorded for metrics.
  assert.equal(existsSync(path.join(state, 'openclaw-sessions', 'last-prune.json')), false);
  const eof = onTerminal('^D', ['prune', '--state-dir', state], { HOME: state });
  assert.equal(eof.status, 0, eof.output);
  assert.match(eof.output, /Cancelled; nothing was changed\./);
  assert.deepEqual(readFileSync(store), before);
  assert.deepEqual(readdirSync(path.dirname(store)).sort(), ['sessions.json'], 'no lock, journal or temp file left behind');
});

// Seen at the prune prompt: a SIGTERM there ended the run with no line of the tool's own.
test('on a terminal: SIGTERM at [y/N] is one line, exit 143, nothing changed', () => {
  const { state, store } = installWithEveryState();
  const before = readFileSync(store);
  const terminated = onTerminal('TERM', ['prune', '--state-dir', state], { HOME: state });
  assert.equal(terminated.status, 143, terminated.output);
  assert.match(terminated.output, /\nopenclaw-sessions: interrupted at the prompt \(SIGTERM\); nothing was changed\r?\n$/);
  assert.deepEqual(readFileSync(store), before);
  assert.deepEqual(readdirSync(path.dirname(store)).sort(), ['sessions.json'], 'no lock, journal or temp file left behind');
});

test('gateway on a narrow terminal: every line fits, a long value continues under itself', () => {
  const { state } = installWithEveryState();
  const out = onTerminal('n', ['gateway', '--state-dir', state], { HOME: state, COLUMNS: '50', OPENCLAW_GATEWAY_PORT: '1' });
  assert.equal(out.status, 0, out.output);
  const lines = out.output.split(/\r?\n/).filter(Boolean);
  for (const line of lines) assert.ok(line.length <= 50, `wider than 50: ${line}`);
  assert.match(out.output, /^Gateway: {5}not running \(nothing answers on port\r?\n {13}1, no verified lock\)/m);
  assert.ok(lines.some((line) => /^ {13}\S/.test(line)), `no continuation under a value:\n${out.output}`);
  assert.ok(lines.some((line) => /^ {11}\S/.test(line)), `no continuation under a recompute method:\n${out.output}`);
});

test('on a terminal with NO_COLOR: no colour, the same columns', () => {
  const { state } = installWithEveryState();
  const out = onTerminal('n', ['list', '--state-dir', state], { HOME: state, NO_COLOR: '1' });
  assert.equal(out.status, 0);
  assert.doesNotMatch(out.output, /\x1b\[/);
  assert.match(out.output, /^AGENT {2}KEY +KIND +STATE/m);
  assert.match(out.output, /agent:main:acp:errored/);
});

/** The top-level help as the CLI prints it in this process to a terminal `columns` wide. */
async function helpInProcess(columns: number): Promise<string> {
  let text = '';
  const io = { env: {}, stdout: { write: (chunk: string) => (text += chunk), isTTY: true, columns }, stderr: { write: () => true }, stdinIsTTY: false, ask: async () => '' };
  assert.equal(await run(['node', BIN, '--help'], io), 0);
  return text;
}

test('the top-level help on a terminal: laid out for 80 columns on any terminal that wide or wider, as in a pipe; a narrower one gets its own layout', async () => {
  const piped = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.equal(piped.status, 0, piped.stderr);
  const lines = (output: string): string[] => output.replace(/\r\n/g, '\n').trimEnd().split('\n');
  for (const columns of ['80', '200']) {
    const wide = onTerminal('', ['--help'], { COLUMNS: columns });
    assert.equal(wide.status, 0, wide.output);
    assert.deepEqual(lines(wide.output), lines(piped.stdout), `${columns} columns`);
  }
  // Narrower: the bin leaves it to the CLI, which lays it out for the terminal: every line fits.
  const narrow = onTerminal('', ['--help'], { COLUMNS: '60' });
  assert.equal(narrow.status, 0, narrow.output);
  for (const line of lines(narrow.output)) assert.ok(line.length <= 60, `wider than 60 columns: ${line}`);
  const expected = await helpInProcess(60);
  assert.notDeepEqual(lines(expected), lines(piped.stdout));
  assert.deepEqual(lines(narrow.output), lines(expected));
  // The CLI's own rule is the bin's: on a wide terminal it too lays the help out for 80 columns.
  assert.equal(await helpInProcess(200), piped.stdout);
});

test('prune and list on a 60-column terminal: every line fits, prose wrapped at words (helper-22: "…through the gatew|ay" cut by the terminal)', () => {
  const { state } = installWithEveryState();
  for (const args of [['prune', '--older-than', '0'], ['list', '--no-rpc', '--older-than', '0'], ['prune', '--dry-run', '--older-than', '0']]) {
    const out = onTerminal('n', [...args, '--state-dir', state], { HOME: state, COLUMNS: '60', OPENCLAW_GATEWAY_PORT: '1' });
    assert.equal(out.status, 0, out.output);
    const lines = out.output.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/).filter(Boolean);
    for (const line of lines) assert.ok(line.length <= 60, `${args.join(' ')}: wider than 60 (${line.length}): ${line}`);
  }
});

// Seen by helper-31 on a 40-column terminal: `prune --help` left its flag descriptions unwrapped
// (commander wraps only when 20 cells remain beside the flags, which take 33), and the terminal
// cut every one of them mid-word.
test('a command\'s help on a terminal too narrow for two columns: each description goes under its flag, wrapped, and no line is wider than the terminal', () => {
  for (const command of ['prune', 'list', 'schedule']) {
    const out = onTerminal('', [command, '--help'], { COLUMNS: '40' });
    assert.equal(out.status, 0, out.output);
    const lines = out.output.split(/\r?\n/);
    // The usage line is commander's, one unbreakable `openclaw-sessions schedule [options]` (43).
    for (const line of lines.slice(1)) assert.ok(line.length <= 40, `${command}: wider than 40 columns: ${line}`);
    assert.match(lines[0]!, new RegExp(`^Usage: openclaw-sessions ${command} `));
    const flag = lines.findIndex((line) => /^ {2}--older-than <dur>$/.test(line));
    assert.ok(flag > 0, `${command}: --older-than on a line of its own:\n${out.output}`);
    assert.match(lines[flag + 1]!, /^ {6}\S/, `${command}: its description under it`);
  }
  // Wide enough for two columns: as before.
  const wide = onTerminal('', ['prune', '--help'], { COLUMNS: '60' });
  assert.match(wide.output, /\n {2}--older-than <dur> +grace period/);
});
