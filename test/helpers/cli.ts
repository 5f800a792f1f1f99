import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/openclaw-sessions.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built binary as a child process with a clean, isolated environment. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: isolatedEnv(env),
    encoding: 'utf8',
    input,
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function runCliAsync(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: isolatedEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function isolatedEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, LANG: 'C.UTF-8' };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export const LOCK_HOLDER = fileURLToPath(new URL('../../../test/helpers/gateway-lock-holder.mjs', import.meta.url));

/** Starts the lock-holder helper; resolves once it prints its first line (e.g. "locked"). */
export function startHolder(args: string[]): Promise<{ child: import('node:child_process').ChildProcess; done: Promise<{ status: number | null; stdout: string }> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOCK_HOLDER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let announced = false;
    const done = new Promise<{ status: number | null; stdout: string }>((res) => child.on('close', (status) => res({ status, stdout })));
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (!announced && stdout.includes('\n')) {
        announced = true;
        resolve({ child, done });
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      if (!announced) resolve({ child, done });
    });
  });
}

/**
 * Runs the CLI in this process through CliIo (no child process: fast). Same isolated environment
 * as runCli; `input` answers the confirmation prompts (and makes stdin count as a terminal).
 * For what only a real process shows (signals, exit on EPIPE, the bin wrapper), use runCli.
 */
export async function runInProcess(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  const { run } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const answers = (input ?? '').split('\n');
  const io = {
    env: isolatedEnv(env),
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text) },
    stdinIsTTY: input !== undefined,
    ask: async (question: string) => {
      stderr += question;
      return answers.shift() ?? '';
    },
  };
  const status = await run(['node', BIN, ...args], io);
  return { status, stdout, stderr };
}
