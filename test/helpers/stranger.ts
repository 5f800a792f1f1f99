/**
 * test/helpers/stranger-listener.mjs, started and waited for: a listener that answers the
 * gateway's first frame (connect.challenge) and prints every frame it hears — a stand-in for a
 * gateway, or for another program on the gateway's port, in the trust tests.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const STRANGER = fileURLToPath(new URL('../../../test/helpers/stranger-listener.mjs', import.meta.url));
export const WS_MODULE = createRequire(import.meta.url).resolve('ws').replace(/index\.js$/, 'wrapper.mjs');

export interface Stranger {
  child: ChildProcess;
  port: number;
  /** Everything it printed so far. */
  output: () => string;
  /** The frames it heard, one `heard <json>` line each. */
  heard: () => string[];
}

/**
 * Starts the listener on a free port and waits (up to 10 s) until it listens. `wrap`: a command
 * it runs under (`setpriv --reuid …`); `spawn`: spawn options (uid, gid, env). The child goes
 * into `children` (helpers/tmp.ts trackedChildren), killed after the file's tests.
 */
export async function startStranger(children: ChildProcess[], options: { wrap?: string[]; spawn?: SpawnOptions } = {}): Promise<Stranger> {
  const argv = [process.execPath, STRANGER, WS_MODULE];
  const [command, ...args] = [...(options.wrap ?? []), ...argv];
  const child = spawn(command!, args, { ...options.spawn, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 200 && !/listening \d+/.test(out); i++) await sleep(50);
  const port = Number(/listening (\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, `the listener did not start: ${out}`);
  return { child, port, output: () => out, heard: () => out.split('\n').filter((line) => line.startsWith('heard ')) };
}
