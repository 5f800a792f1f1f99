/**
 * Real Prometheus tools for tests: Debian's `prometheus-node-exporter` (textfile collector only,
 * on a free loopback port) and `promtool`. .ci/run installs both; under CI=true a missing binary
 * fails the test instead of skipping it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { freePort } from '../e2e/real-gateway.js';

export const NODE_EXPORTER = process.env.NODE_EXPORTER_BIN ?? 'prometheus-node-exporter';
export const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';

/** True when the binary runs; otherwise skips the test, or fails it under CI=true. */
export function needBinary(t: TestContext, bin: string, debianPackage: string): boolean {
  const probe = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  if (probe.status === 0) return true;
  const why = `${bin} not found (apt-get install -y ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(`${why}: required under CI`);
  t.skip(why);
  return false;
}


export interface NodeExporter {
  port: number;
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts node_exporter with every default collector off and the textfile collector reading
 * `dir`. A port taken between picking and binding (other engineers' servers) is retried.
 */
export async function startNodeExporter(dir: string, children: ChildProcess[]): Promise<NodeExporter> {
  let lastOutput = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(NODE_EXPORTER, ['--web.listen-address', `127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${dir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const url = `http://127.0.0.1:${port}/metrics`;
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      try {
        const response = await fetch(url);
        if (response.ok) {
          await response.arrayBuffer();
          const stop = async (): Promise<void> => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const closed = new Promise((resolve) => child.once('close', resolve));
            child.kill('SIGTERM');
            await closed;
          };
          return { port, scrape: async () => (await fetch(url)).text(), stop };
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    lastOutput = output;
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  throw new Error(`node_exporter did not start: ${lastOutput.slice(-1000)}`);
}

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Sample lines of a text exposition (enough of the format for assertions). */
export function parseExposition(text: string): ParsedSample[] {
  const samples: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!match) throw new Error(`not an exposition sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; undefined if absent. */
export function valueOf(samples: ParsedSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
