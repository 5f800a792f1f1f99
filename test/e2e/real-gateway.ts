/**
 * A real OpenClaw gateway for end-to-end tests (docs/openclaw.md §10), isolated in a temp HOME with its own
 * state dir, config, port, token and TMPDIR, and model-free ACP agents: `failer` fails every
 * turn (the leak), `okay` succeeds. One version per test process: OPENCLAW_E2E_VERSION
 * (default 2026.4.2), installed by `.ci/install-openclaw.sh VERSION` (docs/openclaw-versions.md
 * says what each version needs).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { devicePathFor, loadOrCreateDevice } from '../../src/gateway/device.js';
import { GatewayRpc } from '../../src/gateway/rpc-client.js';
import { silenceSqliteExperimentalWarning } from '../../src/store/sqlite-open.js';

export const E2E_VERSION = process.env.OPENCLAW_E2E_VERSION ?? '2026.4.2';
/** Where `.ci/install-openclaw.sh VERSION` puts a version (4.2 keeps its original directory). */
export function installDirFor(version: string): string {
  if (process.env.OPENCLAW_E2E_HOME) return process.env.OPENCLAW_E2E_HOME;
  const base = path.join(os.homedir(), '.cache', 'openclaw-sessions-e2e');
  return version === '2026.4.2' ? base : `${base}-${version}`;
}
export const E2E_HOME = installDirFor(E2E_VERSION);
/** The Node the gateway runs on (22; 24 for 2026.9.x). Named NODE22 for the lanes written before 9.x. */
export const NODE22 = path.join(E2E_HOME, E2E_VERSION.startsWith('2026.9.') ? 'node24' : 'node22', 'bin', 'node');
export const OPENCLAW_ENTRY = path.join(E2E_HOME, 'openclaw', 'node_modules', 'openclaw', 'openclaw.mjs');
const FAKE_AGENT = fileURLToPath(new URL('../../../test/e2e/fixtures/fake-acp-agent.mjs', import.meta.url));

/** What differs between the versions the lanes run (docs/openclaw-versions.md). */
export const LANE = {
  version: E2E_VERSION,
  /** acp.maxConcurrentSessions exists (removed in 2026.8.1: an invalid key on 9.x). */
  hasCap: !/^2026\.(8|9|1\d)\./.test(E2E_VERSION),
  /** ACP state lives in state/openclaw.sqlite, not in the sessions.json entries. */
  acpInStateDb: /^2026\.(7|8|9|1\d)\./.test(E2E_VERSION),
  /** Sessions in per-agent SQLite (8.1+). */
  sqliteSessions: /^2026\.(8|9|1\d)\./.test(E2E_VERSION),
  /** acpx is not bundled: the 4.29 build is installed as a local plugin (7.x, 9.x). */
  externalAcpx: !/^2026\.4\./.test(E2E_VERSION),
  /** acpx agents are declared in plugins.entries.acpx.config.agents (4.29+), not only ~/.acpx. */
  agentsInPluginConfig: E2E_VERSION !== '2026.4.2',
  /** Restart signal (docs/openclaw.md §8). */
  restartSignal: /^2026\.(9|1\d)\./.test(E2E_VERSION) ? 'SIGUSR2' : 'SIGUSR1',
} as const;

