/**
 * The command line: flags are declared here, each command lives in commands/<name>.ts and is
 * loaded only when run (so `--help` and `--version` stay fast). Every failure ends as one line
 * on stderr and an exit code from the table in errors.ts.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, EXIT_CODE_TABLE, errorLine, exitCodeOf } from './exit-codes.js';
import { addStoreOptions } from './common-options.js';
import { processIo, type CliIo } from './io.js';
import { toolVersion } from './version.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function exitCodeHelp(): string {
  const width = Math.max(...EXIT_CODE_TABLE.map((row) => row.name.length));
  return ['Exit codes:', ...EXIT_CODE_TABLE.map((row) => `  ${row.code}  ${row.name.padEnd(width)}  ${row.meaning}`)].join('\n');
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('openclaw-sessions')
    .description('List, prune and recover stale OpenClaw ACP sessions that hold the gateway\'s concurrency slots.')
    .version(toolVersion(), '-V, --version')
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .addHelpText('after', `\n${exitCodeHelp()}`);

  addStoreOptions(
    program
      .command('list')
      .description('every session of every agent: state, why, age, and the ACP slots held against the cap')
      .option('--state <list>', 'only these states (running,idle,errored,finished,closed,stale,invalid)')
      .option('--kind <list>', 'only these kinds (main,direct,group,channel,subagent,acp,acp-binding,cron,cron-run,dashboard,other)')
      .option('--older-than <dur>', 'only sessions quiet for at least this long (30m, 2h, 7d)')
      .option('--acp', 'only ACP sessions')
      .option('--terminal', 'only terminal sessions (errored, finished, closed, stale)')
      .option('--wide', 'never shorten keys'),
  ).action(async (flags) => {
    const { runList } = await import('./commands/list.js');
    setExit(await runList(flags, io));
  });

  addStoreOptions(
    program
      .command('prune')
      .description('remove terminal sessions (errored, finished, closed, stale) under the gateway\'s own lock, with an undo journal')
      .option('--state <list>', 'only these terminal states (errored,finished,closed,stale)')
      .option('--kind <list>', 'only these kinds (acp,acp-binding,subagent,cron-run,...)')
      .option('--key <glob>', 'only keys matching this glob (repeatable; * and ?)', collect, [])
      .option('--keep <glob>', 'never prune keys matching this glob (repeatable)', collect, [])
      .option('--older-than <dur>', 'grace period: only sessions quiet for at least this long', '10m')
      .option('--acp', 'only ACP sessions')
      .option('--dry-run', 'show the plan, change nothing')
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
      .option('-q, --quiet', 'print nothing on success (errors still go to stderr)')
      .option('--lock-timeout <dur>', 'how long to wait for a lock held by the gateway or another run', '10s')
      .option('--no-journal', 'do not record removed entries for restore')
      .option('--keep-transcripts', 'leave transcripts of pruned sessions where they are')
      .option('--recompute <method>', 'make a running gateway drop the pruned sessions: auto, rpc, restart or none', 'auto')
      .option('--allow-restart', 'let --recompute auto/restart restart the gateway (drops running chats)')
      .option('--wait <dur>', 'how long to wait for a restarted gateway to be ready', '3m')
      .option('--log-format <format>', 'text, or json: one JSON object per line per event (for cron/systemd logs)', 'text'),
  ).action(async (flags) => {
    const { runPrune } = await import('./commands/prune.js');
    setExit(await runPrune(flags, io));
  });

  addStoreOptions(
    program
      .command('restore')
      .argument('[run-id]', 'the prune run to undo (default: the latest not yet restored)')
      .description('put back the sessions a prune removed, from its journal (keys that exist again are kept)')
      .option('--list', 'list the recorded prune runs')
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
      .option('-q, --quiet', 'print nothing on success')
      .option('--lock-timeout <dur>', 'how long to wait for a lock held by the gateway or another run', '10s'),
  ).action(async (runId, flags) => {
    const { runRestore } = await import('./commands/restore.js');
    setExit(await runRestore(runId, flags, io));
  });

  addStoreOptions(
    program
      .command('gateway')
      .description('the running gateway: verified pid, version, port, readiness, slots held, and which recompute methods work')
      .option('--no-rpc', 'do not try the WebSocket RPC (and do not create a device identity)'),
  ).action(async (flags) => {
    const { runGateway } = await import('./commands/gateway.js');
    setExit(await runGateway(flags, io));
  });

  addStoreOptions(
    program
      .command('doctor')
      .description('why do spawns fail? gateway, cap and slots, idle eviction, stale locks, broken or unsafe stores — each with its fix')
      .option('--no-rpc', 'do not try the gateway RPC'),
  ).action(async (flags) => {
    const { runDoctor } = await import('./commands/doctor.js');
    setExit(await runDoctor(flags, io));
  });

  program
    .command('schedule')
    .description('print (or install) a crontab line and systemd --user units that run prune unattended')
    .option('--profile <name>', 'the OpenClaw profile the scheduled run uses')
    .option('--state-dir <dir>', 'the OpenClaw state directory the scheduled run uses')
    .option('--config <path>', 'the OpenClaw config the scheduled run uses')
    .option('--every <dur>', 'how often: 5m, 10m, 15m, 20m, 30m, 1h, 2h … 24h', '15m')
    .option('--allow-restart', 'let the scheduled prune restart the gateway when RPC is unavailable')
    .option('--older-than <dur>', 'grace period passed to prune (its default: 10m)')
    .option('--install <kind>', 'write the units: systemd (user timer) or cron (user crontab)')
    .option('--uninstall', 'remove the installed timer and crontab block')
    .option('--force', 'replace an installed file or block that differs')
    .option('--no-enable', 'with --install systemd: write the units but do not run systemctl')
    .option('--json', 'the generated texts as JSON')
    .action(async (flags) => {
      const { runSchedule } = await import('./commands/schedule.js');
      setExit(await runSchedule(flags, io));
    });

  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput()).addHelpText('after', `\n${exitCodeHelp()}`);
  return program;
}

export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
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
