/**
 * The `gateway --json` document (zod is the definition; docs/gateway.schema.json is generated
 * from it and pinned by a test). A field added to the report must be added here first: the
 * builder is typed by this schema, so the compiler asks for it.
 */
import { z } from 'zod';

export const GATEWAY_SCHEMA_VERSION = 1;

const available = z.object({ available: z.literal(true) });
const unavailable = z.object({ available: z.literal(false), why: z.string() });

export const gatewayReportSchema = z.object({
  schemaVersion: z.literal(GATEWAY_SCHEMA_VERSION),
  /** A verified gateway runs for this config (pid alive, start time matches, an OpenClaw gateway). */
  running: z.boolean(),
  pid: z.number().int().nullable(),
  verified: z.boolean(),
  lockPath: z.string().nullable(),
  /** Gateway lock files naming processes that are not this config's gateway; never signalled. */
  staleLocks: z.array(z.object({ lockPath: z.string(), pid: z.number().int(), why: z.string().nullable() })),
  version: z.string().nullable(),
  versionSource: z.enum(['hello', 'process', 'package']).nullable(),
  port: z.number().int(),
  /** /readyz answered (only probed when running). */
  ready: z.boolean(),
  configPath: z.string(),
  /** OPENCLAW_NO_RESPAWN=1 in the gateway's environment (a SIGUSR1 restart keeps the process); null when not known (no gateway, environment unreadable). */
  noRespawn: z.boolean().nullable(),
  /** acp.maxConcurrentSessions; null when unset or when no config was found (see capKnown). */
  cap: z.number().int().nullable(),
  capKnown: z.boolean(),
  /** ACP slots the stores say are held (every selected store): what the gateway most likely counts. */
  slotsHeldOnDisk: z.number().int(),
  slotsHeldByTerminal: z.number().int(),
  recompute: z.object({
    rpc: z.union([available, unavailable]),
    restart: z.union([z.object({ available: z.literal(true), signal: z.enum(['SIGUSR1', 'SIGUSR2']) }), unavailable]),
    none: available,
  }),
});

export type GatewayReport = z.infer<typeof gatewayReportSchema>;
