/**
 * Regenerates the real-gateway corpus: drives real turns on a real OpenClaw gateway (the fake
 * model server as its default model), then captures what the gateway wrote — stores, transcript
 * file names, lock files — into test/fixtures/real/<openclaw version>/ (format:
 * test/helpers/real-corpus.ts).
 *
 *   node dist/test/e2e/corpus/generate.js [--install-dir DIR] [--version V] [--out DIR]
 *   npm run corpus -- --install-dir ~/.cache/openclaw-e2e-2026.4.29 --version 2026.4.29
 *
 * `--install-dir` is an install made by .ci/install-openclaw.sh (`openclaw/node_modules/openclaw`
 * and its Node); default: the lane's install. `--version` defaults to the installed package's
 * version. `--out` defaults to test/fixtures/real/<version>. The gateway harness
 * (test/e2e/real-gateway.ts) is loaded with OPENCLAW_E2E_HOME / OPENCLAW_E2E_VERSION set to
 * these, so whatever a version needs to start is the harness's business.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive, readProcStartTime } from '../../../src/system/proc.js';
import { CORPUS_EPOCH, CORPUS_ROOT, replaceInStrings, shiftTimes, type CorpusLock, type CorpusManifest } from '../../helpers/real-corpus.js';
import { FakeModelServer } from '../fake-model-server.js';
import type { RealGateway } from '../real-gateway.js';

const DEFAULT_INSTALL = process.env.OPENCLAW_E2E_HOME ?? path.join(os.homedir(), '.cache', 'openclaw-sessions-e2e');

/** The harness, loaded for this install (its install paths are fixed when the module loads). */
async function harnessFor(installDir: string, version: string): Promise<typeof import('../real-gateway.js')> {
  process.env.OPENCLAW_E2E_HOME ??= installDir;
  process.env.OPENCLAW_E2E_VERSION ??= version;
  const harness = await import('../real-gateway.js');
  if (path.resolve(harness.E2E_HOME) !== path.resolve(installDir)) throw new Error(`the gateway harness is already loaded for ${harness.E2E_HOME}, not ${installDir}`);
  return harness;
}

export interface GenerateOptions {
  installDir: string;
  version?: string;
  out?: string;
  log?: (line: string) => void;
}

type Store = Record<string, { sessionId?: string; status?: string; endedAt?: number; acp?: { state?: string }; [k: string]: unknown }>;

