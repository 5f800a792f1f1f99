/**
 * A real OpenClaw 2026.4.2 gateway for end-to-end tests, isolated per run, driven over
 * WebSocket by this tool's own GatewayRpcClient (src/gateway/rpc.ts).
 *
 * Installed by .ci/setup-openclaw-e2e.sh. Each gateway gets its own HOME, state dir, config,
 * loopback port, token, TMPDIR and log file, and two model-free ACP agents (the fake agent in
 * fixtures/): `failer`, whose every turn fails, and `okay`, whose turns succeed. What was
 * learnt getting this to run is in docs/real-gateway-notes.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadOrCreateDeviceIdentity } from '../../src/gateway/device-identity.js';
import { GatewayRpcClient, RpcError, type CallOptions, type HelloInfo } from '../../src/gateway/rpc.js';

export const E2E_HOME = process.env.OPENCLAW_E2E_HOME || path.join(os.homedir(), '.cache', 'openclaw-sessions-e2e');
export const NODE22 = path.join(E2E_HOME, 'node22', 'bin', 'node');
export const OPENCLAW_ENTRY = path.join(E2E_HOME, 'openclaw', 'node_modules', 'openclaw', 'openclaw.mjs');
const ACPX_PACKAGE = path.join(E2E_HOME, 'openclaw', 'node_modules', 'openclaw', 'dist', 'extensions', 'acpx', 'node_modules', 'acpx', 'package.json');
// dist/test/e2e/harness.js → the source fixture (tsc does not copy .mjs files).
export const FAKE_AGENT = fileURLToPath(new URL('../../../test/e2e/fixtures/fake-acp-agent.mjs', import.meta.url));

export const OPERATOR_SCOPES = ['operator.admin', 'operator.read', 'operator.write'];
export const MAIN_SESSION_KEY = 'agent:main:main';

/**
 * For node:test's `skip` option. The lane runs when the install is there; without it the
 * tests skip with this message — unless OPENCLAW_E2E=1 (CI after running the setup), where a
 * missing install must fail loudly rather than pass by skipping. OPENCLAW_E2E=0 always skips.
 */
export function e2eSkipReason(): string | false {
  if (process.env.OPENCLAW_E2E === '0') return 'real-gateway lane disabled (OPENCLAW_E2E=0)';
  const missing = [NODE22, OPENCLAW_ENTRY, ACPX_PACKAGE].filter((p) => !fs.existsSync(p));
  if (missing.length === 0) return false;
  const why = `real OpenClaw gateway not set up in ${E2E_HOME} (missing ${missing[0]}); run: bash .ci/setup-openclaw-e2e.sh`;
  if (process.env.OPENCLAW_E2E === '1') throw new Error(`OPENCLAW_E2E=1 but ${why}`);
  return `${why} (or set OPENCLAW_E2E=1 to fail instead of skipping)`;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every live process whose environment carries `marker` (KEY=VALUE). Linux /proc only. */
function processesWithEnv(marker: string): number[] {
  const found: number[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(marker)) found.push(Number(name));
    } catch {
      // exited meanwhile, or not readable: not one of ours
    }
  }
  return found;
}

