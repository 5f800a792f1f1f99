import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable } from '../../src/cli/table.js';
import { decideStyle, shortenMiddle } from '../../src/cli/terminal.js';

test('keys are shortened in the middle, keeping both ends', () => {
  assert.equal(shortenMiddle('agent:main:acp:7c9e6679-7425-40de-944b-e07fc1f90ae7', 24), 'agent:main:a…07fc1f90ae7');
  assert.equal(shortenMiddle('short', 24), 'short');
  assert.equal(shortenMiddle('agent:main:acp:7c9e6679', 24).length, 23);
});

test('a terminal table fits its width by shortening keys; --wide keeps them whole; pipes never shorten', () => {
  const key = `agent:main:acp:${'x'.repeat(80)}`;
  const columns = [{ header: 'KEY', shrink: 'middle' as const, minWidth: 24, wideKeepsWhole: true }, { header: 'STATE' }];
  const rows = [[{ text: key }, { text: 'errored' }]];
  const tty = decideStyle({ isTTY: true, columns: 60, env: { NO_COLOR: '1' }, colorFlag: false });
  const narrow = renderTable(columns, rows, tty);
  assert.ok(narrow.split('\n').every((line) => line.length <= 60), narrow);
  assert.match(narrow, /agent:main:acp:x+…x+/);
  assert.ok(renderTable(columns, rows, tty, { wide: true }).includes(key));
  const piped = decideStyle({ isTTY: false, columns: undefined, env: {}, colorFlag: undefined });
  assert.ok(renderTable(columns, rows, piped).includes(key));
  assert.equal(piped.color, false);
  assert.equal(decideStyle({ isTTY: false, columns: undefined, env: { COLUMNS: '50' }, colorFlag: undefined }).width, 50);
});
