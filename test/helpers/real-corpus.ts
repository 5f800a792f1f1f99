/**
 * The real-gateway corpus (test/fixtures/real/<openclaw version>/): what a real gateway wrote
 * into its session directories, captured by test/e2e/corpus/generate.ts, and put back into a
 * temp state dir for a test.
 *
 * Layout of one version's directory:
 * - `manifest.json`: `{ openclawVersion, capturedAt: CORPUS_EPOCH, roles: { <role>: { agentId, key } },
 *   agents: { <agentId>: { files: [names], locks: { <name>: { holder: "live"|"dead", contents } } } } }`
 * - `agents/<agentId>/sessions.json`: the store as the gateway wrote it.
 *
 * Normalisation (so the files are deterministic and any test can age them):
 * - every epoch-ms number and ISO time within 30 days of the capture is rewritten relative to
 *   CORPUS_EPOCH (capture time ↦ CORPUS_EPOCH), and shifted back to any wanted capture time when
 *   materialised;
 * - the gateway's state dir in strings becomes `<STATE>` (absolute `sessionFile` values), the
 *   rest of its temp root `<ROOT>`;
 * - transcript files are kept by name only (empty when materialised); lock files keep their JSON
 *   with `pid`/`starttime` of a holder that was alive at capture ("live") or not ("dead"), and are
 *   re-created with the test's own live pid or a pid that cannot exist.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Capture time in the fixtures (2033-05-18T03:33:20Z): far from any real clock. */
export const CORPUS_EPOCH = 2_000_000_000_000;
const WINDOW_MS = 30 * 86_400_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** A pid above Linux's pid_max (2^22): kill(pid, 0) answers ESRCH. */
export const DEAD_PID = 99_999_999;

export const CORPUS_ROOT = fileURLToPath(new URL('../../../test/fixtures/real/', import.meta.url));

export interface CorpusLock {
  holder: 'live' | 'dead';
  /** The lock file's JSON with timestamps normalised; pid/starttime are replaced on materialise. */
  contents: Record<string, unknown>;
}

export interface CorpusManifest {
  openclawVersion: string;
  capturedAt: number;
  /** What each role's turn did, for readers of the fixture. */
  notes: Record<string, string>;
  roles: Record<string, { agentId: string; key: string }>;
  agents: Record<string, { files: string[]; locks: Record<string, CorpusLock> }>;
}

/** Rewrites times relative to `from` into times relative to `to` (deep; returns a copy). */
export function shiftTimes(value: unknown, from: number, to: number): unknown {
  if (typeof value === 'number') {
    return Number.isInteger(value) && Math.abs(value - from) < WINDOW_MS && value > 1e12 ? value - from + to : value;
  }
  if (typeof value === 'string') {
    if (ISO.test(value)) {
      const ms = Date.parse(value);
      if (Number.isFinite(ms) && Math.abs(ms - from) < WINDOW_MS) return new Date(ms - from + to).toISOString();
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => shiftTimes(item, from, to));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = shiftTimes(item, from, to);
    return out;
  }
  return value;
}

/** Replaces `from` by `to` in every string (deep; returns a copy). */
export function replaceInStrings(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, from, to));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = replaceInStrings(item, from, to);
    return out;
  }
  return value;
}

export function corpusVersions(): string[] {
  try {
    return readdirSync(CORPUS_ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

export function readCorpus(dir: string): { manifest: CorpusManifest; stores: Record<string, Record<string, unknown>> } {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as CorpusManifest;
  const stores: Record<string, Record<string, unknown>> = {};
  for (const agentId of Object.keys(manifest.agents)) {
    stores[agentId] = JSON.parse(readFileSync(path.join(dir, 'agents', agentId, 'sessions.json'), 'utf8')) as Record<string, unknown>;
  }
  return { manifest, stores };
}

export interface MaterialiseOptions {
  /** Where the state dir goes (created). */
  stateDir: string;
  /** The wall-clock time the capture should appear to have happened at. */
  capturedAt: number;
  /** pid and starttime of a process that stays alive while the test runs (default: this one). */
  livePid?: number;
}

/**
 * Writes the corpus as an OpenClaw state dir: `agents/<id>/sessions/{sessions.json, transcripts,
 * locks}`, times shifted so the capture happened at `capturedAt`, and a minimal config listing
 * the agents. Returns the manifest (roles name keys).
 */
export function materialiseCorpus(dir: string, options: MaterialiseOptions): CorpusManifest {
  const { manifest, stores } = readCorpus(dir);
  const livePid = options.livePid ?? process.pid;
  const liveStart = procStartTime(livePid);
  for (const [agentId, info] of Object.entries(manifest.agents)) {
    const sessionsDir = path.join(options.stateDir, 'agents', agentId, 'sessions');
    mkdirSync(sessionsDir, { recursive: true, mode: 0o700 });
    const store = replaceInStrings(replaceInStrings(shiftTimes(stores[agentId], manifest.capturedAt, options.capturedAt), '<STATE>', options.stateDir), '<ROOT>', path.dirname(options.stateDir));
    writeFileSync(path.join(sessionsDir, 'sessions.json'), JSON.stringify(store, null, 2), { mode: 0o600 });
    for (const name of info.files) {
      if (name.endsWith('.lock')) continue;
      writeFileSync(path.join(sessionsDir, name), '', { mode: 0o600 });
    }
    for (const [name, lock] of Object.entries(info.locks)) {
      const contents = shiftTimes(lock.contents, manifest.capturedAt, options.capturedAt) as Record<string, unknown>;
      if (lock.holder === 'live') {
        contents.pid = livePid;
        if (liveStart !== null) contents.starttime = liveStart;
        else delete contents.starttime;
      } else {
        contents.pid = DEAD_PID;
      }
      writeFileSync(path.join(sessionsDir, name), JSON.stringify(contents, null, 2), { mode: 0o600 });
    }
  }
  const agents = Object.keys(manifest.agents).map((id) => `{ id: "${id}" }`).join(', ');
  writeFileSync(path.join(options.stateDir, 'openclaw.json'), `{ agents: { list: [${agents}] } }\n`, { mode: 0o600 });
  return manifest;
}

function procStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return null;
  }
}