/** The version of the OpenClaw installed in `installDir` (its package.json). */
export function installedVersion(installDir: string): string {
  const pkg = path.join(installDir, 'openclaw', 'node_modules', 'openclaw', 'package.json');
  if (!existsSync(pkg)) throw new Error(`no OpenClaw install in ${installDir} (want openclaw/node_modules/openclaw; run .ci/install-openclaw.sh)`);
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** Runs the scenario on a fresh gateway and writes the corpus; returns the output directory. */
export async function generateCorpus(options: GenerateOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const version = options.version ?? installedVersion(options.installDir);
  const out = options.out ?? path.join(CORPUS_ROOT, version);
  const { RealGateway } = await harnessFor(options.installDir, version);
  const model = new FakeModelServer();
  await model.start();
  // 4.29 stages bundled plugins' runtime deps outside the package (the versions lane's install).
  const stage = path.join(options.installDir, 'plugin-runtime-deps');
  const gateway = new RealGateway({
    extraEnv: existsSync(stage) ? { OPENCLAW_PLUGIN_STAGE_DIR: stage } : undefined,
    modelBaseUrl: model.baseUrl,
    llmIdleTimeoutSeconds: 4,
    maxConcurrentSessions: version >= '2026.8' ? null : 3,
  });
  const notes: Record<string, string> = {};
  const roles: CorpusManifest['roles'] = {};
  const role = (name: string, agentId: string, key: string, note: string): void => {
    roles[name] = { agentId, key };
    notes[name] = note;
  };
  try {
    log(`corpus: openclaw ${version} from ${options.installDir}`);
    await gateway.start();
    const rpc = async () => gateway.client();
    const store = (agentId = 'main'): Store => gateway.storeOf(agentId) as Store;
    const locksOf = (agentId = 'main'): string[] => {
      try {
        return readdirSync(path.join(gateway.stateDir, 'agents', agentId, 'sessions')).filter((name) => name.endsWith('.lock'));
      } catch {
        return [];
      }
    };
    const lockOf = (key: string, agentId = 'main'): boolean => {
      const id = store(agentId)[key]?.sessionId;
      return Boolean(id) && locksOf(agentId).includes(`${id}.jsonl.lock`);
    };
    const settled = async (key: string, what: string, agentId = 'main', timeoutMs = 90_000): Promise<void> =>
      gateway.waitFor(() => {
        const entry = store(agentId)[key];
        return Boolean(entry) && entry!.status !== 'running' && !lockOf(key, agentId);
      }, timeoutMs, `${what} (${key}) to finish`);
    const runningWithLock = async (key: string, what: string, agentId = 'main'): Promise<void> =>
      gateway.waitFor(() => store(agentId)[key]?.status === 'running' && lockOf(key, agentId), 180_000, `${what} (${key}) to be running with its transcript lock`);
    const chat = async (sessionKey: string, message: string): Promise<void> => {
      await (await rpc()).call('chat.send', { sessionKey, message, idempotencyKey: randomUUID() });
    };
    const agentTurn = async (params: Record<string, unknown>): Promise<void> => {
      // Two answers under one id (accepted, then the outcome); the outcome is not needed here.
      await (await rpc()).call('agent', { idempotencyKey: randomUUID(), deliver: false, ...params });
    };

    // 1. main, then a turn in progress and a cron run in progress when the gateway is killed.
    await chat('agent:main:main', 'hello from the corpus');
    await settled('agent:main:main', 'main turn');
    role('main', 'main', 'agent:main:main', 'chat.send to agent:main:main, one turn, done');

    const killedKey = 'agent:main:direct:killed';
    await chat(killedKey, 'a long answer please [[slow]]');
    await runningWithLock(killedKey, 'slow turn before kill -9');
    const cronCrash = (await (await rpc()).call('cron.add', {
      name: 'corpus crashing job',
      schedule: { kind: 'every', everyMs: 86_400_000 },
      sessionTarget: 'isolated',
      wakeMode: 'now',
      payload: { kind: 'agentTurn', message: 'cron job that is running at the crash [[slow]]' },
      delivery: { mode: 'none' },
    })) as { id: string };
    await (await rpc()).call('cron.run', { id: cronCrash.id, mode: 'force' });
    const cronCrashKey = `agent:main:cron:${cronCrash.id}`;
    await gateway.waitFor(() => Object.keys(store()).some((k) => k.startsWith(cronCrashKey) && store()[k]?.status === 'running'), 90_000, 'the crashing cron run to start').catch((error: Error) => {
      throw new Error(`${error.message}\nstore: ${JSON.stringify(store(), null, 1).slice(0, 3000)}`);
    });
    await sleep(1500);
    log('corpus: kill -9 mid-turn');
    await gateway.killHard();
    const locksAfterKill = locksOf();
    await gateway.launch();
    log(`corpus: restarted (transcript locks after kill: ${locksAfterKill.length}, after restart: ${locksOf().length})`);
    role('killed', 'main', killedKey, 'chat.send with a slow model turn; gateway killed -9 mid-turn, then restarted');
    role('cron-crashed', 'main', cronCrashKey, 'isolated cron job forced to run a slow turn; gateway killed -9 mid-run, restarted');
    const crashedRun = Object.keys(store()).find((k) => k.startsWith(`${cronCrashKey}:run:`));
    if (crashedRun) role('cron-run-crashed', 'main', crashedRun, 'the :run: entry of the cron run the kill -9 interrupted');
    // Stop the crashed job from running again.
    await (await rpc()).call('cron.update', { id: cronCrash.id, patch: { enabled: false } }).catch(() => undefined);

    // 2. Conversations that ended well.
    await chat('agent:main:direct:alice', 'hi');
    await settled('agent:main:direct:alice', 'direct chat');
    role('direct', 'main', 'agent:main:direct:alice', 'chat.send to agent:main:direct:alice, one turn, done');

    const created = (await (await rpc()).call('sessions.create', { agentId: 'main', label: 'corpus dashboard' })) as { key?: string; sessionKey?: string };
    const dashboardKey = created.key ?? created.sessionKey ?? '';
    if (!dashboardKey) throw new Error(`sessions.create answered no key: ${JSON.stringify(created)}`);
    await chat(dashboardKey, 'hello dashboard');
    // sessions.create already wrote the entry (no status, no lock), so `settled` alone could pass
    // before the turn starts (CI on a fresh, busy machine then captured it running, 44 s old, against
    // the golden "idle"): the turn has run once the entry carries a status (docs/openclaw.md §4).
    await gateway.waitFor(() => store('main')[dashboardKey]?.status !== undefined, 90_000, `dashboard chat (${dashboardKey}) to start`);
    await settled(dashboardKey, 'dashboard chat');
    role('dashboard', 'main', dashboardKey, 'sessions.create (dashboard), then chat.send, done');

    const channelTurns: Array<[string, string, Record<string, unknown>]> = [
      ['telegram-direct', 'agent:main:telegram:direct:4242', { channel: 'telegram', to: '4242' }],
      ['telegram-group', 'agent:main:telegram:group:-1001234', { channel: 'telegram', groupId: '-1001234' }],
      ['telegram-thread', 'agent:main:telegram:group:-1001234:thread:77', { channel: 'telegram', groupId: '-1001234', threadId: '77' }],
      ['discord-channel', 'agent:main:discord:channel:9001', { channel: 'discord', groupChannel: '9001' }],
    ];
    for (const [name, sessionKey, extra] of channelTurns) {
      await agentTurn({ sessionKey, message: `hello from ${name}`, ...extra });
      await settled(sessionKey, name);
      role(name, 'main', sessionKey, `agent RPC with channel ${String(extra.channel)} and sessionKey ${sessionKey}, one turn, done`);
    }

    // 3. Conversations whose last turn did not end well.
    await chat('agent:main:direct:failed', 'this will fail [[fail]]');
    await settled('agent:main:direct:failed', 'failing turn', 'main', 120_000);
    role('failed', 'main', 'agent:main:direct:failed', 'chat.send; the model answers HTTP 500 to every try; settled');

    await chat('agent:main:direct:aborted', 'a long answer please [[slow]]');
    await runningWithLock('agent:main:direct:aborted', 'turn to abort');
    await (await rpc()).call('chat.abort', { sessionKey: 'agent:main:direct:aborted' });
    await gateway.waitFor(() => !lockOf('agent:main:direct:aborted'), 60_000, 'the aborted turn to release its lock');
    role('aborted', 'main', 'agent:main:direct:aborted', 'chat.send with a slow model turn, then chat.abort');

    await chat('agent:main:direct:timeout', 'no answer [[hang]]');
    await runningWithLock('agent:main:direct:timeout', 'turn to time out');
    await gateway.waitFor(() => !lockOf('agent:main:direct:timeout'), 120_000, 'the timed-out turn to release its lock');
    role('timeout', 'main', 'agent:main:direct:timeout', 'chat.send; the model sends headers and nothing more (idle timeout 4 s)');

    // 4. A subagent run and a cron run that completed.
    const invoke = async (args: Record<string, unknown>): Promise<unknown> => {
      const res = await fetch(`http://127.0.0.1:${gateway.port}/tools/invoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tool: 'sessions_spawn', args, sessionKey: 'agent:main:main' }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`tools/invoke sessions_spawn: HTTP ${res.status} ${text}`);
      return JSON.parse(text) as unknown;
    };
    const before = new Set(Object.keys(store()));
    await invoke({ task: 'say hello as a subagent', runtime: 'subagent' });
    const subKey = await newKey(gateway, () => Object.keys(store()).find((k) => !before.has(k) && k.includes(':subagent:')));
    await settled(subKey, 'subagent run', 'main', 120_000);
    role('subagent', 'main', subKey, 'sessions_spawn (runtime subagent) over POST /tools/invoke; its run completed');

    const cronJob = (await (await rpc()).call('cron.add', {
      name: 'corpus job',
      schedule: { kind: 'every', everyMs: 86_400_000 },
      sessionTarget: 'isolated',
      wakeMode: 'now',
      payload: { kind: 'agentTurn', message: 'cron job says hello' },
      delivery: { mode: 'none' },
    })) as { id: string };
    await (await rpc()).call('cron.run', { id: cronJob.id, mode: 'force' });
    const cronKey = `agent:main:cron:${cronJob.id}`;
    await gateway.waitFor(() => {
      const runs = Object.keys(store()).filter((k) => k.startsWith(`${cronKey}:run:`));
      return runs.length > 0 && runs.every((k) => store()[k]?.status !== 'running' && !lockOf(k)) && store()[cronKey]?.status !== 'running';
    }, 120_000, 'the cron run to complete');
    await (await rpc()).call('cron.update', { id: cronJob.id, patch: { enabled: false } }).catch(() => undefined);
    role('cron', 'main', cronKey, 'isolated cron job run once with cron.run (force), completed');
    const runKey = Object.keys(store()).find((k) => k.startsWith(`${cronKey}:run:`));
    if (runKey) role('cron-run', 'main', runKey, 'the :run: entry of that completed cron run');

    // 5. ACP: a persistent session whose turn failed (the leak) and a healthy idle one. A version
    // whose ACP set-up this harness does not know still yields the rest of the corpus (the e2e
    // test then fails on the missing roles).
    try {
      const failedAcp = await gateway.spawnFailedSession();
      role('acp-errored', 'failer', failedAcp, '/acp spawn failer --mode persistent, one turn that the agent fails');
      const okay = await gateway.spawn('okay');
      if (!('key' in okay)) throw new Error(`spawn okay refused: ${okay.refused}`);
      await agentTurn({ sessionKey: okay.key, message: 'hello acp' });
      await settled(okay.key, 'healthy ACP turn', 'okay');
      role('acp-idle', 'okay', okay.key, '/acp spawn okay --mode persistent, one turn that succeeds');
    } catch (error) {
      notes.acp = `not captured: ${(error as Error).message.split('\n')[0]}`;
      log(`corpus: ACP sessions not captured: ${(error as Error).message.split('\n')[0]}`);
    }

    // The failing turn's retries re-take its transcript lock after `settled` saw it free (the
    // gateway retries a failed model call with backoff): before the in-flight turns below, which
    // are captured right after they start, wait until it has stayed free and settled for 20 s.
    // main too: the runs spawned above announce their results to it (a turn of its own, which
    // CI once captured still running, 31 s old, against the golden "main: idle").
    const isQuiet = (key: string): boolean => {
      const entry = store()[key];
      return Boolean(entry) && entry!.status !== 'running' && !lockOf(key);
    };
    for (let quiet = false; !quiet; ) {
      await settled('agent:main:direct:failed', 'failing turn (all retries)', 'main', 180_000);
      await settled('agent:main:main', 'main (the announces of the runs above)', 'main', 180_000);
      await sleep(20_000);
      quiet = isQuiet('agent:main:direct:failed') && isQuiet('agent:main:main');
    }
    // 6. Turns in progress at capture time: their transcript locks are held by the live gateway.
    await chat('agent:main:direct:busy', 'a long answer please [[slow]]');
    await runningWithLock('agent:main:direct:busy', 'busy chat');
    role('busy', 'main', 'agent:main:direct:busy', 'chat.send with a slow model turn, in progress at capture');
    const beforeSub = new Set(Object.keys(store()));
    await invoke({ task: 'work for a long time [[slow]]', runtime: 'subagent' });
    const busySub = await newKey(gateway, () => Object.keys(store()).find((k) => !beforeSub.has(k) && k.includes(':subagent:')));
    await runningWithLock(busySub, 'busy subagent');
    role('subagent-busy', 'main', busySub, 'sessions_spawn of a slow subagent run, in progress at capture');
    await chat('agent:main:direct:retrying', 'this will fail [[fail]]');
    await gateway.waitFor(() => store()['agent:main:direct:retrying']?.status === 'failed' && lockOf('agent:main:direct:retrying'), 60_000, 'a failing turn marked failed while its lock is held');
    role('failed-retrying', 'main', 'agent:main:direct:retrying', 'chat.send; model answers 500; captured while the gateway retries (status failed, lock held)');

    log('corpus: capture');
    const written = capture(gateway, version, out, { roles, notes });
    log(`corpus: wrote ${written}`);
    return written;
  } finally {
    await gateway.stop();
    await model.stop();
  }
}

async function newKey(gateway: RealGateway, find: () => string | undefined): Promise<string> {
  let key: string | undefined;
  await gateway.waitFor(() => Boolean((key = find())), 60_000, 'a new session key');
  return key!;
}

/** Snapshot every agent's sessions directory into the corpus format. */
function capture(gateway: RealGateway, version: string, out: string, meta: Pick<CorpusManifest, 'roles' | 'notes'>): string {
  const now = Date.now();
  const agentsDir = path.join(gateway.stateDir, 'agents');
  const normalise = (value: unknown): unknown => replaceInStrings(replaceInStrings(shiftTimes(value, now, CORPUS_EPOCH), gateway.stateDir, '<STATE>'), gateway.root, '<ROOT>');
  const manifest: CorpusManifest = { openclawVersion: version, capturedAt: CORPUS_EPOCH, notes: meta.notes, roles: meta.roles, agents: {} };
  const stores: Record<string, string> = {};
  const agentIds = readdirSync(agentsDir).sort((a, b) => (a === 'main' ? -1 : b === 'main' ? 1 : a.localeCompare(b)));
  for (const agentId of agentIds) {
    const dir = path.join(agentsDir, agentId, 'sessions');
    if (!existsSync(path.join(dir, 'sessions.json'))) continue;
    const names = readdirSync(dir).filter((name) => name !== 'sessions.json' && !name.endsWith('.tmp')).sort();
    const locks: Record<string, CorpusLock> = {};
    for (const name of names.filter((n) => n.endsWith('.lock'))) {
      try {
        const contents = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Record<string, unknown>;
        const pid = typeof contents.pid === 'number' ? contents.pid : null;
        const alive = pid !== null && isProcessAlive(pid) && (typeof contents.starttime !== 'number' || readProcStartTime(pid) === contents.starttime);
        locks[name] = { holder: alive ? 'live' : 'dead', contents: normalise(contents) as Record<string, unknown> };
      } catch {
        // released between readdir and read
      }
    }
    manifest.agents[agentId] = { files: names.filter((n) => !n.endsWith('.lock') || n in locks), locks };
    stores[agentId] = JSON.stringify(normalise(JSON.parse(readFileSync(path.join(dir, 'sessions.json'), 'utf8'))), null, 2);
  }
  rmSync(out, { recursive: true, force: true });
  for (const [agentId, text] of Object.entries(stores)) {
    mkdirSync(path.join(out, 'agents', agentId), { recursive: true });
    writeFileSync(path.join(out, 'agents', agentId, 'sessions.json'), `${text}\n`);
  }
  writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return out;
}

function parseArgs(argv: string[]): GenerateOptions {
  const options: GenerateOptions = { installDir: DEFAULT_INSTALL };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--install-dir' && value) options.installDir = path.resolve(value.replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));
    else if (flag === '--version' && value) options.version = value;
    else if (flag === '--out' && value) options.out = path.resolve(value);
    else throw new Error(`usage: generate.js [--install-dir DIR] [--version V] [--out DIR] (bad argument ${flag})`);
    i++;
  }
  return options;
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  generateCorpus(parseArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`corpus: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
