/**
 * Everything about the running gateway that decides what a command may do: is one answering
 * (discover.ts: lock, port, --url), is its pid verified, which version, does RPC work with our
 * device, what is its live ACP count (`/acp doctor`), and would a restart really replace the
 * process (respawn.ts). Secrets reach only a target discovery proved (or the operator named).
 */
import path from 'node:path';
import type { LoadedConfig } from '../store/config.js';
import { findInstalledOpenclaw, storeGenerationOf, type StoreGeneration } from '../store/openclaw-version.js';
import type { Env } from '../env.js';
import type { StateLocation } from '../store/paths.js';
import { configuredAgentIds, jsonStorePathFor } from '../store/stores.js';
import { discoverGateway, type Discovery } from './discover.js';
import type { LockFinding, VerifiedGateway } from './lock-file.js';
import type { AcpDoctorReport } from './live-acp.js';
import type { ProgressLine } from './probe-deletes.js';
import { restartJudgement, type RestartJudgement } from './respawn.js';
import type { GatewayRpc } from './rpc-client.js';
import { RpcError } from './rpc-error.js';
import { rootSecretsFor, type WithheldSecret } from './root-secrets.js';
import { cpuClockOf } from '../system/proc-tree.js';
import { UNPINNED_COMMANDS, type InstallCommands } from '../install-commands.js';

export interface LiveAcp {
  /** Handles the gateway holds now; null when it could not be read. */
  activeRuntimeSessions: number | null;
  report: AcpDoctorReport | null;
  /** Why the count is null. */
  why: string | null;
}

export interface GatewayStatus {
  /** Something answers as an OpenClaw gateway on the target (port or URL). */
  running: boolean;
  /** The verified local gateway, the only one ever signalled; null = "pid unknown" when running. */
  gateway: VerifiedGateway | null;
  /** Lock files that failed verification: reported, never signalled. */
  stale: LockFinding[];
  discovery: Discovery;
  configPath: string;
  url: string;
  port: number;
  tls: boolean;
  /** The operator named the target (--url, OPENCLAW_GATEWAY_URL, gateway.remote.url). */
  remote: boolean;
  ready: boolean;
  version: string | null;
  versionSource: 'hello' | 'process' | 'package' | null;
  generation: StoreGeneration;
  rpc: { ok: true; methods: string[]; scopes: string[] } | { ok: false; why: string };
  live: LiveAcp;
  restart: RestartJudgement;
  noRespawn: boolean | null;
  /** Root's environment secrets not sent to this target (root-secrets.ts): names and lines, never values. */
  withheld: WithheldSecret[];
}

export interface GatewayCredentials {
  token?: string;
  password?: string;
}

export interface ProbeOptions {
  /** Try an RPC connection (creates the tool's device identity if needed). */
  rpc: boolean;
  /** Read the live ACP count (needs rpc). */
  live?: boolean;
  /** `--url`, `--token`, `--password` from the command line. */
  url?: string;
  token?: string;
  password?: string;
  timeoutMs?: number;
  liveTimeoutMs?: number;
  /** How long the live read's probe delete is waited for, ms (live-acp.ts; default PROBE_DELETE_TIMEOUT_MS). */
  deleteTimeoutMs?: number;
  /** Where a slow live read says what it waits for (a terminal's stderr; live-acp.ts). */
  progress?: ProgressLine;
  /**
   * Where a line about a withheld secret goes (one line, no prefix): an interactive run's stderr.
   * Unattended runs pass none; `withheld` and a failed RPC's why still say it (root-secrets.ts).
   */
  warn?: (line: string) => void;
  /** The commands advice names (`openclaw gateway restart`, …), pinned to this install (install-commands.ts). */
  commands?: InstallCommands;
}

/** Secrets stay out of the status object (which is rendered and serialised). */
const credentialsOf = new WeakMap<GatewayStatus, GatewayCredentials & { stateDir: string; archiveDir: string | null }>();

