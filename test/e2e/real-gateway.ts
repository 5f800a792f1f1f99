/**
 * A real OpenClaw 2026.4.2 gateway for end-to-end tests (docs/openclaw.md §10), isolated in a temp HOME
 * with its own state dir, config, port, token and TMPDIR, and model-free ACP agents: `failer`
 * fails every turn (the leak), `okay` succeeds. Installed by .ci/install-openclaw.sh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { devicePathFor, loadOrCreateDevice } from '../../src/gateway/device.js';
import { GatewayRpc } from '../../src/gateway/rpc-client.js';

export const E2E_HOME = process.env.OPENCLAW_E2E_HOME ?? path.join(os.homedir(), '.cache', 'openclaw-sessions-e2e');
export const NODE22 = path.join(E2E_HOME, 'node22', 'bin', 'node');
export const OPENCLAW_ENTRY = path.join(E2E_HOME, 'openclaw', 'node_modules', 'openclaw', 'openclaw.mjs');
const FAKE_AGENT = fileURLToPath(new URL('../../../test/e2e/fixtures/fake-acp-agent.mjs', import.meta.url));

/** Why the lane cannot run here, or null. With OPENCLAW_E2E=1 a missing install is a failure. */
export function e2eUnavailable(): string | null {
  if (existsSync(NODE22) && existsSync(OPENCLAW_ENTRY)) return null;
  return `real OpenClaw not installed in ${E2E_HOME} (run: bash .ci/install-openclaw.sh)`;
}

function processesWithEnv(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(needle)) found.push(Number(name));
    } catch {
      // exited or not ours
    }
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface GatewayOptions {
  maxConcurrentSessions?: number;
  extraEnv?: Record<string, string>;
}

export class RealGateway {
  readonly root: string;
  readonly home: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly tmpDir: string;
  readonly token = `e2e-${randomUUID()}`;
  port = 0;
  private child: ChildProcess | null = null;
  private output = '';
  private rpc: GatewayRpc | null = null;

  constructor(private readonly options: GatewayOptions = {}) {
    this.root = mkdtempSync(path.join(os.tmpdir(), 'ocs-e2e-'));
    this.home = path.join(this.root, 'home');
    this.stateDir = path.join(this.root, 'state');
    this.configPath = path.join(this.stateDir, 'openclaw.json');
    this.tmpDir = path.join(this.root, 'tmp');
  }

  /** The environment the tool under test runs with: same HOME, state, config, port, token, TMPDIR. */
  get env(): Record<string, string> {
    return {
      HOME: this.home,
      OPENCLAW_STATE_DIR: this.stateDir,
      OPENCLAW_CONFIG_PATH: this.configPath,
      OPENCLAW_GATEWAY_PORT: String(this.port),
      OPENCLAW_GATEWAY_TOKEN: this.token,
      TMPDIR: this.tmpDir,
    };
  }

