/**
 * Root's gateway secrets after a root run has switched to act as the state dir's owner
 * (system/privileges.ts). `OPENCLAW_GATEWAY_TOKEN` / `OPENCLAW_GATEWAY_PASSWORD` in root's
 * environment (root's crontab, say) are root's; the owner's config is the owner's. Nothing the
 * owner chose may receive a secret of root's that the owner does not already hold:
 *
 *   - a URL root chose (`--url`, root's `OPENCLAW_GATEWAY_URL`): root's secrets go there, as
 *     OpenClaw's own client sends them;
 *   - `gateway.remote.url` from the owner's config: withheld. The owner can point it at a
 *     listener of theirs; the config's own `gateway.remote.token|password` still go;
 *   - the local gateway (a listener proven to run as the owner, discover.ts): it is the owner's
 *     process, and the owner can make any process of theirs look like the gateway (its package
 *     files are theirs), so "proven" means "the owner's", not "safe from the owner". A secret
 *     that gateway already holds — in its config (`gateway.auth.token|password`) or its process
 *     environment — tells the owner nothing; any other value may be another gateway's (a
 *     crontab-wide `OPENCLAW_GATEWAY_TOKEN`) and that gateway would refuse it anyway: withheld.
 *
 * A withheld secret gets one line naming it, the target, and the way to send it deliberately:
 * `--url` naming the target (the operator's choice; `--token` would put the secret in `ps`).
 * Where the line goes is the command's choice (probe.ts's `warn`): said on an interactive run,
 * never by an unattended one (`prune --quiet`, `metrics`), whose failures carry it instead
 * (probe.ts adds it to a failed RPC's why) and whose metrics and `doctor` findings show it.
 */
import type { Env } from '../env.js';
import type { LoadedConfig } from '../store/config.js';
import { readProcEnviron } from '../system/proc.js';
import { actingAsInstallOwner, passwdEntry } from '../system/privileges.js';
import type { Discovery } from './discover.js';

const ROOT_SECRETS = ['OPENCLAW_GATEWAY_TOKEN', 'OPENCLAW_GATEWAY_PASSWORD'] as const;

/** A secret of root's environment that was not sent: its variable's name (never its value). */
export interface WithheldSecret {
  name: (typeof ROOT_SECRETS)[number];
  /** The URL it was withheld from; `--url` with it sends the secret there deliberately. */
  url: string;
  /** Whom the target belongs to: `name (uid N)`. */
  owner: string;
  /** The line that says so (without the `openclaw-sessions: ` prefix). */
  line: string;
}

export interface SecretsDecision {
  /** The environment credentials resolve from: withheld names removed. */
  env: Env;
  withheld: WithheldSecret[];
}

/**
 * What of root's environment may go to `discovery.target`. `asOwner`: the run started as root
 * and acts as the install's owner (defaults to privileges.ts's record); `flags`: `--token` /
 * `--password` (they win over the environment, so nothing of it is sent or withheld then).
 * Pure but for reading the local gateway's `/proc/<pid>/environ` (as the owner: their process).
 */
export function rootSecretsFor(discovery: Discovery, config: LoadedConfig, env: Env, flags: { token?: string; password?: string }, asOwner = actingAsInstallOwner()): SecretsDecision {
  const present = ROOT_SECRETS.filter((name) => env[name]?.trim());
  if (!asOwner || present.length === 0 || flags.token?.trim() || flags.password?.trim()) return { env, withheld: [] };
  const { target } = discovery;
  if (target.source === 'flag --url' || target.source === 'env OPENCLAW_GATEWAY_URL') return { env, withheld: [] };
  // Nothing goes to an unproven local listener anyway (discover.ts); no line to add.
  if (!target.explicit && !discovery.secrets.ok) return { env, withheld: [] };
  const held = target.explicit ? remoteSecretsOf(config) : secretsHeldBy(discovery, config);
  const withheld = present.filter((name) => !held.has(env[name]!.trim()));
  if (withheld.length === 0) return { env, withheld: [] };
  const owner = ownerName();
  const lines = withheld.map((name) => ({
    name,
    url: target.url,
    owner,
    line: target.explicit
      ? `withheld ${name} (root's environment) from ${target.url}: that URL is gateway.remote.url in the config of ${owner}, whom this root run acts as; to send it there, name the URL yourself: --url ${target.url}`
      : `withheld ${name} (root's environment) from the gateway on port ${target.port}: it runs as ${owner}, and neither its config nor its environment holds that value, so it may be another gateway's; to send it there, name the gateway yourself: --url ${target.url}`,
  }));
  const kept: Record<string, string | undefined> = { ...env };
  for (const name of withheld) delete kept[name];
  return { env: kept, withheld: lines };
}

/** What the owner's config gives its remote URL itself: no news to the owner. */
function remoteSecretsOf(config: LoadedConfig): Set<string> {
  const remote = config.facts.gateway?.remote;
  return new Set([remote?.token, remote?.password].filter((value): value is string => typeof value === 'string' && value.trim() !== '').map((value) => value.trim()));
}

/** The secrets the proven local gateway holds itself: its config's, and its process environment's. */
function secretsHeldBy(discovery: Discovery, config: LoadedConfig): Set<string> {
  const held = new Set<string>();
  const auth = config.facts.gateway?.auth;
  for (const value of [auth?.token, auth?.password]) if (value?.trim()) held.add(value.trim());
  const pid = discovery.verified?.pid ?? discovery.listener?.gatewayPid ?? null;
  const environ = discovery.verified?.environ ?? (pid !== null ? readProcEnviron(pid) : null);
  for (const name of ROOT_SECRETS) if (environ?.[name]?.trim()) held.add(environ[name].trim());
  return held;
}

function ownerName(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  const name = passwdEntry(uid)?.name;
  return name ? `${name} (uid ${uid})` : `uid ${uid}`;
}
