/**
 * The command line: commander is built from the one table of commands and flags (options.ts);
 * each command lives in commands/<name>.ts and is loaded only when run (so `--help` and
 * `--version` stay fast). Every failure, commander's own included, ends as one line on stderr
 * prefixed `openclaw-sessions:` and an exit code from the table in exit-codes.ts.
 */
import { Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import type { CleanFlags } from './commands/clean.js';
import type { DoctorFlags } from './commands/doctor.js';
import type { GatewayFlags } from './commands/gateway.js';
import type { ListFlags } from './commands/list.js';
import type { MetricsFlags } from './commands/metrics.js';
import type { PruneFlags } from './commands/prune.js';
import type { RestoreFlags } from './commands/restore.js';
import type { ScheduleFlags } from './commands/schedule.js';
import { EXIT, EXIT_CODE_TABLE, errorLine, exitCodeOf } from './exit-codes.js';
import { wrapCommand } from './text.js';
import { processIo, stdoutFailure, type CliIo } from './io.js';
import { COMMANDS, optionsOf, type CommandName, type CommandSpec, type OptionSpec } from './options.js';
import { toolVersion } from './version.js';
import { ToolError } from '../errors.js';

type Runner = (args: unknown[], io: CliIo) => Promise<number>;

/** Each command's module, loaded on first use; args are commander's (positionals…, flags). */
const RUNNERS: Record<CommandName, Runner> = {
  list: async ([flags], io) => (await import('./commands/list.js')).runList(flags as ListFlags, io),
  prune: async ([flags], io) => (await import('./commands/prune.js')).runPrune(flags as PruneFlags, io),
  restore: async ([runId, flags], io) => (await import('./commands/restore.js')).runRestore(runId as string | undefined, flags as RestoreFlags, io),
  clean: async ([flags], io) => (await import('./commands/clean.js')).runClean(flags as CleanFlags, io),
  gateway: async ([flags], io) => (await import('./commands/gateway.js')).runGateway(flags as GatewayFlags, io),
  doctor: async ([flags], io) => (await import('./commands/doctor.js')).runDoctor(flags as DoctorFlags, io),
  metrics: async ([flags], io) => (await import('./commands/metrics.js')).runMetrics(flags as MetricsFlags, io),
  schedule: async ([flags], io) => (await import('./commands/schedule.js')).runSchedule(flags as ScheduleFlags, io),
};

/** The exit-code table as `--help` prints it: code, name, meaning, aligned. */
export function exitCodeHelp(columns = 80): string {
  const width = Math.max(...EXIT_CODE_TABLE.map((row) => row.name.length));
  const indent = 2 + 1 + 2 + width + 2;
  const lines = ['Exit codes:'];
  for (const row of EXIT_CODE_TABLE) {
    // At least 16 cells of meaning: a 40-column terminal has 20 beside the code and name.
    const [first, ...rest] = wrap(row.meaning, Math.max(16, columns - indent));
    lines.push(`  ${row.code}  ${row.name.padEnd(width)}  ${first}`, ...rest.map((line) => `${' '.repeat(indent)}${line}`));
  }
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.repeatable ? `${spec.help} (repeatable)` : spec.help);
  // One parser per option (commander keeps the last): a repeatable non-empty flag checks, then collects.
  if (spec.repeatable) option.argParser(spec.nonEmpty ? (value: string, previous: string[] | undefined) => collect(nonEmptyValue(value), previous) : collect);
  else if (spec.nonEmpty) option.argParser(nonEmptyValue);
  if (spec.default !== undefined) option.default(spec.default, spec.default);
  if (spec.conflicts) option.conflicts([...spec.conflicts]);
  return option;
}

function nonEmptyValue(value: string): string {
  if (value === '') throw new InvalidArgumentError('needs a value, not an empty one');
  return value;
}

function addCommand(program: Command, spec: CommandSpec, io: CliIo, setExit: (code: number) => void, exitCodes: string): void {
  const command = program.command(spec.name).description(spec.description);
  for (const arg of spec.args ?? []) command.argument(arg.spec, arg.help);
  for (const option of optionsOf(spec.name)) command.addOption(toOption(option));
  command.addHelpText('after', `\nExamples:\n${exampleLines(spec.examples, helpWidth(io.stdout)).join('\n')}\n\n${exitCodes}`);
  command.action(async (...args: unknown[]) => {
    // commander passes (positionals…, flags, command): drop the command object.
    assertRequiredFlags(command, optionsOf(spec.name));
    setExit(await RUNNERS[spec.name](args.slice(0, -1), io));
  });
}

