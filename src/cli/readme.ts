/**
 * The README sections generated from the option and exit-code tables (`npm run docs` writes them
 * between `<!-- generated:NAME -->` markers; test/unit/readme.test.ts fails when they drift).
 */
import { EXIT_CODE_TABLE } from './exit-codes.js';
import { COMMANDS, OPTIONS, type OptionSpec } from './options.js';

const STORE_FLAG_COMMANDS = ['list', 'prune', 'restore', 'gateway', 'doctor'] as const;

function isStoreFlag(option: OptionSpec): boolean {
  return STORE_FLAG_COMMANDS.every((command) => option.commands.includes(command));
}

/** `-y, --yes` → `` `-y`, `--yes` ``; `--older-than <dur>` → `` `--older-than DUR` ``. */
function flagCell(option: OptionSpec): string {
  return option.flags
    .split(', ')
    .map((part) => `\`${part.replace(/<([^>]+)>/, (_, name: string) => name.toUpperCase())}\``)
    .join(', ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function meaning(option: OptionSpec): string {
  const text = option.doc ?? option.help;
  const extra = [option.repeatable ? 'repeatable' : null, option.default !== undefined ? `default \`${option.default}\`` : null].filter(Boolean);
  return cell(extra.length ? `${text} (${extra.join('; ')})` : text);
}

function table(rows: OptionSpec[]): string[] {
  return ['| flag | meaning |', '|---|---|', ...rows.map((option) => `| ${flagCell(option)} | ${meaning(option)} |`)];
}

/** `--older-than <dur>` → `[--older-than DUR]`; `-y, --yes` → `[--yes]`; repeatable ones get `…`. */
function synopsisFlag(option: OptionSpec): string {
  const long = option.flags.split(', ').at(-1)!;
  const text = long.replace(/<([^>]+)>/, (_, name: string) => name.toUpperCase());
  return `[${text}]${option.repeatable ? '…' : ''}`;
}

/** One usage line per command, wrapped at 110 columns under its first flag. */
function synopsis(): string[] {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = ['```'];
  for (const command of COMMANDS) {
    const head = `openclaw-sessions ${command.name.padEnd(width)} `;
    const seen = new Set<string>();
    const words = [...(command.args ?? []).map((arg) => arg.spec.toUpperCase().replace(/-/g, '_'))];
    if (command.name !== 'schedule') words.push('[store flags]');
    for (const option of OPTIONS) {
      if (!option.commands.includes(command.name) || (command.name !== 'schedule' && isStoreFlag(option))) continue;
      const word = synopsisFlag(option);
      if (!seen.has(word)) words.push(word);
      seen.add(word);
    }
    let line = head;
    for (const word of words) {
      if (line.length + word.length > 110 && line.trim() !== head.trim()) {
        lines.push(line.trimEnd());
        line = ' '.repeat(head.length);
      }
      line += `${word} `;
    }
    lines.push(line.trimEnd());
  }
  return [...lines, '```'];
}

const SECTIONS: Record<string, () => string[]> = {
  synopsis,
  'store-flags': () => table(OPTIONS.filter(isStoreFlag)),
  'command-flags': () =>
    COMMANDS.flatMap((command) => {
      const own = OPTIONS.filter((option) => option.commands.includes(command.name) && !isStoreFlag(option));
      return own.length === 0 ? [] : ['', `**\`${command.name}\`**`, '', ...table(own)];
    }).slice(1),
  'exit-codes': () => ['| code | name | meaning |', '|---|---|---|', ...EXIT_CODE_TABLE.map((row) => `| ${row.code} | ${row.name} | ${cell(row.meaning)} |`)],
};

/** The README with every generated section rewritten from the tables; other text untouched. */
export function updateReadme(text: string): string {
  let out = text;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} (npm run docs) -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from === -1 || to < from) throw new Error(`README has no ${start} … ${end} block`);
    out = `${out.slice(0, from + start.length)}\n${render().join('\n')}\n${out.slice(to)}`;
  }
  return out;
}
