import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError, EXIT, EXIT_CODE_TABLE, errorLine, exitCodeOf } from '../../src/cli/exit-codes.js';
import { InvalidValueError, ToolError, type FailureKind } from '../../src/errors.js';

test('each domain failure kind ends the run with its documented exit code', () => {
  const expected: Record<FailureKind, number> = { failed: 1, usage: 2, 'lock-busy': 3, unsafe: 4, 'not-recomputed': 5 };
  for (const [kind, code] of Object.entries(expected)) {
    assert.equal(exitCodeOf(new ToolError(kind as FailureKind, 'x')), code, kind);
    assert.ok(EXIT_CODE_TABLE.some((row) => row.code === code), `exit ${code} is in the table`);
  }
  assert.equal(exitCodeOf(new CliError(EXIT.problemsFound, 'x')), 6);
  assert.equal(exitCodeOf(new InvalidValueError('x', 'y')), EXIT.usage);
  assert.equal(exitCodeOf(new Error('boom')), EXIT.error);
});

test('domain messages name no flag; the CLI adds the flag the operator can change', () => {
  const busy = new ToolError('lock-busy', 'store lock /s.lock is held by pid 1 (waited 10.0s); the gateway is writing this store — try again', { input: 'lockTimeout' });
  assert.doesNotMatch(busy.message, /--/);
  assert.equal(errorLine(busy), `${busy.message} — or raise --lock-timeout`);
  assert.match(errorLine(new ToolError('failed', 'config file not found: /x', { input: 'configPath' })), /\/x \(from --config\)$/);
  assert.equal(errorLine(new ToolError('failed', 'plain')), 'plain');
  assert.equal(errorLine(Object.assign(new Error('first\nsecond'), { code: 'EIO' })), 'unexpected error: EIO: first');
});
