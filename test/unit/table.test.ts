import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listFitSteps } from '../../src/cli/render/list.js';
import { renderTable, type Column } from '../../src/cli/table.js';
import { decideStyle, shortenMiddle } from '../../src/cli/terminal.js';
import { displayWidth, keyCell, oneLine, shortenDistinct, shortenEnd, shortenStart, wrapCommand, wrapText } from '../../src/cli/text.js';

const tty = (columns: number) => decideStyle({ isTTY: true, columns, env: {}, colorFlag: false });
const piped = await decideStyle({ isTTY: false, columns: undefined, env: {}, colorFlag: undefined });

test('keys are shortened in the middle, keeping both ends', () => {
  assert.equal(shortenMiddle('agent:main:acp:7c9e6679-7425-40de-944b-e07fc1f90ae7', 24), 'agent:main:a…07fc1f90ae7');
  assert.equal(shortenMiddle('short', 24), 'short');
  assert.equal(shortenMiddle('agent:main:acp:7c9e6679', 24).length, 23);
});

test('display width: wide characters take two cells, combining marks none; shortening never splits them', () => {
  assert.equal(displayWidth('模型服务'), 8);
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(displayWidth(shortenMiddle('模型服务不可用模型服务不可用', 9)), 9 - 0);
  assert.ok(displayWidth(shortenMiddle('模型服务不可用模型服务不可用', 10)) <= 10);
});

test('untrusted text is one line and cannot drive the terminal', () => {
  assert.equal(oneLine('a\nb\tc\x1b[31md\u202e'), 'a\\nb c\\x1b[31md\\u202e');
});

test('a cut never splits an escape oneLine wrote: it is kept whole or left out, so what is shown still names a character', () => {
  const reason = oneLine('failed: \x1b[31mred\x1b[0m and more words after it');
  for (let width = 5; width < displayWidth(reason); width++) {
    for (const shown of [shortenEnd(reason, width), shortenMiddle(reason, width), shortenStart(reason, width)]) {
      assert.ok(displayWidth(shown) <= width, `${shown} fits ${width}`);
      assert.doesNotMatch(shown.replace(/\\x1b/g, ''), /\\/, `${shown} (width ${width}) splits an escape`);
    }
  }
  assert.equal(shortenEnd(reason, 10), 'failed: …');
  assert.equal(shortenEnd(reason, 13), 'failed: \\x1b…');
});

test('a key with spaces at its ends shows them as \\x20: neither mistaken for the trimmed key nor shifting its row', () => {
  assert.equal(keyCell(' agent:main:x  '), '\\x20agent:main:x\\x20\\x20');
  assert.equal(keyCell('agent:main:a b'), 'agent:main:a b');
});

test('shortened store paths stay distinct', () => {
  const a = '/home/ops/.openclaw/agents/main/sessions/sessions.json';
  const b = '/home/ops/.openclaw/agents/coder/sessions/sessions.json';
  for (const max of [12, 16, 20, 30]) {
    const shown = shortenDistinct([a, b], max, shortenStart);
    assert.notEqual(shown.get(a), shown.get(b), `at ${max}`);
    assert.ok(displayWidth(shown.get(a)!) <= max && displayWidth(shown.get(b)!) <= max);
  }
});

