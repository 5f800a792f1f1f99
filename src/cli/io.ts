/**
 * The process boundary a command talks through, so commands never reach for globals and the
 * same code serves the binary and in-process tests.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
import type { Env } from '../env.js';

export interface CliIo {
  env: Env;
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  stdinIsTTY: boolean;
  /** Standard error is a terminal: where progress lines go (never into a pipe, a log or cron mail). */
  stderrIsTTY?: boolean;
  /** Reads one line of an answer from the terminal (confirmation prompts). */
  ask(question: string): Promise<string>;
}

let outputFailure: NodeJS.ErrnoException | null = null;
let stderrStream: NodeJS.WriteStream | null = null;
let buildStderr = (): NodeJS.WriteStream => process.stderr;
let stderrGuarded = false;

/**
 * process.stderr, built on first use with its 'error' listener: building it costs ~1.3 ms of a
 * start-up when stderr is a pipe or a terminal (Node loads node:net for it; issue 11, measured with
 * performance.now() marks in the bin), and a run that succeeds mostly writes nothing there.
 */
function stderr(): NodeJS.WriteStream {
  if (stderrStream === null) {
    stderrStream = buildStderr();
    stderrStream.on('error', () => {
      // nowhere left to report it
    });
  }
  return stderrStream;
}

/**
 * Routes the first use of process.stderr, by anyone, through stderr(), so its 'error' listener is
 * there whoever builds the stream: Node's own warnings (console.error on process.stderr, e.g.
 * from a module preloaded with NODE_OPTIONS), the interrupt line of system/cleanup.ts, readline.
 * Without it, stderr a pipe whose reader went away or /dev/full, a second warning before the
 * tool's first write was an uncaught 'error' (Node's console guards only its first failed write):
 * exit 1 and the run cut short. process.stderr is a configurable getter on Node 20, 22 and 24;
 * should it ever not be, the stream is built here, as before the lazy start-up.
 */
function guardStderrOnFirstUse(): void {
  if (stderrGuarded) return;
  stderrGuarded = true;
  const descriptor = Object.getOwnPropertyDescriptor(process, 'stderr');
  const get = descriptor?.get;
  if (get === undefined || descriptor?.configurable !== true) {
    stderr();
    return;
  }
  buildStderr = () => get.call(process) as NodeJS.WriteStream;
  Object.defineProperty(process, 'stderr', { configurable: true, enumerable: descriptor.enumerable, get: stderr });
}

/**
 * The first error writing standard output, if any: EPIPE (the reader went away), ENOSPC (a full
 * disk), EIO… The run ends with its own exit code for EPIPE, quietly (`list | head`: the reader
 * chose to stop), and with 1 for the others (its output is lost), after one line on stderr.
 */
export function stdoutFailure(): NodeJS.ErrnoException | null {
  return outputFailure;
}

export function processIo(): CliIo {
  guardStderrOnFirstUse();
  // A reader that goes away (`| head`) or a full disk must not crash a run halfway through a
  // prune, nor print a stack: the output is lost and the work still finishes. A full disk gets
  // one line on stderr and exit 1; a reader that went away chose to stop reading, so nothing is
  // said (as the bin's --version and help, and as `git log | head`), and the run's code stands.
  const failed = (error: NodeJS.ErrnoException): void => {
    if (outputFailure) return;
    outputFailure = error;
    if (error.code === 'EPIPE') return;
    // The error may arrive after run() returned its code (writes complete asynchronously).
    if (!process.exitCode) process.exitCode = 1;
    try {
      stderr().write(`openclaw-sessions: cannot write to standard output (${error.code ?? error.message}); output from here on is lost, the run goes on and its exit code tells how it ended\n`);
    } catch {
      // stderr gone too: the exit code is all that is left
    }
  };
  const file = fileStdout(failed);
  if (!file) process.stdout.on('error', failed);
  return {
    env: process.env,
    stdout: file ?? process.stdout,
    stderr: { write: (text) => stderr().write(text) },
    // A getter: touching process.stdin builds a stream (~2 ms); only a command about to ask does.
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY);
    },
    get stderrIsTTY() {
      return Boolean(stderr().isTTY);
    },
    ask: async (question) => {
      const [{ createInterface }, { runCleanups }] = await Promise.all([import('node:readline/promises'), import('../system/cleanup.js')]);
      const rl = createInterface({ input: process.stdin, output: stderr() });
      // Ctrl-C at a prompt is an interrupt, not a "no": readline reads it as a key (the terminal
      // is raw) and would only close. It ends the run as SIGINT does elsewhere (system/cleanup.ts):
      // every prompt comes before any change, so anything registered is released, and exit 130.
      const interrupted = (what: string, code: number) => () => {
        rl.close();
        runCleanups();
        stderr().write(`\nopenclaw-sessions: interrupted at the prompt (${what}); nothing was changed\n`);
        process.exit(code);
      };
      rl.on('SIGINT', interrupted('Ctrl-C', 130));
      // SIGTERM (kill, a closing tmux pane's shell) killed the run silently, with no line (seen at the prune prompt).
      const onTerm = interrupted('SIGTERM', 143);
      process.once('SIGTERM', onTerm);
      try {
        return await rl.question(question);
      } finally {
        process.removeListener('SIGTERM', onTerm);
        rl.close();
      }
    },
  };
}

/**
 * Standard output written with fs.writeSync when it is a regular file or /dev/null (cron's
 * `>> log`, `> /dev/null`), else null (a pipe, socket or terminal keeps process.stdout). For
 * those two, Node's own process.stdout is a SyncWriteStream, one writeSync per write; building it
 * loads node:stream, ~2 ms of every such run (issue 11, bench/). A write to a regular file never
 * waits on a reader, so nothing is reordered or left unflushed at exit. Short writes are continued
 * (the stream's single writeSync drops what a short write leaves: helper-24 saw help cut at a
 * file-size limit, exit 0); the first error goes to `failed` (as process.stdout's 'error' would),
 * after which output is dropped, as with the stream.
 */
function fileStdout(failed: (error: NodeJS.ErrnoException) => void): CliIo['stdout'] | null {
  try {
    const stat = fstatSync(1);
    if (!stat.isFile() && !(stat.isCharacterDevice() && stat.rdev === statSync('/dev/null').rdev)) return null;
  } catch {
    return null; // no fd 1, or no /dev/null: Node's stream decides
  }
  return {
    isTTY: false,
    write(text: string): boolean {
      if (outputFailure) return false;
      try {
        const bytes = Buffer.from(text, 'utf8');
        for (let done = 0; done < bytes.length; ) done += writeSync(1, bytes, done);
      } catch (error) {
        failed(error as NodeJS.ErrnoException);
        return false;
      }
      return true;
    },
  };
}

/**
 * A writer of progress lines for a wait the operator would otherwise sit through in silence (the
 * live read, live-acp.ts): undefined with `--json` or `--quiet`; otherwise a writer that writes
 * only when standard error is a terminal, so cron mail, journals and JSON consumers never see one.
 */
export function terminalProgress(io: CliIo, flags: { json?: boolean; quiet?: boolean }): ((line: string) => void) | undefined {
  if (flags.json || flags.quiet) return undefined;
  // Whether stderr is a terminal is asked only when there is a line to say: asking builds
  // process.stderr, which a run that writes nothing there never does (issue 11: start-up).
  return (line) => {
    if (io.stderrIsTTY) io.stderr.write(`openclaw-sessions: ${line}\n`);
  };
}
