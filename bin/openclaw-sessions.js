#!/usr/bin/env node
// Thin entry: the CLI is bundled into dist/bundle/ at build time (scripts/bundle.mjs).
// CommonJS (bin/package.json says so): Node then never starts its ES module loader, ~10 ms of
// every start-up (issue 11, bench/). `--version` and the top-level help are answered before
// loading the bundle, so each costs little more than starting Node.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/**
 * Flags of `prune` and `clean` that take no value, so an argument after one is never its value
 * (test/integration/code-cache.test.ts checks each against the commands' own definitions). Up
 * here: the top-level code below uses it, and a const is not hoisted.
 */
const NO_VALUE_FLAGS = ['--all-agents', '--acp', '-y', '--yes', '-q', '--quiet', '--no-journal', '--keep-transcripts', '--allow-restart', '--json', '--color', '--no-color'];

// The package's directory, from this file's real path (one realpath call): under
// --preserve-symlinks-main (on the command line or in NODE_OPTIONS) a bin reached through a link,
// as npm's global install makes, has the link's directory as __dirname, where nothing of ours is.
const root = path.dirname(path.dirname(fs.realpathSync.native(__filename)));
const args = process.argv.slice(2);
// Answers that need none of the CLI's code: the version, and the top-level help the build wrote.
const answer = args.length === 1 && (args[0] === '--version' || args[0] === '-V') ? versionLine() : isTopLevelHelp(args) ? writtenHelp() : null;
if (answer !== null) {
  // As every other run (src/cli/io.ts): a reader that went away is no failure, a full disk is
  // one line and exit 1, and neither is a stack trace.
  const failed = (error) => {
    if (error.code === 'EPIPE') return;
    process.exitCode = 1;
    try {
      process.stderr.on('error', () => {});
      process.stderr.write(`openclaw-sessions: cannot write to standard output (${error.code ?? error.message})\n`);
    } catch {
      // stderr gone too: the exit code is all that is left
    }
  };
  // A regular file is written here, short writes continued (src/cli/io.ts fileStdout): Node's
  // stream for a file writes once and drops what a short write left (the help cut at a file-size
  // limit or a nearly full disk, exit 0); continued, the next write fails with its error.
  if (stdoutIsFile()) {
    try {
      const bytes = Buffer.from(answer, 'utf8');
      for (let done = 0; done < bytes.length; ) done += fs.writeSync(1, bytes, done);
    } catch (error) {
      failed(error);
    }
  } else {
    process.stdout.on('error', failed);
    process.stdout.write(answer);
  }
} else {
  // Compiled code the build kept (bin/code-cache.js says when it is used, and why it is safe),
  // for runs that remove nothing of the operator's; only ever a speed-up: without it Node's own
  // loader compiles the bundle.
  let load = null;
  if (removesNothing(args)) {
    try {
      load = require(path.join(root, 'bin', 'code-cache.js')).useCodeCache(root);
    } catch {
      // no cache: compile as usual
    }
  }
  let run;
  try {
    ({ run } = load ? load('main.cjs') : require(path.join(root, 'dist', 'bundle', 'main.cjs')));
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    process.stderr.write(`openclaw-sessions: not built (${error.message.split('\n')[0]}); run: npm install (or npm run build)\n`);
    process.exit(1);
  }
  let settled = false;
  // The event loop emptied while the run was still pending: something it waited on can never
  // complete (a bug, e.g. a request that neither answers nor fails). Never a silent success.
  process.once('beforeExit', () => {
    if (settled) return;
    process.exitCode = 1;
    process.stderr.write('openclaw-sessions: internal error: the run stopped before it finished (it waited on something that can no longer complete); set OPENCLAW_SESSIONS_DEBUG=1 and report it\n');
  });
  run(process.argv).then((code) => {
    settled = true;
    // A success does not erase a failure already recorded: standard output lost to a full disk
    // (src/cli/io.ts sets 1 when the write error arrives, which for a file is before this line).
    if (code !== 0 || !process.exitCode) process.exitCode = code;
    // When the event loop has nothing left (every write flushed, every socket closed: the run's
    // natural end), end the process there: Node's teardown after that point frees the heap page
    // by page, ~1.5 ms of a `--help` that the OS does at exit anyway (issue 11, bench/).
    process.once('beforeExit', () => process.exit());
  });
}

function versionLine() {
  return `${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}\n`;
}

/** Is standard output a regular file (`> file`, `>> log`)? */
function stdoutIsFile() {
  try {
    return fs.fstatSync(1).isFile();
  } catch {
    return false;
  }
}

/** No command, `--help`, `-h`, `help`, `--` or `help help …`: the top-level help (src/cli/main.ts's isTopLevelHelp, the same forms). */
function isTopLevelHelp(argv) {
  if (argv.length === 0) return true;
  if (argv.length === 1) return ['--help', '-h', 'help', '--'].includes(argv[0]);
  return argv[0] === 'help' && argv[1] === 'help';
}

/**
 * The top-level help as the build wrote it (scripts/bundle.mjs: the bundle's own output, laid out
 * for 80 columns), or null where a run lays it out otherwise or the file is not that help: then
 * the bundle prints it. The rule is src/cli/main.ts helpWidth's: 80 columns unless standard output
 * is a terminal narrower than that. Only a regular file is read, opened without waiting (a FIFO
 * there would hang the run, a device never end), capped in size, and only a text that starts as
 * the help does and ends with a newline is printed: anything else costs a start-up, never the help.
 */
function writtenHelp() {
  if (process.stdout.isTTY && process.stdout.columns && process.stdout.columns < 80) return null;
  let fd;
  try {
    fd = fs.openSync(path.join(root, 'dist', 'bundle', 'help.txt'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const stat = fs.fstatSync(fd);
    // 64 KiB: far more than the help's ~3 KB (a constant here, not above: this runs before the
    // file's later top-level lines, where a `const` would still be uninitialised).
    if (!stat.isFile() || stat.size === 0 || stat.size > 64 * 1024) return null;
    const text = fs.readFileSync(fd, 'utf8');
    return text.startsWith('Usage: openclaw-sessions ') && text.endsWith('\n') ? text : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Help, the commands that only look (list, gateway, doctor, metrics: their live read creates and
 * deletes only the tool's own probe session), and dry runs. A prune, clean or restore that may
 * remove something (and schedule, which may install units) always runs code compiled from the
 * bundle's source, never cached code (bin/code-cache.js: V8 does not checksum a cache's data).
 */
function removesNothing(argv) {
  const command = argv[0];
  // A leading `--` ends the options and commander runs the command after it (`-- prune` prunes).
  if (command === '--') return false;
  if (command === undefined || command.startsWith('-') || ['help', 'list', 'gateway', 'doctor', 'metrics'].includes(command)) return true;
  return ['prune', 'clean'].includes(command) && isDryRun(argv);
}

/**
 * True only when `--dry-run` is surely the flag: right after the command, after a value
 * (`--store x --dry-run`), an `--option=value` or a flag that takes no value (`--json --dry-run`),
 * and before any `--`. After an option that takes a value it IS that value (`prune --keep
 * --dry-run --yes` keeps the glob "--dry-run" and prunes): then, or when unsure (`-yq --dry-run`),
 * the run is treated as one that may remove.
 */
function isDryRun(argv) {
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--') return false;
    if (argv[i] !== '--dry-run') continue;
    const before = argv[i - 1];
    if (i === 1 || !before.startsWith('-') || (before.startsWith('--') && before.includes('=')) || NO_VALUE_FLAGS.includes(before)) return true;
  }
  return false;
}