/** A flag given on the command line without the flag it `requires` (options.ts): a usage error. */
function assertRequiredFlags(command: Command, specs: readonly OptionSpec[]): void {
  for (const spec of specs) {
    if (!spec.requires) continue;
    const given = command.getOptionValueSource(new Option(spec.flags).attributeName()) === 'cli';
    // `--install systemd`: that flag with that value.
    const [flag, value] = spec.requires.split(' ') as [string, string | undefined];
    const required = new Option(flag).attributeName();
    const present = command.getOptionValueSource(required) === 'cli' && (value === undefined || command.getOptionValue(required) === value);
    if (given && !present) {
      throw new ToolError('usage', `${new Option(spec.flags).long} only works with ${spec.requires}; nothing was done`);
    }
  }
}

/**
 * A command's line in the top-level help (`list [options]`, `restore [options] [run-id]`), as
 * commander's Help.subcommandTerm writes it for the whole command, from the table: the listing
 * registers no options (see buildProgram). test/unit/cli-help.test.ts holds the two to the same text.
 */
function listingTerm(this: Help, command: Command): string {
  const spec = COMMANDS.find((candidate) => candidate.name === command.name());
  // commander's own `help [command]`.
  if (!spec) return Help.prototype.subcommandTerm.call(this, command);
  const name = spec.name;
  return [`${name}${optionsOf(spec.name).length > 0 ? ' [options]' : ''}`, ...(spec.args ?? []).map((arg) => arg.spec)].join(' ');
}

/**
 * What a run registers with commander: `only` one command (the argv names it, so the others could
 * not run; building every command's options is a tenth of a start-up, issue 11), `all` of them
 * (help of a command, unknown commands, flags before the command), or the `listing` the top-level
 * help prints (`--help`, `-h`, `help` or nothing: names, descriptions and arguments, no options,
 * ~2 ms less). Options, help text and actions are the same whichever a run gets.
 */
export type ProgramScope = { only: CommandName } | 'all' | 'listing';

/**
 * The widest help layout, in columns. Help is laid out for 80 columns on every output but a
 * terminal narrower than that, which gets its own width (commander alone would widen it to any
 * terminal's width): the top-level help is then one text, which the build writes to
 * dist/bundle/help.txt and the bin prints without loading the CLI (issue 11: `--help` start-up).
 * bin/openclaw-sessions.js applies the same rule; test/integration/tty.test.ts holds them together.
 */
export const HELP_WIDTH = 80;

/** The help width for `stdout` (columns): its own width when it is a terminal narrower than HELP_WIDTH, else HELP_WIDTH. */
export function helpWidth(stdout: CliIo['stdout']): number {
  return stdout.isTTY && stdout.columns ? Math.min(stdout.columns, HELP_WIDTH) : HELP_WIDTH;
}

/**
 * One flag (or command) of a help. Where fewer than 20 cells would remain beside the widest term
 * (prune's take 33: a terminal under ~55 columns), commander prints the description unwrapped and
 * the terminal cuts it mid-word (seen at 40 columns); there each description goes under its term,
 * indented 6 and wrapped to the width. Otherwise commander's own two columns.
 */
function formatItemForWidth(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
  const width = this.helpWidth ?? HELP_WIDTH;
  if (!description || width - termWidth - 4 >= 20) return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
  return `  ${term}\n${narrowWrap(description, width - 6).map((line) => `      ${line}`).join('\n')}`;
}

/**
 * A command's examples, indented 2. On a terminal narrower than HELP_WIDTH, one wider than it is
 * broken as printed commands are (wrapCommand: between words, ` \` at each break), its comment
 * on a line of its own above it, so each still pastes.
 */
function exampleLines(examples: readonly string[], width: number): string[] {
  return examples.flatMap((example) => {
    if (width >= HELP_WIDTH || example.length + 2 <= width) return [`  ${example}`];
    const [, command = example, comment] = /^(.*?)(?: {2,}(#.*))?$/.exec(example) ?? [];
    return [...(comment ? narrowWrap(comment, width - 2).map((line) => `  ${line}`) : []), ...wrapCommand(command.split(' '), width, '  ')];
  });
}

/**
 * Words wrapped to `width`; a word longer than that (a value list such as `main,direct,…`) is
 * broken after its commas, so it still pastes as one value when read back from the lines.
 */
function narrowWrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const pieces = word.length > width ? word.split(/(?<=,)/) : [word];
    pieces.forEach((piece, index) => {
      const glue = index === 0 && line ? ' ' : '';
      if (line && line.length + glue.length + piece.length > width) {
        lines.push(line);
        line = piece;
      } else line += glue + piece;
    });
  }
  return [...lines, line];
}