  async start(): Promise<void> {
    this.port = await freePort();
    for (const dir of [this.home, this.stateDir, this.tmpDir, path.join(this.root, 'work'), path.join(this.home, '.acpx')]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const agent = (mode: string) => ({ command: `${NODE22} ${FAKE_AGENT} ${mode}` });
    writeFileSync(path.join(this.home, '.acpx', 'config.json'), JSON.stringify({ agents: { failer: agent('fail'), okay: agent('ok') } }));
    writeFileSync(
      this.configPath,
      `// written by the openclaw-sessions e2e harness (JSON5)
{
  gateway: { mode: "local", bind: "loopback", port: ${this.port}, auth: { mode: "token", token: "${this.token}" }, tools: { allow: ["sessions_spawn"] } },
  discovery: { mdns: { mode: "off" } },
  update: { checkOnStart: false },
  agents: { defaults: { heartbeat: { every: "0m" } } },
  acp: { enabled: true, backend: "acpx", allowedAgents: ["failer", "okay"], maxConcurrentSessions: ${this.options.maxConcurrentSessions ?? 3} },
  plugins: { entries: { acpx: { enabled: true, config: { cwd: "${path.join(this.root, 'work')}" } } } },
}
`,
      { mode: 0o600 },
    );
    this.child = spawn(NODE22, [OPENCLAW_ENTRY, 'gateway', 'run'], {
      cwd: this.root,
      env: { PATH: `${path.dirname(NODE22)}:${process.env.PATH ?? ''}`, LANG: 'C.UTF-8', ...this.env, ...this.options.extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
    await this.waitFor(() => this.output.includes('acpx runtime backend ready'), 120_000, 'acpx runtime backend ready');
  }

  /** The gateway pid from its singleton lock (the process that must be signalled). */
  lockPid(): number | null {
    const dir = path.join(this.tmpDir, `openclaw-${process.getuid?.() ?? 0}`);
    try {
      const lock = readdirSync(dir).find((name) => /^gateway\.[0-9a-f]{8}\.lock$/.test(name));
      return lock ? (JSON.parse(readFileSync(path.join(dir, lock), 'utf8')) as { pid: number }).pid : null;
    } catch {
      return null;
    }
  }

  async client(): Promise<GatewayRpc> {
    if (this.rpc) return this.rpc;
    // The tool's own device file: the same identity the CLI under test will present.
    this.rpc = await GatewayRpc.connect({ url: `ws://127.0.0.1:${this.port}`, token: this.token, device: loadOrCreateDevice(devicePathFor(this.stateDir)), timeoutMs: 15_000 });
    return this.rpc;
  }

  dropClient(): void {
    this.rpc?.close();
    this.rpc = null;
  }

  /** Sends a slash command to agent:main:main and returns the gateway's final reply text. */
  async command(text: string, timeoutMs = 60_000): Promise<string> {
    const rpc = await this.client();
    const finals = new Map<string, string>();
    let wanted: string | null = null;
    let resolveReply: (text: string) => void = () => undefined;
    const reply = new Promise<string>((resolve) => (resolveReply = resolve));
    const off = rpc.onEvent((event, payload) => {
      const p = payload as { runId?: string; state?: string; message?: { content?: Array<{ text?: string }> } };
      if (event !== 'chat' || p.state !== 'final' || !p.runId) return;
      const body = (p.message?.content ?? []).map((part) => part.text ?? '').join('');
      if (p.runId === wanted) resolveReply(body);
      else finals.set(p.runId, body);
    });
    try {
      const sent = await rpc.call<{ runId: string }>('chat.send', { sessionKey: 'agent:main:main', message: text, idempotencyKey: randomUUID() });
      wanted = sent.runId;
      const early = finals.get(sent.runId);
      if (early !== undefined) return early;
      return await Promise.race([reply, sleep(timeoutMs).then(() => Promise.reject(new Error(`no reply to "${text}" within ${timeoutMs} ms`)))]);
    } finally {
      off();
    }
  }

  async activeRuntimeSessions(): Promise<number> {
    const text = await this.command('/acp doctor');
    const match = /activeRuntimeSessions:\s*(\d+)/.exec(text);
    if (!match) throw new Error(`no activeRuntimeSessions in: ${text}`);
    return Number(match[1]);
  }

  /** `/acp spawn`; returns the new key, or the refusal text. */
  async spawn(agent = 'failer'): Promise<{ key: string } | { refused: string }> {
    const text = await this.command(`/acp spawn ${agent} --mode persistent --thread off`);
    const match = /Spawned ACP session (\S+)/.exec(text);
    return match ? { key: match[1]! } : { refused: text };
  }

  storeOf(agentId: string): Record<string, { acp?: { state?: string; lastError?: string }; status?: string }> {
    const file = path.join(this.stateDir, 'agents', agentId, 'sessions', 'sessions.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, { acp?: { state?: string } }>) : {};
  }

  /** A persistent session whose one turn fails: `acp.state: "error"`, still counted (the leak). */
  async spawnFailedSession(): Promise<string> {
    const spawned = await this.spawn('failer');
    if (!('key' in spawned)) throw new Error(`spawn refused: ${spawned.refused}`);
    const rpc = await this.client();
    await rpc.call('agent', { message: 'please fail', sessionKey: spawned.key, idempotencyKey: randomUUID() }, { timeoutMs: 60_000 });
    // `status` follows `acp.state` about a second later; wait for both to settle.
    await this.waitFor(() => {
      const entry = this.storeOf('failer')[spawned.key];
      return entry?.acp?.state === 'error' && entry.status === 'failed';
    }, 60_000, `${spawned.key} to be marked error and failed`);
    return spawned.key;
  }

  async waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const started = Date.now();
    while (!(await check())) {
      if (this.child && this.child.exitCode !== null && this.lockPid() === null) throw new Error(`gateway exited (${this.child.exitCode}) while waiting for ${what}:\n${this.output.slice(-2000)}`);
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}:\n${this.output.slice(-2000)}`);
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    this.dropClient();
    // Kill the whole tree: the first process, any respawned gateway, and acpx children.
    const pids = new Set<number>();
    if (this.child?.pid) pids.add(this.child.pid);
    const lockPid = this.lockPid();
    if (lockPid) pids.add(lockPid);
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
    // A respawned gateway and its acpx children may sit in other process groups: every process
    // that inherited this gateway's state dir in its environment goes.
    for (const pid of processesWithEnv(`OPENCLAW_STATE_DIR=${this.stateDir}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await sleep(300);
    rmSync(this.root, { recursive: true, force: true });
  }
}