/** Why the lane cannot run here, or null. With OPENCLAW_E2E=1 a missing install is a failure. */
export function e2eUnavailable(): string | null {
  if (existsSync(NODE22) && existsSync(OPENCLAW_ENTRY) && existsSync(path.join(E2E_HOME, `.installed-${E2E_VERSION}`))) return null;
  return `real OpenClaw ${E2E_VERSION} not installed in ${E2E_HOME} (run: bash .ci/install-openclaw.sh ${E2E_VERSION})`;
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

/** Rows of a live gateway database, read-only (the lane runs on Node 22+, which has node:sqlite). */
function sqliteRows(file: string, sql: string): Array<Record<string, unknown>> {
  silenceSqliteExperimentalWarning();
  const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const sqlite = getBuiltin?.('node:sqlite') as { DatabaseSync: new (f: string, o: { readOnly: boolean }) => { prepare(q: string): { all(): unknown[] }; close(): void } } | undefined;
  if (!sqlite) throw new Error(`the ${E2E_VERSION} lane needs node:sqlite: run it on ${NODE22}`);
  const db = new sqlite.DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * 7.x/9.x: the acpx plugin goes into the gateway's state dir with `openclaw plugins install`,
 * as an operator would (about 30 s of CLI start-up). Its install record holds the absolute
 * install path, so a copy of another state dir's install is "missing" to the gateway, which
 * then tries npm and refuses to start: each gateway gets its own install.
 */
function installAcpxPlugin(env: Record<string, string>, cwd: string): void {
  const args = [OPENCLAW_ENTRY, 'plugins', 'install', path.join(E2E_HOME, 'acpx-plugin')];
  // 9.x refuses a local path without these (the plugin is not from ClawHub).
  if (/^2026\.(9|1\d)\./.test(E2E_VERSION)) args.push('--force', '--accept-capabilities');
  execFileSync(NODE22, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

export interface GatewayOptions {
  maxConcurrentSessions?: number | null;
  extraEnv?: Record<string, string>;
  /** An OpenAI-compatible server to configure as the default model `fake/fake-1` (a real-turn corpus). */
  modelBaseUrl?: string;
  /** `agents.defaults.llm.idleTimeoutSeconds` (the gateway's default is 60). */
  llmIdleTimeoutSeconds?: number;
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
  output = '';
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

  /** The environment the gateway itself runs with (the tool's, plus the lane's plugin paths). */
  private gatewayEnv(): Record<string, string> {
    return {
      PATH: `${path.dirname(NODE22)}:${process.env.PATH ?? ''}`,
      LANG: 'C.UTF-8',
      ...this.env,
      // 4.29 stages bundled plugins' runtime deps here (installed by `plugins deps --repair`).
      ...(existsSync(path.join(E2E_HOME, 'plugin-runtime-deps')) ? { OPENCLAW_PLUGIN_STAGE_DIR: path.join(E2E_HOME, 'plugin-runtime-deps') } : {}),
      // If a version still stages plugin deps at run time, its npm must trust this machine's CA
      // (the gateway's HOME is isolated from ~/.npmrc); otherwise it retries until it times out.
      ...Object.fromEntries(['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'].filter((name) => process.env[name]).map((name) => [name, process.env[name]!])),
      ...this.options.extraEnv,
    };
  }

  async start(): Promise<void> {
    this.port = await freePort();
    for (const dir of [this.home, this.stateDir, this.tmpDir, path.join(this.root, 'work'), path.join(this.home, '.acpx')]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const agent = (mode: string) => ({ command: `${NODE22} ${FAKE_AGENT} ${mode}` });
    const agents = { failer: agent('fail'), okay: agent('ok') };
    writeFileSync(path.join(this.home, '.acpx', 'config.json'), JSON.stringify({ agents }));
    const cap = LANE.hasCap ? `, maxConcurrentSessions: ${this.options.maxConcurrentSessions ?? 3}` : '';
    const acpxConfig = { cwd: path.join(this.root, 'work'), ...(LANE.agentsInPluginConfig ? { agents } : {}) };
    writeFileSync(
      this.configPath,
      `// written by the openclaw-sessions e2e harness (JSON5), for openclaw ${E2E_VERSION}
{
  gateway: { mode: "local", bind: "loopback", port: ${this.port}, auth: { mode: "token", token: "${this.token}" }, tools: { allow: ["sessions_spawn"] } },
  discovery: { mdns: { mode: "off" } },
  update: { checkOnStart: false },
  agents: { defaults: { heartbeat: { every: "0m" }${this.modelDefaults()} }${LANE.sqliteSessions ? ', list: [{ id: "main", default: true }, { id: "failer" }, { id: "okay" }]' : ''} },
  acp: { enabled: true, backend: "acpx", allowedAgents: ["failer", "okay"]${cap} },
  plugins: { entries: { acpx: { enabled: true, config: ${JSON.stringify(acpxConfig)} } } },${this.modelProviders()}
}
`,
      { mode: 0o600 },
    );
    if (LANE.externalAcpx) installAcpxPlugin(this.gatewayEnv(), this.root);
    await this.launch();
  }

  private modelDefaults(): string {
    if (!this.options.modelBaseUrl) return '';
    const idle = this.options.llmIdleTimeoutSeconds === undefined ? '' : `, llm: { idleTimeoutSeconds: ${this.options.llmIdleTimeoutSeconds} }`;
    return `, model: { primary: "fake/fake-1" }${idle}`;
  }

  private modelProviders(): string {
    if (!this.options.modelBaseUrl) return '';
    return `
  models: { providers: { fake: { baseUrl: "${this.options.modelBaseUrl}", apiKey: "sk-local", api: "openai-completions",
    models: [{ id: "fake-1", name: "Fake 1", reasoning: false, input: ["text"], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 200000, maxTokens: 8192 }] } } },`;
  }

  /** Starts the gateway process on the config already written (start, or after killHard). */
  async launch(): Promise<void> {
    this.output = '';
    this.child = spawn(NODE22, [OPENCLAW_ENTRY, 'gateway', 'run'], {
      cwd: this.root,
      env: this.gatewayEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
    // 4.2 starts acpx eagerly ("acpx runtime backend ready"); 4.29+ registers it lazily and
    // logs "[gateway] ready" when it accepts work.
    await this.waitFor(() => /acpx runtime backend ready/.test(this.output) || (/acpx runtime backend registered/.test(this.output) && /\[gateway\] ready/.test(this.output)), 180_000, 'the gateway and its acpx backend to be ready');
  }

  /** Directories that may hold the singleton lock: `$TMPDIR/openclaw-<uid>` (4.x–7.x), `<stateDir>/tmp/openclaw-<uid>` (9.x). */
  lockDirs(): string[] {
    const uid = process.getuid?.() ?? 0;
    return [path.join(this.tmpDir, `openclaw-${uid}`), path.join(this.stateDir, 'tmp', `openclaw-${uid}`)];
  }

  /** The gateway pid from its singleton lock (the process that must be signalled). */
  lockPid(): number | null {
    for (const dir of this.lockDirs()) {
      try {
        const lock = readdirSync(dir).find((name) => /^gateway\.[0-9a-f]{8}\.lock$/.test(name));
        if (lock) return (JSON.parse(readFileSync(path.join(dir, lock), 'utf8')) as { pid: number }).pid;
      } catch {
        // not this layout
      }
    }
    return null;
  }

  async client(): Promise<GatewayRpc> {
    if (this.rpc) return this.rpc;
    // A gateway loading its plugins for its first chat command blocks its event loop (up to 76 s
    // on 2026.4.29, docs/openclaw-first-read.md): a connect then gets no reply within 15 s (CI on a
    // fresh machine, first-read.test). Connect again until it answers, for up to 2 minutes.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        // The tool's own device file: the same identity the CLI under test will present.
        this.rpc = await GatewayRpc.connect({ url: `ws://127.0.0.1:${this.port}`, token: this.token, device: loadOrCreateDevice(devicePathFor(this.stateDir)), timeoutMs: 15_000 });
        return this.rpc;
      } catch (error) {
        if (Date.now() > deadline || !/no connect reply/.test((error as Error).message)) throw error;
      }
    }
  }

  dropClient(): void {
    this.rpc?.close();
    this.rpc = null;
  }

  /** Sends a slash command to agent:main:main and returns the gateway's final reply text. */
  async command(text: string, timeoutMs = 300_000): Promise<string> {
    const rpc = await this.client();
    const finals = new Map<string, string>();
    let wanted: string | null = null;
    let resolveReply: (text: string) => void = () => undefined;
    const reply = new Promise<string>((resolve) => (resolveReply = resolve));
    const timer = new AbortController();
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
      return await Promise.race([reply, sleep(timeoutMs, undefined, { signal: timer.signal }).then(
        () => Promise.reject(new Error(`no reply to "${text}" within ${timeoutMs} ms`)),
        () => new Promise<never>(() => undefined), // aborted: the reply won
      )]);
    } finally {
      // A pending timer would keep the test process alive for the rest of timeoutMs.
      timer.abort();
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

  /**
   * Deletes entries from a JSON store the way an operator's editor would (write + rename, no
   * lock): the gateway keeps their runtime handles, which are then orphaned (4.x–7.x stores).
   */
  removeByHand(agentId: string, keys: string[]): void {
    const file = path.join(this.stateDir, 'agents', agentId, 'sessions', 'sessions.json');
    const store = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const key of keys) delete store[key];
    writeFileSync(`${file}.hand`, JSON.stringify(store, null, 2), { mode: 0o600 });
    renameSync(`${file}.hand`, file);
  }

  storeOf(agentId: string): Record<string, { acp?: { state?: string; lastError?: string }; status?: string; sessionId?: string }> {
    const file = path.join(this.stateDir, 'agents', agentId, 'sessions', 'sessions.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, { acp?: { state?: string } }>;
    // 8.1+: per-agent SQLite, current rows only (docs/openclaw.md §9).
    const db = path.join(this.stateDir, 'agents', agentId, 'agent', 'openclaw-agent.sqlite');
    if (!existsSync(db)) return {};
    const out: Record<string, { status?: string; sessionId?: string }> = {};
    for (const row of sqliteRows(db, 'SELECT session_key, current_session_id, entry_json FROM session_nodes WHERE archived_at IS NULL')) {
      const entry = JSON.parse(String(row.entry_json)) as { sessionId?: string; status?: string };
      if (entry.sessionId === row.current_session_id) out[String(row.session_key)] = entry;
    }
    return out;
  }

  /**
   * The ACP state of a session as this version keeps it: the entry's `acp` (4.x) or its
   * `acp_sessions` row in state/openclaw.sqlite (7.x+), read here independently of the tool.
   */
  acpOf(agentId: string, key: string): { state?: string; lastError?: string | null; mode?: string } | undefined {
    if (!LANE.acpInStateDb) return this.storeOf(agentId)[key]?.acp;
    const db = path.join(this.stateDir, 'state', 'openclaw.sqlite');
    if (!existsSync(db)) return undefined;
    const wanted = [key, `@acp:v1:${Buffer.from(JSON.stringify([agentId, key]), 'utf8').toString('base64url')}`];
    const row = sqliteRows(db, 'SELECT session_key, state, last_error, mode FROM acp_sessions').find((r) => wanted.includes(String(r.session_key)));
    return row ? { state: String(row.state), lastError: row.last_error === null ? null : String(row.last_error), mode: String(row.mode) } : undefined;
  }

  /**
   * Copies what the tool reads into `dir` (sessions.json stores, per-agent SQLite and
   * state/openclaw.sqlite, each database through `VACUUM INTO`, which reads a live database
   * consistently and writes only the new file): a real-shape fixture for tests without a gateway.
   */
  snapshotTo(dir: string): void {
    const copyDb = (from: string, to: string) => {
      mkdirSync(path.dirname(to), { recursive: true });
      silenceSqliteExperimentalWarning();
      const getBuiltin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
      const sqlite = getBuiltin?.('node:sqlite') as { DatabaseSync: new (f: string, o: { readOnly: boolean }) => { exec(q: string): void; close(): void } };
      const db = new sqlite.DatabaseSync(from, { readOnly: true });
      try {
        db.exec(`VACUUM INTO '${to.replaceAll("'", "''")}'`);
      } finally {
        db.close();
      }
    };
    for (const agent of readdirSync(path.join(this.stateDir, 'agents'))) {
      const json = path.join(this.stateDir, 'agents', agent, 'sessions', 'sessions.json');
      if (existsSync(json)) {
        mkdirSync(path.join(dir, 'agents', agent, 'sessions'), { recursive: true });
        writeFileSync(path.join(dir, 'agents', agent, 'sessions', 'sessions.json'), readFileSync(json));
      }
      const agentDb = path.join(this.stateDir, 'agents', agent, 'agent', 'openclaw-agent.sqlite');
      if (existsSync(agentDb)) copyDb(agentDb, path.join(dir, 'agents', agent, 'agent', 'openclaw-agent.sqlite'));
    }
    const stateDb = path.join(this.stateDir, 'state', 'openclaw.sqlite');
    if (existsSync(stateDb)) copyDb(stateDb, path.join(dir, 'state', 'openclaw.sqlite'));
  }

  /** A persistent session whose one turn fails: ACP state "error", still counted (the leak). */
  async spawnFailedSession(): Promise<string> {
    const spawned = await this.spawn('failer');
    if (!('key' in spawned)) throw new Error(`spawn refused: ${spawned.refused}`);
    const rpc = await this.client();
    await rpc.call('agent', { message: 'please fail', sessionKey: spawned.key, idempotencyKey: randomUUID() }, { timeoutMs: 180_000 });
    // `status` follows the ACP state about a second later; wait for both to settle.
    await this.waitFor(() => {
      const entry = this.storeOf('failer')[spawned.key];
      return this.acpOf('failer', spawned.key)?.state === 'error' && entry?.status === 'failed';
    }, 180_000, `${spawned.key} to be marked error and failed`);
    return spawned.key;
  }

  /** A persistent session whose one turn succeeds: idle and healthy, which no default prune may touch. */
  async spawnIdleSession(): Promise<string> {
    const spawned = await this.spawn('okay');
    if (!('key' in spawned)) throw new Error(`spawn refused: ${spawned.refused}`);
    const rpc = await this.client();
    await rpc.call('agent', { message: 'hello', sessionKey: spawned.key, idempotencyKey: randomUUID() }, { timeoutMs: 180_000 });
    await this.waitFor(() => {
      const entry = this.storeOf('okay')[spawned.key];
      return this.acpOf('okay', spawned.key)?.state === 'idle' && entry?.status === 'done';
    }, 180_000, `${spawned.key} to be idle after a good turn`);
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

  /**
   * Waits until `/healthz` answers within 2 s, as the tool asks it (gateway/health.ts): after a
   * live read the gateway deletes the tool's probe session, and on 2026.4.29 that blocks its
   * event loop 7-22 s (docs/openclaw-probe-delete.md), longer on a slower host. A command the test
   * runs next would then rightly find the gateway silent (CI's 4.29 lane on a slow VM: `gateway
   * --json` said not running right after `doctor`). An operator's next command comes later.
   */
  async waitAnswering(timeoutMs = 180_000): Promise<void> {
    await this.waitFor(async () => {
      try {
        return (await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false;
      }
    }, timeoutMs, 'the gateway to answer /healthz within 2 s');
  }

  /**
   * Waits until `/acp doctor` answers with `count` runtime handles: after a restart the new
   * process refuses connections for a while, so a failed read drops the client and retries.
   */
  async waitForLiveCount(count: number, timeoutMs = 60_000): Promise<void> {
    await this.waitFor(async () => {
      try {
        return (await this.activeRuntimeSessions()) === count;
      } catch {
        this.dropClient();
        return false;
      }
    }, timeoutMs, `the gateway to answer /acp doctor with ${count} handles`);
  }

  /** kill -9 of every gateway process of this run (a crash mid-turn); the state stays. */
  async killHard(): Promise<void> {
    this.dropClient();
    this.killAll();
    await this.waitFor(() => processesWithEnv(`OPENCLAW_STATE_DIR=${this.stateDir}`).length === 0, 10_000, 'the killed gateway to be gone').catch(() => undefined);
    this.child = null;
  }

  async stop(): Promise<void> {
    this.dropClient();
    this.killAll();
    await sleep(300);
    rmSync(this.root, { recursive: true, force: true });
  }

  private killAll(): void {
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
  }
}