test('a table fits its width through the fit steps, least useful first; pipes never shorten', async () => {
  const key = `agent:main:acp:${'x'.repeat(80)}`;
  const reason = `last turn failed: ${'y'.repeat(100)}`;
  const columns: Column[] = [
    { header: 'AGENT', shrink: 'end' },
    { header: 'KEY', shrink: 'middle' },
    { header: 'KIND' },
    { header: 'STATE' },
    { header: 'AGE' },
    { header: 'ACP', shrink: 'end' },
    { header: 'SLOT' },
    { header: 'REASON', shrink: 'end' },
  ];
  const rows = [[{ text: 'main' }, { text: key }, { text: 'acp' }, { text: 'errored' }, { text: '1h ago' }, { text: 'acpx/codex persistent' }, { text: 'yes' }, { text: reason }]];
  for (const width of [60, 80, 120, 200]) {
    const out = renderTable(columns, rows, await tty(width), { steps: listFitSteps(true) });
    assert.ok(out.split('\n').every((line) => displayWidth(line) <= width), `${width}:\n${out}`);
    assert.equal(out.split('\n').length, 2, 'one line per row');
  }
  // At 80 the ACP detail and the columns the key repeats give way before the reason does.
  const at80 = renderTable(columns, rows, await tty(80), { steps: listFitSteps(true) });
  assert.doesNotMatch(at80, /ACP|AGENT|KIND/);
  assert.match(at80, /last turn failed: y{5}/);
  // At 200 the ACP column is whole.
  assert.match(renderTable(columns, rows, await tty(200), { steps: listFitSteps(true) }), /acpx\/codex persistent/);
  const whole = renderTable(columns, rows, piped, { steps: listFitSteps(true) });
  assert.ok(whole.includes(key) && whole.includes(reason));
  assert.equal((await decideStyle({ isTTY: false, columns: undefined, env: { COLUMNS: '50' }, colorFlag: undefined })).width, 50);
});

test('--wide keeps every value whole: the table when it fits, else one record per row', async () => {
  const key = `agent:main:acp:${'x'.repeat(80)}`;
  const columns: Column[] = [{ header: 'KEY', shrink: 'middle' }, { header: 'STATE' }, { header: 'REASON', shrink: 'end' }];
  const rows = [[{ text: key }, { text: 'errored' }, { text: 'a b c' }]];
  const narrow = renderTable(columns, rows, await tty(60), { wide: true });
  assert.ok(narrow.split('\n').every((line) => displayWidth(line) <= 60), narrow);
  assert.ok(narrow.replace(/\s/g, '').includes(key));
  assert.match(narrow, /state errored {2}reason a b c/);
  assert.match(renderTable(columns, rows, await tty(200), { wide: true }), /^KEY +STATE +REASON$/m);
});

test('wrapping: prose at spaces, commands between arguments with a continuation backslash', () => {
  assert.deepEqual(wrapText('one two three four', 9), ['one two', 'three', 'four']);
  const lines = wrapCommand(['openclaw-sessions', 'prune', '--dry-run', '--state-dir', "'/srv/my state'"], 30, '  ');
  assert.ok(lines.slice(0, -1).every((line) => line.endsWith(' \\')));
  assert.ok(lines.every((line) => displayWidth(line) <= 30), lines.join('\n'));
  assert.ok(lines.some((line) => line.includes("'/srv/my state'")), 'a quoted argument is never split');
});

test('colour: chalk’s escapes when asked, the text unchanged otherwise (then chalk is never loaded)', async () => {
  const coloured = await decideStyle({ isTTY: false, columns: undefined, env: {}, colorFlag: true });
  assert.equal(coloured.paint.red('PROBLEM'), '\u001b[31mPROBLEM\u001b[39m');
  for (const style of [piped, await decideStyle({ isTTY: true, columns: 80, env: { NO_COLOR: '1' }, colorFlag: undefined }), await decideStyle({ isTTY: true, columns: 80, env: {}, colorFlag: false })]) {
    assert.equal(style.color, false);
    assert.equal(style.paint.red('PROBLEM'), 'PROBLEM');
  }
  assert.equal((await decideStyle({ isTTY: true, columns: 80, env: {}, colorFlag: undefined })).paint.green('ok'), '\u001b[32mok\u001b[39m');
});

test('a row with control characters or wide text is made one line and measured cell by cell; plain rows beside it as they are', () => {
  const columns: Column[] = [{ header: 'A' }, { header: 'B' }, { header: 'C' }];
  const rows = [
    [{ text: 'a\nb' }, { text: '漢字x' }, { text: 'end' }],
    [{ text: 'plain' }, { text: 'y' }, { text: 'end' }],
    [{ text: 'p' }, { text: 'q\x1b[31m' }, { text: 'end' }],
  ];
  assert.equal(renderTable(columns, rows, piped), ['A      B          C', 'a\\nb   漢字x      end', 'plain  y          end', 'p      q\\x1b[31m  end'].join('\n'));
});