/**
 * Where a local gateway archives the default agent's transcripts: its store's directory (the
 * probe session is created there, docs/openclaw-files.md). For a gateway on this host only.
 */
function probeArchiveDir(location: StateLocation, config: LoadedConfig): string {
  const agentId = configuredAgentIds(config.facts).defaultId;
  return path.dirname(jsonStorePathFor(location.stateDir, agentId, config.facts.session?.store, location.home));
}

/** The config path the gateway hashes for its lock: the resolved one, or the default it would use. */
export function gatewayConfigPath(location: StateLocation): string {
  return location.configPath ?? path.join(location.stateDir, 'openclaw.json');
}

/** Flag, then env, then config (`gateway.remote.*` for a remote target, `gateway.auth.*` locally), as OpenClaw's client does. */
export function resolveCredentials(config: LoadedConfig, env: Env, options: { token?: string; password?: string; remote: boolean }): GatewayCredentials {
  const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  if (str(options.token) || str(options.password)) return { token: str(options.token), password: str(options.password) };
  const gateway = config.facts.gateway;
  const source = options.remote && gateway?.mode === 'remote' ? gateway.remote : gateway?.auth;
  const token = str(env.OPENCLAW_GATEWAY_TOKEN) ?? str(source?.token);
  const password = str(env.OPENCLAW_GATEWAY_PASSWORD) ?? str(source?.password);
  // Password mode uses only the password; otherwise a token wins when both exist.
  if (!options.remote && gateway?.auth?.mode === 'password') return { password };
  return token ? { token } : { password };
}

export async function probeGateway(location: StateLocation, config: LoadedConfig, env: Env, options: ProbeOptions): Promise<GatewayStatus> {
  const discovery = await discoverGateway(location, config, env, { flagUrl: options.url, timeoutMs: options.timeoutMs ?? 2000 });
  const gateway = discovery.verified;
  const running = discovery.answers;
  const remote = discovery.target.explicit;
  // A root run acting as the owner sends root's own secrets only where the owner learns nothing (root-secrets.ts).
  const secrets = rootSecretsFor(discovery, config, env, options);
  for (const secret of secrets.withheld) options.warn?.(secret.line);
  const credentials = resolveCredentials(config, secrets.env, { token: options.token, password: options.password, remote });

  const status = {} as GatewayStatus;
  const archiveDir = remote ? null : probeArchiveDir(location, config);
  credentialsOf.set(status, { ...credentials, stateDir: location.stateDir, archiveDir });
  const session = running && options.rpc ? await rpcSession(discovery, config, credentials, location.stateDir, { ...options, archiveDir }) : null;
  // A connected RPC session answered the WebSocket handshake with connect.challenge (the client
  // sends `connect` only in answer to it): what the probe did not ask, the session showed.
  if (session?.rpc.ok && discovery.health.websocket === null) discovery.health.websocket = true;
  // A port that accepts connections but answers nothing may hold a hung gateway: not "no running gateway".
  const notRunning = remote ? `nothing answers at ${discovery.target.url}` : discovery.health.listening ? `port ${discovery.target.port} accepts connections but nothing there answers as a gateway` : 'no running gateway';
  // A gateway that answers and was not asked: the operator said --no-rpc (the only way `rpc` is off).
  const rpc: GatewayStatus['rpc'] = session?.rpc ?? { ok: false, why: running ? 'not tried (--no-rpc)' : notRunning };
  // A refusal may be the withheld secret's doing: the why says so even where the line was not printed (cron).
  if (session && !rpc.ok && secrets.withheld.length > 0) rpc.why = `${rpc.why}; ${secrets.withheld.map((secret) => secret.line).join('; ')}`;
  const live: LiveAcp = session?.live ?? { activeRuntimeSessions: null, report: null, why: running ? 'RPC not tried (--no-rpc)' : notRunning };
  let version: string | null = session?.version ?? null;
  let versionSource: GatewayStatus['versionSource'] = version ? 'hello' : null;
  if (!version && gateway?.packageVersion) {
    version = gateway.packageVersion;
    versionSource = 'process';
  }
  if (!version && !remote) {
    const installed = findInstalledOpenclaw(env);
    if (installed.version) {
      version = installed.version;
      versionSource = 'package';
    }
  }

  Object.assign(status, {
    running,
    gateway,
    stale: discovery.rejected,
    discovery,
    configPath: gatewayConfigPath(location),
    url: discovery.target.url,
    port: discovery.target.port,
    tls: discovery.target.tls,
    remote,
    ready: discovery.health.readyz,
    version,
    versionSource,
    generation: storeGenerationOf(version),
    rpc,
    live,
    restart: restartJudgement(discovery, config, version, options.commands),
    noRespawn: gateway?.environ ? /^(1|true|yes|on)$/i.test(gateway.environ.OPENCLAW_NO_RESPAWN?.trim() ?? '') : null,
    withheld: secrets.withheld,
  } satisfies GatewayStatus);
  return status;
}

