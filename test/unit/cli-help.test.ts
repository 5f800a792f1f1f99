/**
 * The top-level help is built from a listing of the commands without their options (main.ts,
 * issue 11): it must read exactly as the help of the whole program, at any width.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram, type ProgramScope } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { COMMANDS } from '../../src/cli/options.js';

const io: CliIo = {
  env: {},
  stdout: { write: () => true, isTTY: false },
  stderr: { write: () => true },
  stdinIsTTY: false,
  ask: async () => '',
} as unknown as CliIo;

function helpAt(scope: ProgramScope, width: number): string {
  const program: Command = buildProgram(io, () => {}, scope);
  program.configureOutput({ ...program.configureOutput(), getOutHelpWidth: () => width });
  return program.helpInformation();
}

test('the top-level help from the listing is the help of the whole program, at every width', () => {
  for (const width of [40, 80, 120, 200]) {
    const whole = helpAt('all', width);
    assert.equal(helpAt('listing', width), whole, `width ${width}`);
    // The listing shows what each command takes, as the whole program does.
    for (const spec of COMMANDS) assert.match(whole, new RegExp(`^  ${spec.name} \\[options\\]`, 'm'), spec.name);
  }
  assert.match(helpAt('listing', 80), /^ {2}restore \[options\] \[run-id\] /m);
});

test('one command registered when the argv names it; the listing registers no options', () => {
  const only = buildProgram(io, () => {}, { only: 'prune' });
  assert.deepEqual(
    only.commands.map((command) => command.name()),
    ['prune'],
  );
  assert.ok(only.commands[0]!.options.length > 5);
  const listing = buildProgram(io, () => {}, 'listing');
  assert.deepEqual(
    listing.commands.map((command) => command.name()),
    COMMANDS.map((spec) => spec.name),
  );
  assert.ok(listing.commands.every((command) => command.options.length === 0));
});
