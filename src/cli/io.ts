/**
 * The process boundary a command talks through, so commands never reach for globals and the
 * same code serves the binary and in-process tests.
 */
import type { Env } from '../env.js';

export interface CliIo {
  env: Env;
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  stdinIsTTY: boolean;
  /** Reads one line of an answer from the terminal (confirmation prompts). */
  ask(question: string): Promise<string>;
}

export function processIo(): CliIo {
  // A reader that goes away (`| head`) must not crash a run halfway through a prune: the
  // output is lost, the work still finishes and the exit code still tells.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    ask: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