/**
 * One RPC session with a proven target: connect (our device, the resolved secret), check the
 * grant, and read the live count. Never throws; a refusal becomes `rpc.ok: false` with why.
 */
async function rpcSession(discovery: Discovery, config: LoadedConfig, credentials: GatewayCredentials, stateDir: string, options: ProbeOptions & { archiveDir: string | null }): Promise<{ rpc: GatewayStatus['rpc']; live: LiveAcp; version: string | null }> {
  if (!discovery.secrets.ok) {
    const why = `the listener on port ${discovery.target.port} is not proven to be the gateway, so no token is sent: ${discovery.secrets.why}`;
    return { rpc: { ok: false, why }, live: { activeRuntimeSessions: null, report: null, why }, version: null };
  }
  const timeoutMs = Math.max(options.timeoutMs ?? 5000, 5000);
  let client: GatewayRpc | null = null;
  let housekeeping: Promise<unknown> | null = null;
  try {
    client = await connect(discovery.target.url, credentials, stateDir, timeoutMs);
    const scopes = client.hello.scopes;
    if (scopes.length > 0 && !scopes.includes('operator.admin')) {
      throw new RpcError('auth', `connected, but without operator.admin (scopes: ${scopes.join(', ')}); ${approvalHint(discovery, options.commands)}`);
    }
    // No scopes in hello-ok: the secret admitted us but the device may not be paired; only a real call tells.
    if (scopes.length === 0) await client.call('sessions.list', { limit: 1 }, { timeoutMs });
    let live: LiveAcp = { activeRuntimeSessions: null, report: null, why: 'not read' };
    if (options.live) {
      const { readLiveAcp } = await import('./live-acp.js');
      const reading = await readLiveAcp(client, { agentId: configuredAgentIds(config.facts).defaultId, timeoutMs: options.liveTimeoutMs ?? 60_000, deleteTimeoutMs: options.deleteTimeoutMs, archiveDir: options.archiveDir, progress: options.progress, gatewayCpuMs: cpuClockOf(discovery.verified?.pid) });
      housekeeping = reading.probeDeleted;
      live = reading.ok ? { activeRuntimeSessions: reading.report.activeRuntimeSessions, report: reading.report, why: null } : { activeRuntimeSessions: null, report: null, why: reading.why };
    }
    return { rpc: { ok: true, methods: client.hello.methods, scopes }, live, version: client.hello.serverVersion };
  } catch (error) {
    const why = error instanceof RpcError ? (/pairing required|NOT_PAIRED|missing scope/i.test(error.message) ? `${error.message}; ${approvalHint(discovery, options.commands)}` : error.message) : String(error);
    return { rpc: { ok: false, why }, live: { activeRuntimeSessions: null, report: null, why: `RPC unavailable: ${why}` }, version: null };
  } finally {
    closeWhenDone(client, housekeeping);
  }
}

