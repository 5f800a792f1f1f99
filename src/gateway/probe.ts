/**
 * Everything about the running gateway that decides how to make it recompute: is there one,
 * is its pid really it, which version, which port, is it ready, does RPC work with our device,
 * would a restart really replace the process.
 */
import path from 'node:path';
import type { LoadedConfig } from '../store/config.js';
import { findInstalledOpenclaw, packageVersionAbove, storeGenerationOf, type StoreGeneration } from '../store/openclaw-version.js';
import type { Env } from '../env.js';
import type { StateLocation } from '../store/paths.js';
import { devicePathFor, loadOrCreateDevice } from './device.js';
import { findGateway, type FoundGateway } from './discover.js';
import { isGatewayReady, resolveGatewayPort } from './health.js';
import { GatewayRpc, OPERATOR_SCOPES, RpcError } from './rpc-client.js';
import { restartSignalFor, type RestartSignal } from './signals.js';


export interface GatewayStatus {
  running: boolean;
  /** A verified gateway (pid alive, start time matches, is an OpenClaw gateway). */
  gateway: FoundGateway | null;
  /** Lock files naming a pid that failed verification: reported, never signalled. */
  stale: FoundGateway[];
  configPath: string;
  port: number;
  tls: boolean;
  ready: boolean;
  version: string | null;
  versionSource: 'hello' | 'process' | 'package' | null;
  generation: StoreGeneration;
  rpc: { ok: true; methods: string[]; scopes: string[] } | { ok: false; why: string };
  restart: { ok: true; signal: RestartSignal } | { ok: false; why: string };
  noRespawn: boolean | null;
}

export interface ProbeOptions {
  /** Try an RPC connection (creates the tool's device identity if needed). */
  rpc: boolean;
  timeoutMs?: number;
}

/** The config path the gateway hashes for its lock: the resolved one, or the default it would use. */
export function gatewayConfigPath(location: StateLocation): string {
  return location.configPath ?? path.join(location.stateDir, 'openclaw.json');
}

export async function probeGateway(location: StateLocation, config: LoadedConfig, env: Env, options: ProbeOptions): Promise<GatewayStatus> {
  const configPath = gatewayConfigPath(location);
  const { gateway, stale } = findGateway(configPath, location.stateDir, env);
  const facts = config.facts;
  const port = resolveGatewayPort(gateway?.lock.port, env.OPENCLAW_GATEWAY_PORT, facts.gateway?.port);
  const tls = Boolean(facts.gateway?.tls && (facts.gateway.tls as { enabled?: boolean }).enabled !== false);
  const ready = gateway ? await isGatewayReady(port, { tls, timeoutMs: options.timeoutMs ?? 2000 }) : false;

  let version: string | null = null;
  let versionSource: GatewayStatus['versionSource'] = null;
  let rpc: GatewayStatus['rpc'] = { ok: false, why: gateway ? 'not tried' : 'no running gateway' };
  if (gateway && ready && options.rpc) {
    const attempt = await tryRpc(location, config, env, port, tls, options.timeoutMs ?? 5000);
    if (attempt.ok) {
      rpc = { ok: true, methods: attempt.hello.methods, scopes: attempt.hello.scopes };
      if (attempt.hello.serverVersion) {
        version = attempt.hello.serverVersion;
        versionSource = 'hello';
      }
    } else rpc = { ok: false, why: attempt.why };
  } else if (gateway && !ready) {
    rpc = { ok: false, why: `gateway pid ${gateway.lock.pid} does not answer /readyz on port ${port}` };
  }
  if (!version && gateway?.entryScript) {
    const fromProcess = packageVersionAbove(gateway.entryScript);
    if (fromProcess?.version) {
      version = fromProcess.version;
      versionSource = 'process';
    }
  }
  if (!version) {
    const installed = findInstalledOpenclaw(env);
    if (installed.version) {
      version = installed.version;
      versionSource = 'package';
    }
  }

  let restart: GatewayStatus['restart'];
  if (!gateway) restart = { ok: false, why: 'no verified gateway process to signal' };
  else if (facts.commands?.restart === false) restart = { ok: false, why: 'commands.restart is false in the config: the gateway ignores restart signals' };
  else if (gateway.noRespawn === true) restart = { ok: false, why: 'OPENCLAW_NO_RESPAWN=1 in the gateway environment: it would restart in-process and keep the stale count' };
  else restart = restartSignalFor(version);

  return {
    running: gateway !== null,
    gateway,
    stale,
    configPath,
    port,
    tls,
    ready,
    version,
    versionSource,
    generation: storeGenerationOf(version),
    rpc,
    restart,
    noRespawn: gateway?.noRespawn ?? null,
  };
}

export async function connectRpc(location: StateLocation, config: LoadedConfig, env: Env, port: number, tls: boolean, timeoutMs: number): Promise<GatewayRpc> {
  const auth = config.facts.gateway?.auth;
  const token = env.OPENCLAW_GATEWAY_TOKEN?.trim() || auth?.token;
  const password = env.OPENCLAW_GATEWAY_PASSWORD?.trim() || auth?.password;
  return GatewayRpc.connect({
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    token: auth?.mode === 'password' ? undefined : token,
    password: auth?.mode === 'password' || !token ? password : undefined,
    device: loadOrCreateDevice(devicePathFor(location.stateDir)),
    scopes: OPERATOR_SCOPES,
    timeoutMs,
  });
}

async function tryRpc(location: StateLocation, config: LoadedConfig, env: Env, port: number, tls: boolean, timeoutMs: number): Promise<{ ok: true; hello: GatewayRpc['hello'] } | { ok: false; why: string }> {
  let client: GatewayRpc | null = null;
  try {
    client = await connectRpc(location, config, env, port, tls, timeoutMs);
    const scopes = client.hello.scopes;
    if (scopes.length > 0 && !scopes.includes('operator.admin')) {
      return { ok: false, why: `connected, but without operator.admin (scopes: ${scopes.join(', ')}); approve this device: openclaw devices approve --latest` };
    }
    if (scopes.length === 0) {
      // No scopes in hello-ok: the secret admitted us but the device may not be paired. Only a
      // real call tells (an unpaired client fails every method with "missing scope").
      await client.call('sessions.list', { limit: 1 }, { timeoutMs });
    }
    return { ok: true, hello: client.hello };
  } catch (error) {
    return { ok: false, why: error instanceof RpcError ? error.message : String(error) };
  } finally {
    client?.close();
  }
}
