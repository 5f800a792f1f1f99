/**
 * The `schemaVersion` of every `--json` document. Kept apart from the zod schemas (the
 * definitions, in the *-report.ts files) so that a command prints its document without loading
 * zod: the schemas serve the generated docs/*.schema.json and the tests (issue 11: start-up).
 */

/**
 * 2: state `stuck`, `conversation` per session, `failedStores`, `legacy` stores.
 * 3: the slot counts (`summary.acp.slotsHeld`/`heldByState`/`heldByTerminal`, `summary.byAgent[].slotsHeld`,
 *    `gatewaySlots.slotsHeld`/`heldByState`/`heldByTerminal`) are null when the ACP state is unreadable.
 * 4: `gatewaySlots.unreadStores`: the count left out the stores that could not be read.
 */
export const LIST_SCHEMA_VERSION = 4;

/**
 * 3: per-store `outcome`/`error`, `transcriptsKept` (store); `conversation` per pruned session, `failedStores` (safety).
 * 4: `slotsFreed` is null on a dry run (a plan measures nothing); `slotsHeldOnDisk` is what the planned entries hold.
 */
export const PRUNE_SCHEMA_VERSION = 4;

export const CLEAN_SCHEMA_VERSION = 1;

export const DOCTOR_SCHEMA_VERSION = 1;

/**
 * 2: `health.websocket` may be null (not asked: /healthz or /readyz answered).
 * 3: `health.silent`; `health.websocket` is also null when the listener gave no HTTP response in time.
 * 4: `unreadStores`: slotsHeldOnDisk left out the stores that could not be read (orphanedHandles is then null).
 * 5: `silentGateway`: what a verified gateway that gave no response was measured doing (busy, stopped, stuck).
 */
export const GATEWAY_SCHEMA_VERSION = 5;

/** 2: `restore --list` runs carry `unconfirmed` (keys whose gateway delete was never answered). */
export const RESTORE_SCHEMA_VERSION = 2;

export const SCHEDULE_SCHEMA_VERSION = 1;
