/**
 * Which gateway a command talks to when the operator names one: `--url`, `OPENCLAW_GATEWAY_URL`
 * or `gateway.remote.url` (docs/openclaw-gateway.md). Pure, and apart from discovery (discover.ts)
 * so that a command can ask "was a gateway named?" without loading the discovery and RPC code.
 */
import type { Env } from '../env.js';
import { ToolError } from '../errors.js';
import type { LoadedConfig } from '../store/config.js';

export type TargetSource = 'flag --url' | 'env OPENCLAW_GATEWAY_URL' | 'config gateway.remote.url' | 'lock port' | 'env OPENCLAW_GATEWAY_PORT' | 'config gateway.port' | 'default port';

export interface GatewayTarget {
  url: string;
  host: string;
  port: number;
  tls: boolean;
  source: TargetSource;
  /** Named by the operator (--url, env or remote config): RPC only, never signalled. */
  explicit: boolean;
}

/**
 * The explicit target, if any, by OpenClaw's precedence: `--url`, `OPENCLAW_GATEWAY_URL`,
 * then `gateway.remote.url` when `gateway.mode` is "remote". Plain `ws://` to a non-loopback
 * host is refused as OpenClaw refuses it, unless `OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1` and
 * the host is private.
 */
export function explicitTarget(flagUrl: string | undefined, env: Env, config: LoadedConfig): GatewayTarget | null {
  const remoteUrl = config.facts.gateway?.remote?.url;
  const remote = config.facts.gateway?.mode === 'remote' && typeof remoteUrl === 'string' ? remoteUrl.trim() : undefined;
  const choice: [string, TargetSource] | null = flagUrl?.trim()
    ? [flagUrl.trim(), 'flag --url']
    : env.OPENCLAW_GATEWAY_URL?.trim()
      ? [env.OPENCLAW_GATEWAY_URL.trim(), 'env OPENCLAW_GATEWAY_URL']
      : remote
        ? [remote, 'config gateway.remote.url']
        : null;
  if (!choice) return null;
  const [raw, source] = choice;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError('usage', `invalid gateway URL "${raw}" (from ${source}): use ws://host:port or wss://host:port`);
  }
  const protocol = url.protocol === 'https:' ? 'wss:' : url.protocol === 'http:' ? 'ws:' : url.protocol;
  if (protocol !== 'ws:' && protocol !== 'wss:') throw new ToolError('usage', `invalid gateway URL "${raw}" (from ${source}): use ws:// or wss://`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (protocol === 'ws:' && !isLoopbackHost(host) && !(env.OPENCLAW_ALLOW_INSECURE_PRIVATE_WS === '1' && isPrivateHost(host))) {
    // The variable opens private addresses only: never offered for a public one (helper-28 set it for 8.8.8.8 and got the same refusal).
    const privateOnly = isPrivateHost(host) ? ', or OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1 on a trusted private network' : '';
    throw new ToolError('usage', `refusing plaintext ${raw} (from ${source}): the token would cross the network unencrypted; use wss:// or an SSH tunnel to 127.0.0.1${privateOnly}`);
  }
  const tls = protocol === 'wss:';
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  return { url: `${protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`, host, port, tls, source, explicit: true };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

function isPrivateHost(host: string): boolean {
  return isLoopbackHost(host) || /^10\./.test(host) || /^192\.168\./.test(host) || /^172\.(1[6-9]|2\d|3[01])\./.test(host) || /^f[cd][0-9a-f]{2}:/i.test(host) || !/^[\d.:]+$/.test(host);
}

