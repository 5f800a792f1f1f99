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

const SECTIONS: Record<string, () => string[]> = {
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