/** commander's message without a "(Did you mean --x?)" hint to an unknown *command*: no command starts with "-". */
function withoutBogusHint(message: string): string {
  return /^unknown command /.test(message) ? message.replace(/\s*\(Did you mean -\S*\?\)/, '') : message;
}

export function buildProgram(io: CliIo, setExit: (code: number) => void, scope: ProgramScope = 'all'): Command {
  const output = {
    writeOut: (text: string) => io.stdout.write(text),
    writeErr: (text: string) => io.stderr.write(text),
    getOutHelpWidth: () => helpWidth(io.stdout),
    // commander's own errors (unknown option, missing value, conflicts) read like ours: one line.
    // For an unknown command that looks like an option (`-- --help`), commander suggests a command
    // name cut short as if it were one (`(Did you mean --lp?)` for `help`): that hint goes.
    outputError: (text: string, write: (text: string) => void) => write(`openclaw-sessions: ${withoutBogusHint(text.replace(/^error: /, '')).replace(/\s*\n\s*/g, ' ').trim()}\n`),
  };
  const exitCodes = exitCodeHelp(helpWidth(io.stdout));
  const program = new Command('openclaw-sessions')
    .description("List, prune and recover stale OpenClaw ACP sessions that hold the gateway's concurrency slots.")
    .version(toolVersion(), '-V, --version')
    .showHelpAfterError(false)
    .configureOutput(output)
    .exitOverride()
    .addHelpText('after', `\n${exitCodes}`)
    // Descriptions wrapped down to 20 columns (commander's 40 left them unwrapped on a terminal
    // narrower than ~70); at HELP_WIDTH every description has 40 or more, so that layout is as before.
    .configureHelp({ minWidthToWrap: 20, formatItem: formatItemForWidth, ...(scope === 'listing' ? { subcommandTerm: listingTerm } : {}) });
  if (scope === 'listing') {
    for (const spec of COMMANDS) {
      const command = program.command(spec.name).description(spec.description);
      for (const arg of spec.args ?? []) command.argument(arg.spec, arg.help);
    }
  } else {
    for (const spec of COMMANDS) if (scope === 'all' || spec.name === scope.only) addCommand(program, spec, io, setExit, exitCodes);
  }
  for (const command of program.commands) command.exitOverride().configureOutput(output).showHelpAfterError(false);
  return program;
}

/**
 * The arguments that ask for the top-level help: none, `--help`, `-h`, `help`, `--` (nothing
 * after the end of options) and `help help …` (git's answer to it is help too). The bin
 * (bin/openclaw-sessions.js) answers the same forms from the text the build wrote.
 */
export function isTopLevelHelp(args: readonly string[]): boolean {
  if (args.length === 0) return true;
  if (args.length === 1) return ['--help', '-h', 'help', '--'].includes(args[0]!);
  // `help help …`: the help of `help` is the top-level help, whatever follows (commander printed it on stderr).
  return args[0] === 'help' && args[1] === 'help';
}

export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  // `help <name>` of no such command: commander would print the general help and exit 0, which
  // hides a typo in a script; it is a usage error, as `<name>` alone is.
  const listing = isTopLevelHelp(argv.slice(2));
  if (!listing && argv[2] === 'help' && argv[3] !== undefined && !argv[3].startsWith('-') && !COMMANDS.some((spec) => spec.name === argv[3])) {
    io.stderr.write(`openclaw-sessions: unknown command '${argv[3]}' (the commands: ${COMMANDS.map((spec) => spec.name).join(', ')})\n`);
    return EXIT.usage;
  }
  const invoked = COMMANDS.find((spec) => spec.name === argv[2])?.name;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    invoked ? { only: invoked } : listing ? 'listing' : 'all',
  );
  if (listing) {
    // No command (like gh and kubectl), `--help`, `-h` or `help`: the help with its exit-code table,
    // on stdout, as a success. Written here, as commander's --help writes it (outputHelp), rather
    // than by parsing argv, after which commander throws to stop the run (issue 11: start-up).
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv);
    // Lost output (a full disk on stdout) is a failure even when the work succeeded; a reader
    // that went away (EPIPE) chose to stop reading, so the run's own code stands.
    const lost = stdoutFailure();
    if (lost && lost.code !== 'EPIPE' && exitCode === EXIT.ok) return EXIT.error;
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander rejects is a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      if (error.code === 'commander.executeSubCommandAsync') return EXIT.error;
      return EXIT.usage;
    }
    io.stderr.write(`openclaw-sessions: ${errorLine(error)}\n`);
    if (io.env.OPENCLAW_SESSIONS_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return exitCodeOf(error);
  }
}