export interface StoreEntry {
  sessionId?: string;
  updatedAt?: number;
  status?: string;
  acp?: { state?: string; mode?: string; agent?: string; lastError?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export type SpawnResult = { accepted: true; key: string; message: string } | { accepted: false; message: string };

export interface StartOptions {
  /** acp.maxConcurrentSessions; default 3. */
  maxConcurrentSessions?: number;
  /** How long to wait for `acpx runtime backend ready`; default 120 s. */
  readyTimeoutMs?: number;
  /** Added to the gateway's environment. */
  extraEnv?: Record<string, string>;
}

/**
 * Paths and secrets of one isolated gateway, for tests that run this tool's CLI against it:
 * pass `cliEnv` as the CLI's environment and it sees the same state dir, config and gateway.
 */
export interface GatewayEnvInfo {
  root: string;
  home: string;
  stateDir: string;
  configPath: string;
  tmpDir: string;
  workDir: string;
  port: number;
  url: string;
  token: string;
  /** `<TMPDIR>/openclaw-<uid>/gateway.<sha256(configPath)[0..8]>.lock` (facts §7). */
  lockFile: string;
  cliEnv: Record<string, string>;
}

export class RealGateway {
  readonly info: GatewayEnvInfo;
  private child: ChildProcess | null = null;
  private watchdog: ChildProcess | null = null;
  private output = '';
  private client: GatewayRpcClient | null = null;
  private commandQueue: Promise<unknown> = Promise.resolve();
  private readonly marker: string;
  private stopped = false;

  private constructor(info: GatewayEnvInfo, marker: string) {
    this.info = info;
    this.marker = marker;
  }

  /** Starts a gateway and resolves once its acpx backend is ready. */
  static async start(options: StartOptions = {}): Promise<RealGateway> {
    const reason = e2eSkipReason();
    if (reason) throw new Error(reason);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ocs-e2e-'));
    const home = path.join(root, 'home');
    const stateDir = path.join(home, '.openclaw');
    const tmpDir = path.join(root, 'tmp');
    const workDir = path.join(root, 'work');
    for (const dir of [home, stateDir, tmpDir, workDir, path.join(home, '.acpx')]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const configPath = path.join(stateDir, 'openclaw.json');
    const port = await freeLoopbackPort();
    const token = `e2e-${randomUUID()}`;
    const uid = process.getuid?.() ?? 0;
    const lockHash = createHash('sha256').update(configPath).digest('hex').slice(0, 8);
    const cliEnv = {
      HOME: home,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_CONFIG_PATH: configPath,
      OPENCLAW_GATEWAY_PORT: String(port),
      OPENCLAW_GATEWAY_TOKEN: token,
      TMPDIR: tmpDir,
    };
    const info: GatewayEnvInfo = {
      root,
      home,
      stateDir,
      configPath,
      tmpDir,
      workDir,
      port,
      url: `ws://127.0.0.1:${port}`,
      token,
      lockFile: path.join(tmpDir, `openclaw-${uid}`, `gateway.${lockHash}.lock`),
      cliEnv,
    };

    // acpx reads its agents from $HOME/.acpx/config.json; the command runs through a shell-
    // like split, so paths with spaces would need quoting (tmpdir paths have none).
    const agent = (behaviour: string) => ({ command: `${NODE22} ${FAKE_AGENT} ${behaviour}` });
    fs.writeFileSync(path.join(home, '.acpx', 'config.json'), JSON.stringify({ agents: { failer: agent('fail'), okay: agent('ok') } }, null, 2));
    const config = {
      gateway: { mode: 'local', bind: 'loopback', port, auth: { mode: 'token', token }, tools: { allow: ['sessions_spawn'] } },
      discovery: { mdns: { mode: 'off' } },
      update: { checkOnStart: false },
      agents: { defaults: { heartbeat: { every: '0m' } } },
      acp: { enabled: true, backend: 'acpx', allowedAgents: ['failer', 'okay'], maxConcurrentSessions: options.maxConcurrentSessions ?? 3 },
      plugins: { entries: { acpx: { enabled: true, config: { cwd: workDir } } } },
    };
    fs.writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });

    const marker = `OPENCLAW_SESSIONS_E2E_RUN=${path.basename(root)}`;
    const gateway = new RealGateway(info, marker);
    gateway.launch(options);
    try {
      // The console carries the same lines as the log file, and is ours alone (the file is not).
      await gateway.waitFor(() => gateway.output.includes('acpx runtime backend ready'), options.readyTimeoutMs ?? 120_000, 'acpx runtime backend ready');
    } catch (error) {
      await gateway.stop();
      throw error;
    }
    return gateway;
  }

  private launch(options: StartOptions): void {
    const [markerKey, markerValue] = this.marker.split('=') as [string, string];
    const env: NodeJS.ProcessEnv = {
      PATH: `${path.dirname(NODE22)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      LANG: 'C.UTF-8',
      ...this.info.cliEnv,
      // Inherited by the gateway's children (acpx, the fake agents): how stop() finds them
      // all, even those that left the process group.
      [markerKey]: markerValue,
      ...options.extraEnv,
    };
    // Own process group, so stop() can signal the wrapper and the gateway it forks together.
    this.child = spawn(NODE22, [OPENCLAW_ENTRY, 'gateway', 'run'], { cwd: this.info.root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
      // Diagnostics need the tail only; a chatty gateway must not grow memory without bound.
      if (this.output.length > 1_000_000) this.output = this.output.slice(-500_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.child.on('error', (error) => keep(Buffer.from(`\n[harness] spawn failed: ${error.message}\n`)));
    this.startWatchdog();
  }

  /**
   * A detached helper that outlives a test process killed by a timeout or a crash (where
   * no `after` hook runs) and then tears the gateway down, so no gateway survives the run.
   */
  private startWatchdog(): void {
    const script = `
      const fs = require('fs');
      const [parent, group, marker, root, acpxDir] = process.argv.slice(1);
      const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
      const sweep = () => {
        try { process.kill(-Number(group), 'SIGKILL'); } catch {}
        for (const name of fs.readdirSync('/proc')) {
          if (!/^\\d+$/.test(name) || Number(name) === process.pid) continue;
          try { if (fs.readFileSync('/proc/' + name + '/environ', 'latin1').split('\\0').includes(marker)) process.kill(Number(name), 'SIGKILL'); } catch {}
        }
        for (const dir of [root, acpxDir]) { if (dir) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch {} } }
      };
      const timer = setInterval(() => { if (!alive(Number(parent))) { clearInterval(timer); sweep(); process.exit(0); } }, 1000);
    `;
    const group = this.child?.pid;
    if (!group) return;
    const keepRoot = process.env.OPENCLAW_E2E_KEEP === '1';
    this.watchdog = spawn(process.execPath, ['-e', script, String(process.pid), String(group), this.marker, keepRoot ? '' : this.info.root, this.acpxSocketDir()], {
      detached: true,
      stdio: 'ignore',
    });
    this.watchdog.on('error', () => {});
    this.watchdog.unref();
  }

  /** acpx keeps queue sockets in /tmp/acpx-<first 10 hex of sha256(HOME)>, ignoring TMPDIR. */
  acpxSocketDir(): string {
    return path.join('/tmp', `acpx-${createHash('sha256').update(this.info.home).digest('hex').slice(0, 10)}`);
  }

  /**
   * The file log the gateway announced. 2026.4.2 always uses the shared
   * /tmp/openclaw/openclaw-<date>.log: its bundled logger cannot load the config, so
   * `logging.file` is ignored. Shared with every other gateway on the machine; read with care.
   */
  sharedLogFile(): string | null {
    return /\[gateway\] log file: (\S+)/.exec(this.output)?.[1] ?? null;
  }

  /** The last part of the gateway's console output, for failure messages. */
  outputTail(chars = 4000): string {
    return this.output.slice(-chars);
  }

  /** The gateway's pid from its singleton lock: the process to signal (not the wrapper). */
  gatewayPid(): number | null {
    try {
      const lock = JSON.parse(fs.readFileSync(this.info.lockFile, 'utf8')) as { pid?: unknown };
      return typeof lock.pid === 'number' ? lock.pid : null;
    } catch {
      return null;
    }
  }

  /** The pid of the process this harness started (a launcher that forks the gateway). */
  launcherPid(): number | null {
    return this.child?.pid ?? null;
  }

  async waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const started = Date.now();
    for (;;) {
      if (await check()) return;
      if (this.child && this.child.exitCode !== null && this.child.signalCode === null && !this.stopped) {
        const pid = this.gatewayPid();
        if (pid === null || !alive(pid)) throw new Error(`gateway exited (code ${this.child.exitCode}) while waiting for ${what}\n${this.outputTail()}`);
      }
      if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.outputTail()}`);
      await sleep(200);
    }
  }

  /** A connected client (reconnecting if the gateway dropped the last one). */
  async rpc(): Promise<GatewayRpcClient> {
    if (this.client?.isOpen) return this.client;
    await this.client?.close();
    this.client = null;
    const client = new GatewayRpcClient();
    // The device lives in the run's temp dir: the gateway pairs it silently on loopback.
    const identity = loadOrCreateDeviceIdentity(path.join(this.info.root, 'device', 'identity.json'));
    await client.connect({
      url: this.info.url,
      token: this.info.token,
      identity,
      clientId: 'cli',
      clientMode: 'cli',
      clientVersion: '0.1.0',
      scopes: OPERATOR_SCOPES,
      timeoutMs: 15_000,
    });
    this.client = client;
    return client;
  }

  /** The hello-ok of the current connection. */
  async hello(): Promise<HelloInfo> {
    const client = await this.rpc();
    return client.info!;
  }

  async call<T = unknown>(method: string, params?: unknown, options: CallOptions = {}): Promise<T> {
    return (await this.rpc()).call<T>(method, params, { timeoutMs: 30_000, ...options });
  }

  /**
   * Sends `text` to agent:main:main with chat.send and returns the reply text. Slash
   * commands are answered by the gateway itself (no model): `chat.send` acknowledges with
   * {runId, status:"started"} and the reply arrives as a `chat` event {runId, state:"final",
   * message:{content:[{type:"text", text}]}} whose runId is our idempotencyKey. Commands run
   * one at a time so replies cannot be confused.
   */
  chatCommand(text: string, timeoutMs = 60_000): Promise<string> {
    const run = this.commandQueue.then(() => this.chatCommandNow(text, timeoutMs));
    this.commandQueue = run.catch(() => undefined);
    return run;
  }

  private async chatCommandNow(text: string, timeoutMs: number): Promise<string> {
    const client = await this.rpc();
    const runId = randomUUID();
    const sentAt = Date.now();
    let settle: (value: { text?: string; error?: string }) => void = () => {};
    const reply = new Promise<{ text?: string; error?: string }>((resolve) => (settle = resolve));
    // Subscribed before sending: the event can arrive right behind the acknowledgement.
    const off = client.onEvent((event, payload) => {
      if (event !== 'chat' || typeof payload !== 'object' || payload === null) return;
      const p = payload as { runId?: string; state?: string; errorMessage?: string; message?: { content?: Array<{ type?: string; text?: string }> } };
      if (p.runId !== runId) return;
      if (p.state === 'final') settle({ text: (p.message?.content ?? []).map((part) => part.text ?? '').join('') });
      else if (p.state === 'error') settle({ error: p.errorMessage ?? 'unknown chat error' });
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await client.call('chat.send', { sessionKey: MAIN_SESSION_KEY, message: text, idempotencyKey: runId }, { timeoutMs: 30_000 });
      const outcome = await Promise.race([
        reply,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), timeoutMs);
        }),
      ]);
      if (outcome?.error !== undefined) throw new Error(`"${text}" failed: ${outcome.error}`);
      if (outcome?.text !== undefined) return outcome.text;
      // Missed the event (say, a reconnect in between): the reply is also in the transcript.
      const fromHistory = await this.replyFromHistory(sentAt);
      if (fromHistory !== null) return fromHistory;
      throw new Error(`no reply to "${text}" within ${timeoutMs} ms\n${this.outputTail()}`);
    } finally {
      if (timer) clearTimeout(timer);
      off();
    }
  }

  /** The newest assistant message in agent:main:main's transcript written after `since`. */
  private async replyFromHistory(since: number): Promise<string | null> {
    const history = await this.call<{ messages?: Array<{ role?: string; timestamp?: number; content?: Array<{ text?: string }> }> }>('chat.history', {
      sessionKey: MAIN_SESSION_KEY,
      limit: 10,
    });
    const replies = (history.messages ?? []).filter((m) => m.role === 'assistant' && (m.timestamp ?? 0) >= since);
    const last = replies[replies.length - 1];
    return last ? (last.content ?? []).map((part) => part.text ?? '').join('') : null;
  }

  /** `activeRuntimeSessions` from `/acp doctor`: the gateway's live ACP handle count. */
  async activeRuntimeSessions(): Promise<number> {
    const text = await this.chatCommand('/acp doctor');
    const match = /activeRuntimeSessions:\s*(\d+)/.exec(text);
    if (!match) throw new Error(`/acp doctor printed no activeRuntimeSessions:\n${text}`);
    return Number(match[1]);
  }

  /** `/acp spawn AGENT --mode MODE --thread off`: the new key, or the refusal message. */
  async spawnSession(agent = 'okay', mode: 'persistent' | 'oneshot' = 'persistent'): Promise<SpawnResult> {
    const before = new Set(this.allKeys());
    const message = await this.chatCommand(`/acp spawn ${agent} --mode ${mode} --thread off`);
    const fromText = /Spawned ACP session (agent:\S+?:acp:[0-9a-f-]+)/i.exec(message)?.[1];
    if (fromText) return { accepted: true, key: fromText, message };
    // Reply wording may change between versions; a new ACP key on disk is the proof too.
    const fresh = this.allKeys().filter((key) => !before.has(key) && key.includes(':acp:'));
    if (fresh.length === 1) return { accepted: true, key: fresh[0]!, message };
    return { accepted: false, message };
  }

  /**
   * The leak of OpenClaw #61539: a persistent session whose one turn fails. Its entry ends
   * `acp.state: "error"`, yet its runtime handle keeps counting against the cap.
   */
  async spawnFailedPersistentSession(): Promise<{ key: string; entry: StoreEntry }> {
    const spawned = await this.spawnSession('failer', 'persistent');
    if (!spawned.accepted) throw new Error(`spawning failer was refused: ${spawned.message}`);
    const key = spawned.key;
    try {
      // `agent` answers {status:"accepted"} at once and the outcome later under the same id.
      await this.call('agent', { message: 'please fail', sessionKey: key, idempotencyKey: randomUUID() }, { timeoutMs: 90_000, expectFinal: true });
      throw new Error(`the failer's turn on ${key} succeeded; the fake agent should have failed it`);
    } catch (error) {
      // Expected: UNAVAILABLE "AcpRuntimeError: acpx exited with code 1".
      if (!(error instanceof RpcError) || error.kind !== 'method') throw error;
    }
    // acp.state turns "error" first; `status` follows about a second later ("running" →
    // "failed"). Waiting for both hands later tests an entry that no longer changes.
    let entry: StoreEntry | undefined;
    await this.waitFor(
      () => {
        entry = this.findEntry(key);
        return entry?.acp?.state === 'error' && entry.status !== undefined && entry.status !== 'running';
      },
      30_000,
      `${key} to settle as acp.state "error" in sessions.json`,
    );
    return { key, entry: entry! };
  }

  storePath(agentId: string): string {
    return path.join(this.info.stateDir, 'agents', agentId, 'sessions', 'sessions.json');
  }

  /** One agent's sessions.json ({} when absent; a half-written file is retried by callers). */
  readStore(agentId: string): Record<string, StoreEntry> {
    try {
      return JSON.parse(fs.readFileSync(this.storePath(agentId), 'utf8')) as Record<string, StoreEntry>;
    } catch {
      return {};
    }
  }

  agentIds(): string[] {
    try {
      return fs.readdirSync(path.join(this.info.stateDir, 'agents'));
    } catch {
      return [];
    }
  }

  allKeys(): string[] {
    return this.agentIds().flatMap((id) => Object.keys(this.readStore(id)));
  }

  /** The entry for `key` in whichever agent's store holds it (ACP keys sit in the ACP agent's). */
  findEntry(key: string): StoreEntry | undefined {
    for (const id of this.agentIds()) {
      const entry = this.readStore(id)[key];
      if (entry) return entry;
    }
    return undefined;
  }

  /**
   * Stops the gateway and everything it started, then removes the run's files (kept, and
   * printed, with OPENCLAW_E2E_KEEP=1). SIGTERM first so it can release its lock; SIGKILL
   * for whatever is left after a few seconds. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.client?.close().catch(() => {});
    this.client = null;

    // The launcher, the gateway it forks, acpx and the agents all carry the marker.
    const targets = (): number[] => processesWithEnv(this.marker);
    const group = this.child?.pid;
    const signal = (sig: NodeJS.Signals) => {
      if (group) {
        try {
          process.kill(-group, sig);
        } catch {
          // group already empty
        }
      }
      for (const pid of targets()) {
        try {
          process.kill(pid, sig);
        } catch {
          // exited meanwhile
        }
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline && (targets().length > 0 || (group !== undefined && alive(group)))) await sleep(100);
    signal('SIGKILL');
    for (let i = 0; i < 20 && targets().length > 0; i++) await sleep(100);

    try {
      this.watchdog?.kill('SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(this.acpxSocketDir(), { recursive: true, force: true });
    if (process.env.OPENCLAW_E2E_KEEP === '1') {
      process.stderr.write(`[harness] kept ${this.info.root}\n`);
      return;
    }
    fs.rmSync(this.info.root, { recursive: true, force: true });
  }
}

export const startGateway = (options?: StartOptions): Promise<RealGateway> => RealGateway.start(options);
