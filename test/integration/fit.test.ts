/**
 * Tables that fit, on a real pseudo-terminal at 80 and 200 columns: no line of list, list --wide,
 * the prune plan, restore --list or doctor is wider than the terminal; --wide and pipes keep
 * every value whole; colour only on states; NO_COLOR and --no-color give the same layout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { displayWidth } from '../../src/cli/text.js';
import { BIN, runCli } from '../helpers/cli.js';
import { REPO } from '../helpers/golden.js';
import { LONG_KEY, messyInstall, MULTILINE_ERROR } from '../helpers/messy.js';
import { tempDir } from '../helpers/tmp.js';

const PTY = fileURLToPath(new URL('../../../test/helpers/pty-run.py', import.meta.url));
const ANSI = /\x1b\[[0-9;]*m/g;

function onTerminal(columns: number, args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const result = spawnSync('python3', [PTY, 'n', '[y/N]', '--', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TERM: 'xterm', COLUMNS: String(columns), HOME: '/nonexistent', ...env },
    timeout: 60_000,
  });
  // The terminal turns \n into \r\n.
  return { status: result.status, output: result.stdout.replaceAll('\r\n', '\n') };
}

function assertFits(output: string, columns: number, what: string): void {
  const lines = output.replace(ANSI, '').split('\n');
  for (const line of lines) assert.ok(displayWidth(line) <= columns, `${what} at ${columns}: ${displayWidth(line)} cells: ${JSON.stringify(line)}\n${output}`);
}

function installs(): Array<{ name: string; state: string }> {
  const example = path.join(tempDir(), 'state');
  cpSync(path.join(REPO, 'examples', 'state'), example, { recursive: true });
  const messy = messyInstall(tempDir());
  for (const state of [example, messy]) {
    // a journal for restore --list: prune the terminal sessions, through the binary
    const pruned = runCli(['prune', '--yes', '--state-dir', state]);
    assert.equal(pruned.status, 0, pruned.stderr);
    // and sessions to show again: restore it
    assert.equal(runCli(['restore', '--yes', '--state-dir', state]).status, 0);
  }
  return [
    { name: 'example', state: example },
    { name: 'messy', state: messy },
  ];
}

test('no line of list, list --wide, the prune plan, restore --list or doctor is wider than the terminal (80 and 200 columns)', () => {
  for (const { name, state } of installs()) {
    for (const columns of [80, 200]) {
      for (const args of [['list'], ['list', '--wide'], ['prune', '--dry-run'], ['prune'], ['restore', '--list'], ['doctor', '--no-rpc']]) {
        const { status, output } = onTerminal(columns, [...args, '--state-dir', state]);
        assert.ok(status === 0 || (args[0] === 'doctor' && status === 6), `${name} ${args.join(' ')}: exit ${status}\n${output}`);
        assert.ok(output.trim().length > 0);
        assertFits(output, columns, `${name}: ${args.join(' ')}`);
      }
    }
  }
});

test('at 80 columns the list is one line per session, the error text readable and not dimmed; colour only on the state', () => {
  const [, messy] = installs();
  const { output } = onTerminal(80, ['list', '--state-dir', messy!.state]);
  const lines = output.split('\n');
  const header = lines.findIndex((line) => line.startsWith('KEY') || line.startsWith('AGENT'));
  assert.ok(header >= 0, output);
  const rows = lines.slice(header + 1, lines.indexOf('', header));
  assert.equal(rows.length, 7, output);
  assert.ok(rows.every((row) => !/\x1b\[2m/.test(row)), 'nothing dimmed');
  // Colour only around the state word.
  for (const row of rows) for (const painted of row.match(/\x1b\[\d+m[^\x1b]*\x1b\[\d+m/g) ?? []) assert.match(painted.replace(ANSI, ''), /^(running|idle|errored|finished|closed|stale|invalid)$/);
  // The escape sequence and the newline read from the store are shown, not obeyed.
  const wide = onTerminal(200, ['list', '--state-dir', messy!.state]).output;
  assert.doesNotMatch(wide.replace(ANSI, ''), /\x1b/);
  assert.match(wide, /turn failed: \\x1b\[31mred/);
  assert.match(runCli(['list', '--state-dir', messy!.state]).stdout, /code 137 at runTurn/, 'the newline folded: one line per session');
});

test('--wide on a terminal shows every key and reason whole; piped output is whole and unshortened', () => {
  const [, messy] = installs();
  const squash = (text: string): string => text.replace(ANSI, '').replace(/\s+/g, '');
  for (const columns of [80, 200]) {
    const { output } = onTerminal(columns, ['list', '--wide', '--state-dir', messy!.state]);
    assert.ok(squash(output).includes(LONG_KEY), `key whole at ${columns}`);
    assert.ok(squash(output).includes(squash(MULTILINE_ERROR)), `error whole at ${columns}`);
    assert.ok(squash(output).includes(squash(`${'a very long error message that goes on '.repeat(6)}end`)), `long error whole at ${columns}`);
  }
  const piped = runCli(['list', '--state-dir', messy!.state]);
  assert.equal(piped.status, 0);
  assert.ok(piped.stdout.includes(LONG_KEY));
  // the reason as the classifier words it (whitespace folded), whole
  assert.ok(piped.stdout.includes(MULTILINE_ERROR.replace(/\s+/g, ' ')));
  // (the one "…" is the classifier's own: a reason quotes at most 200 characters of an error)
  assert.doesNotMatch(piped.stdout.replace('goes on a ve…', ''), /…|\x1b/);
  // one line per session, piped too
  assert.equal(piped.stdout.split('\n').filter((line) => line.startsWith('agent:') || / agent:/.test(line)).length, 7);
});

test('NO_COLOR and --no-color print the same layout, which is the coloured one without colour', () => {
  const [example] = installs();
  for (const args of [['list'], ['prune', '--dry-run'], ['doctor', '--no-rpc']]) {
    const coloured = onTerminal(120, [...args, '--state-dir', example!.state]).output;
    const noColorEnv = onTerminal(120, [...args, '--state-dir', example!.state], { NO_COLOR: '1' }).output;
    const noColorFlag = onTerminal(120, [...args, '--no-color', '--state-dir', example!.state]).output;
    assert.match(coloured, /\x1b\[/, 'coloured on a terminal');
    assert.equal(noColorEnv, noColorFlag, args.join(' '));
    assert.equal(coloured.replace(ANSI, ''), noColorEnv, args.join(' '));
  }
});

test('restore --list keeps two stores apart however narrow the terminal', () => {
  const [example] = installs();
  for (const columns of [60, 80]) {
    const { output } = onTerminal(columns, ['restore', '--list', '--state-dir', example!.state]);
    const stores = output.split('\n').slice(1).filter(Boolean).map((line) => line.trim().split(/\s+/).at(-1));
    assert.equal(stores.length, 2, output);
    assert.notEqual(stores[0], stores[1], output);
  }
});

test('doctor at 80 columns breaks no word: every word of every finding appears whole', () => {
  const [, messy] = installs();
  const json = JSON.parse(runCli(['doctor', '--json', '--no-rpc', '--state-dir', messy!.state]).stdout) as { findings: Array<{ message: string; fix: string | null }> };
  const { output } = onTerminal(80, ['doctor', '--no-rpc', '--state-dir', messy!.state]);
  // A path longer than the line may only be broken after a '/' (never inside a name).
  const words = new Set(output.replace(ANSI, '').replace(/\/\r?\n\s+/g, '/').split(/\s+/));
  for (const finding of json.findings) {
    for (const word of `${finding.message} ${finding.fix ?? ''}`.split(/\s+/).filter(Boolean)) {
      assert.ok(words.has(word) || words.has(`${word};`) || output.includes(word), `"${word}" broken in:\n${output}`);
    }
  }
});
