/**
 * Defaults that more than one place needs (a flag's default, a footer that quotes it, the pure
 * rule that applies it), declared once. Durations are written as operators type them.
 */
import { parseDuration } from './sessions/duration.js';

/** prune's grace period (`--older-than`): a terminal session must be quiet this long. */
export const DEFAULT_PRUNE_GRACE = '10m';
/** `prune --include-conversations` with no value: OpenClaw's own `session.maintenance.pruneAfter` default. */
export const DEFAULT_CONVERSATION_GRACE = '30d';
/** How long to wait for a lock held by the gateway or another run (`--lock-timeout`). */
export const DEFAULT_LOCK_TIMEOUT = '10s';
/** A "running" claim quiet this long with no live transcript lock is stale (`--stale-after`). */
export const DEFAULT_STALE_AFTER = '30m';
/** How long to wait for a restarted gateway to be ready (`--wait`). */
export const DEFAULT_RESTART_WAIT = '3m';
/** Journal runs older than this are dropped, under the run lock, by each prune that writes (`--journal-retention`). */
export const DEFAULT_JOURNAL_RETENTION = '14d';
/**
 * How long `clean` keeps `.deleted.`/`.reset.` archives (`clean --keep`): OpenClaw's own
 * `session.maintenance.pruneAfter` default (docs/openclaw-disk.md).
 */
export const DEFAULT_ARCHIVE_KEEP = '30d';
/** How often a scheduled prune runs (`schedule --every`). */
export const DEFAULT_SCHEDULE_EVERY = '15m';
/** How often a scheduled metrics run writes the textfile (`schedule --metrics-every`). */
export const DEFAULT_METRICS_EVERY = '1m';
/**
 * How long `list` and `metrics` wait for the gateway's `/acp doctor` reply, ms. A gateway's first
 * chat command after a start took 15–19 s on 4.2 and 21–76 s on 4.29 under load
 * (docs/openclaw-first-read.md): no fixed wait covers it, and list's table waits for the read, so
 * the read stays bounded and says instead whether the gateway was working on it (pending-read.ts);
 * a gateway that never answers costs the live line, not a minute. prune waits longer (its
 * measured count is its claim).
 */
export const LIVE_READ_TIMEOUT_MS = 25_000;

/**
 * How long a live read waits for the gateway to delete its probe session, ms. 60 s: OpenClaw
 * 2026.4.29 answers each `sessions.delete` only after an `npm install` it runs inside it
 * (docs/openclaw-probe-delete.md), 7–22 s on an idle machine here, 28.1 s in CI's 4.29 lane and
 * over 30 s on a loaded machine (test/e2e/lanes.test.ts, 2026-12-02). The earlier 30 s left the
 * probe session in the operator's store on such runs (until a later read deleted it).
 */
export const PROBE_DELETE_TIMEOUT_MS = 60_000;

/**
 * The probe delete's wait in a `metrics` run, ms: the 30 s every run had before 2026-12-02. A
 * metrics timer runs every minute (a 1-minute unit allows 55 s, schedule/units.ts) and its cron
 * line has no overlap guard, so its runs are not made longer; a delete not answered by then is
 * left to a later read.
 */
export const METRICS_PROBE_DELETE_TIMEOUT_MS = 30_000;

export const DEFAULT_PRUNE_GRACE_MS = parseDuration(DEFAULT_PRUNE_GRACE);
export const DEFAULT_CONVERSATION_GRACE_MS = parseDuration(DEFAULT_CONVERSATION_GRACE);
export const DEFAULT_LOCK_TIMEOUT_MS = parseDuration(DEFAULT_LOCK_TIMEOUT);
export const DEFAULT_ARCHIVE_KEEP_MS = parseDuration(DEFAULT_ARCHIVE_KEEP);
