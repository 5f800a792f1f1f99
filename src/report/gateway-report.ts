/**
 * The `gateway --json` document (zod is the definition; docs/gateway.schema.json is generated
 * from it and pinned by a test). A field added to the report must be added here first: the
 * builder is typed by this schema, so the compiler asks for it.
 */
import { z } from 'zod';
import { GATEWAY_SCHEMA_VERSION } from './versions.js';


const available = z.object({ available: z.literal(true) });
const unavailable = z.object({ available: z.literal(false), why: z.string() });
const unavailableWithFix = z.object({ available: z.literal(false), why: z.string(), fix: z.string() });

export const gatewayReportSchema = z.object({
  schemaVersion: z.literal(GATEWAY_SCHEMA_VERSION),
  /** A gateway answers for this config (a verified lock, a direct port probe, or the --url named). */
  running: z.boolean(),
  /** The verified gateway pid (the only one ever signalled); null when none is proven. */
  pid: z.number().int().nullable(),
  verified: z.boolean(),
  /** How it was found: a verified lock, a direct port probe (pid unknown), or the URL the operator named; null when nothing answers. */
  route: z.enum(['lock', 'port', 'url']).nullable(),
  url: z.string(),
  port: z.number().int(),
  /** Named by --url (or its environment variable): RPC only, never signalled, local stores not counted. */
  remote: z.boolean(),
  lockPath: z.string().nullable(),
  /** Gateway lock files naming processes that are not this config's gateway; never signalled. */
  staleLocks: z.array(z.object({ lockPath: z.string(), pid: z.number().int().nullable(), why: z.string().nullable() })),
  version: z.string().nullable(),
  versionSource: z.enum(['hello', 'process', 'package']).nullable(),
  /** /readyz answered (only probed when running). */
  ready: z.boolean(),
  /**
   * What answered: a TCP connection (listening), HTTP /healthz, /readyz, and the WebSocket
   * `connect.challenge`. Listening with nothing else: another program on the port, or a hung gateway.
   * `websocket` null: not asked, because /healthz or /readyz answered and no RPC session connected (a
   * gateway logs a warning for each handshake closed before `connect`: src/gateway/health.ts), or
   * because the listener is `silent`: it accepted the connection but gave neither HTTP request any
   * response within 2 s (a gateway too hung to answer HTTP would not answer the handshake either).
   */
  health: z.object({ listening: z.boolean(), healthz: z.boolean(), readyz: z.boolean(), websocket: z.boolean().nullable(), silent: z.boolean() }),
  /**
   * Schema 5: the verified gateway holds the port but gave `/healthz` and `/readyz` no response
   * within 2 s — what it was measured doing meanwhile (src/gateway/silent-gateway.ts): `stopped`
   * (state T: SIGSTOP; or t: held by a debugger), `busy` (it and the processes it started used
   * ≥ a tenth of a core: working, or caught in a loop), `stuck` (idle: under 5% of a core),
   * `unknown` (its CPU time unreadable, or between idle and busy). null otherwise.
   */
  silentGateway: z
    .object({ verdict: z.enum(['stopped', 'busy', 'stuck', 'unknown']), waitedMs: z.number().int(), gatewayCpuMs: z.number().int().nullable(), why: z.string(), fix: z.string() })
    .nullable(),
  /** Whether the token/password may be (and was) sent there, and why. */
  trusted: z.object({ ok: z.boolean(), why: z.string() }),
  configPath: z.string(),
  /** OPENCLAW_NO_RESPAWN=1 in the gateway's environment (a SIGUSR1 restart keeps the process); null when not known (no gateway, environment unreadable). */
  noRespawn: z.boolean().nullable(),
  /** acp.maxConcurrentSessions; null when unset or when no config was found (see capKnown). */
  cap: z.number().int().nullable(),
  capKnown: z.boolean(),
  /** The gateway's own count (`/acp doctor`), the truth about slots; fields null when not read. */
  acp: z.object({
    /** The live handle count the cap is checked against; null when unreadable (see why). */
    activeRuntimeSessions: z.number().int().nullable(),
    cap: z.number().int().nullable(),
    runtimeIdleTtlMs: z.number().int().nullable(),
    activeTurns: z.number().int().nullable(),
    turnCounts: z.object({ completed: z.number().int(), failed: z.number().int() }).nullable(),
    errorCodes: z.record(z.string(), z.number().int()).nullable(),
    evictedIdleRuntimes: z.number().int().nullable(),
    /** Live handles no entry on disk accounts for: only a restart clears them; null when either count is unknown. */
    orphanedHandles: z.number().int().nullable(),
    why: z.string().nullable(),
  }),
  /** ACP slots the stores say are held, every agent's (the cap counts across agents); null for a gateway named by URL (its stores are elsewhere). */
  slotsHeldOnDisk: z.number().int().nullable(),
  slotsHeldByTerminal: z.number().int().nullable(),
  /** Stores that could not be read (schema 4): their slots are not in slotsHeldOnDisk, and no handle is called orphaned. */
  unreadStores: z.number().int(),
  /** What prune will accept, no more. */
  recompute: z.object({
    rpc: z.union([available, unavailable]),
    restart: z.union([z.object({ available: z.literal(true), signal: z.enum(['SIGUSR1', 'SIGUSR2']), note: z.string() }), unavailableWithFix]),
    none: z.union([available, unavailable]),
  }),
});

export type GatewayReport = z.infer<typeof gatewayReportSchema>;