/** Device approval is automatic on loopback; elsewhere the gateway's operator approves it. A loopback one is this install's: `commands` pins its `openclaw`. */
export function approvalHint(discovery: Discovery, commands: InstallCommands = UNPINNED_COMMANDS): string {
  return discovery.target.host && discovery.target.url.match(/\/\/(127\.|localhost|\[::1\])/)
    ? `approve this device on the gateway host: ${commands.openclaw(['devices', 'approve', '--latest'])}`
    : `a non-loopback gateway pairs new devices only with approval: on the gateway host run \`openclaw devices list\`, then \`openclaw devices approve <requestId>\` (or --latest)`;
}

/**
 * The RPC client, the device identity and the live-count reader load on the first connection:
 * with no gateway answering (the usual `list`), none of them (nor node:crypto) is loaded.
 */
async function connect(url: string, credentials: GatewayCredentials, stateDir: string, timeoutMs: number): Promise<GatewayRpc> {
  const [{ GatewayRpc, OPERATOR_SCOPES }, { devicePathFor, loadOrCreateDevice }] = await Promise.all([import('./rpc-client.js'), import('./device.js')]);
  return GatewayRpc.connect({
    url,
    token: credentials.token,
    password: credentials.token ? undefined : credentials.password,
    device: loadOrCreateDevice(devicePathFor(stateDir)),
    scopes: OPERATOR_SCOPES,
    timeoutMs,
  });
}

/**
 * A fresh RPC connection to the gateway this status proved (or the operator named), only while
 * the same listener holds its port (same-listener.ts): no token goes to a process that took the
 * port since. `pid`: a gateway verified since (the new process after a restart).
 */
export async function connectRpc(status: GatewayStatus, timeoutMs: number, pid?: number): Promise<GatewayRpc> {
  if (!status.discovery.secrets.ok) throw new RpcError('auth', `not connecting: ${status.discovery.secrets.why}`);
  const { listenerChangedSince } = await import('./same-listener.js');
  const changed = listenerChangedSince(status, pid);
  if (changed) throw new RpcError('connect', `not connecting: ${changed}`);
  const stored = credentialsOf.get(status);
  if (!stored) throw new RpcError('auth', 'no credentials recorded for this gateway');
  return connect(status.url, stored, stored.stateDir, timeoutMs);
}

/**
 * Reads the live count again (after a prune or a restart) over a fresh connection, from the same
 * gateway process (`pid`: the new one after a verified restart), never from one that replaced it.
 */
export async function readLiveAgain(status: GatewayStatus, config: LoadedConfig, pid?: number, timeoutMs = 60_000, progress?: ProgressLine): Promise<LiveAcp> {
  let client: GatewayRpc | null = null;
  let housekeeping: Promise<unknown> | null = null;
  try {
    client = await connectRpc(status, 15_000, pid);
    const { readLiveAcp } = await import('./live-acp.js');
    const reading = await readLiveAcp(client, { agentId: configuredAgentIds(config.facts).defaultId, timeoutMs, archiveDir: credentialsOf.get(status)?.archiveDir ?? null, progress, gatewayCpuMs: cpuClockOf(pid ?? status.gateway?.pid) });
    housekeeping = reading.probeDeleted;
    return reading.ok ? { activeRuntimeSessions: reading.report.activeRuntimeSessions, report: reading.report, why: null } : { activeRuntimeSessions: null, report: null, why: reading.why };
  } catch (error) {
    return { activeRuntimeSessions: null, report: null, why: error instanceof Error ? error.message : String(error) };
  } finally {
    closeWhenDone(client, housekeeping);
  }
}

/**
 * Closes the connection once the live read's probe delete is answered (or timed out): closed
 * earlier, the delete and the removal of its archive would be cut short. The open connection
 * keeps the process alive until then, after the command's output (probe-deletes.ts).
 */
function closeWhenDone(client: GatewayRpc | null, housekeeping: Promise<unknown> | null): void {
  if (!client) return;
  if (!housekeeping) {
    client.close();
    return;
  }
  void housekeeping.finally(() => client.close());
}
