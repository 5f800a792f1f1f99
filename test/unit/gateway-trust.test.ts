/**
 * Pure rules about the gateway: is a process the gateway, is a lock its own, would a restart
 * replace it, where is it (precedence), what does /acp doctor say, who listens on a port.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfiguredPort } from '../../src/gateway/discover.js';
import { explicitTarget } from '../../src/gateway/target.js';
import { candidateLockDirs } from '../../src/gateway/lock-file.js';
import { judgeGatewayProcess, judgeLockOwnership, type PathOwnership } from '../../src/gateway/identify.js';
import { chatReplyText, parseAcpDoctor, probeSessionKey } from '../../src/gateway/live-acp.js';
import { resolveCredentials } from '../../src/gateway/probe.js';
import { cgroupSaysContainer, isTruthyEnv, judgeRespawn } from '../../src/gateway/respawn.js';
import type { LoadedConfig } from '../../src/store/config.js';
import { parseProcNetTcp, socketInodeOfLink } from '../../src/system/proc-net.js';
import { parseStatusUid } from '../../src/system/proc.js';

const node = '/root/.cache/openclaw-sessions-e2e/node22/bin/node';
const inPackage = (file: string): boolean => file.includes('/node_modules/openclaw/');

test('the gateway process is judged by executable and entry, never by a substring of its command line', () => {
  // 2026.4.2: the gateway child's argv is replaced by its title.
  assert.deepEqual(judgeGatewayProcess({ exe: node, cmdline: ['openclaw-gateway', '', '', ''] }, inPackage), { ok: true, how: 'title' });
  // 2026.4.29 `openclaw gateway run` fast path: title `openclaw`.
  assert.deepEqual(judgeGatewayProcess({ exe: node, cmdline: ['openclaw'] }, inPackage), { ok: true, how: 'title' });
  // argv intact: node <openclaw entry> gateway run
  assert.deepEqual(judgeGatewayProcess({ exe: '/usr/bin/node', cmdline: ['/usr/bin/node', '--no-warnings', '/usr/lib/node_modules/openclaw/openclaw.mjs', 'gateway', 'run'] }, inPackage), { ok: true, how: 'entry-script' });
  assert.equal(judgeGatewayProcess({ exe: '/usr/local/bin/openclaw-gateway', cmdline: ['openclaw-gateway'] }, inPackage).ok, true);

  // The issue-16 bystander: `tail -f …/openclaw/gateway.log` contains both words.
  const tail = judgeGatewayProcess({ exe: '/usr/bin/tail', cmdline: ['tail', '-f', '/home/u/.openclaw/logs/openclaw/gateway.log'] }, inPackage);
  assert.ok(!tail.ok && /not Node.js/.test(tail.why));
  // A Node process running something else, even with "openclaw gateway" in its arguments.
  assert.equal(judgeGatewayProcess({ exe: node, cmdline: [node, '/srv/app/server.js', 'openclaw', 'gateway'] }, inPackage).ok, false);
  assert.equal(judgeGatewayProcess({ exe: node, cmdline: [node, '-e', 'setInterval(()=>{},1000)', '/x/node_modules/openclaw/openclaw.mjs', 'gateway'] }, inPackage).ok, false);
  // An entry script with that name outside an openclaw package.
  assert.equal(judgeGatewayProcess({ exe: node, cmdline: [node, '/tmp/evil/openclaw.mjs', 'gateway'] }, inPackage).ok, false);
  // The openclaw CLI running another command.
  assert.equal(judgeGatewayProcess({ exe: node, cmdline: [node, '/usr/lib/node_modules/openclaw/openclaw.mjs', 'agent'] }, inPackage).ok, false);
  // Any other single-word title, and a process whose executable cannot be read.
  assert.equal(judgeGatewayProcess({ exe: node, cmdline: ['openclaw-gateway-but-not'] }, inPackage).ok, false);
  assert.equal(judgeGatewayProcess({ exe: null, cmdline: ['openclaw-gateway'] }, inPackage).ok, false);
});

test('a lock is the gateway\'s own only when file and directory are real, its user\'s, and not writable by others', () => {
  const file = (over: Partial<PathOwnership> = {}): PathOwnership => ({ kind: 'file', uid: 1000, mode: 0o644, ...over });
  const dir = (over: Partial<PathOwnership> = {}): PathOwnership => ({ kind: 'directory', uid: 1000, mode: 0o755, ...over });
  assert.deepEqual(judgeLockOwnership(file(), dir(), 1000), { ok: true });
  assert.match((judgeLockOwnership(file({ uid: 1001 }), dir({ uid: 1001 }), 1000) as { why: string }).why, /belongs to uid 1001, but the process it names runs as uid 1000/);
  assert.match((judgeLockOwnership(file({ uid: 1001 }), dir(), 1000) as { why: string }).why, /different users/);
  assert.match((judgeLockOwnership(file(), dir({ mode: 0o1777 }), 1000) as { why: string }).why, /directory is writable by others/);
  assert.match((judgeLockOwnership(file({ mode: 0o666 }), dir(), 1000) as { why: string }).why, /file is writable by others/);
  assert.match((judgeLockOwnership(file({ kind: 'symlink' }), dir(), 1000) as { why: string }).why, /symlink/);
  assert.match((judgeLockOwnership(file(), dir({ kind: 'symlink' }), 1000) as { why: string }).why, /symlink/);
  assert.equal(judgeLockOwnership(file({ kind: 'other' }), dir(), 1000).ok, false);
});

test('restart replaces the process: NO_RESPAWN in every spelling, container rule after 4.2, supervisor-only after 4.29, commands.restart', () => {
  const base = { version: '2026.4.2', gatewayEnv: {}, container: true, commandsRestart: undefined };
  // 4.2 has no container rule: it spawns a fresh copy even in a container (observed on this machine).
  assert.equal(judgeRespawn(base).replaces, true);
  for (const spelling of ['1', 'true', 'TRUE', ' yes ', 'on', 'On']) {
    const judged = judgeRespawn({ ...base, gatewayEnv: { OPENCLAW_NO_RESPAWN: spelling } });
    assert.ok(!judged.replaces && /OPENCLAW_NO_RESPAWN/.test(judged.why), spelling);
  }
  for (const notTruthy of ['0', 'false', 'no', '', 'nope']) assert.equal(judgeRespawn({ ...base, gatewayEnv: { OPENCLAW_NO_RESPAWN: notTruthy } }).replaces, true, notTruthy);
  assert.ok(isTruthyEnv('Yes') && !isTruthyEnv(undefined));
  const in429 = judgeRespawn({ ...base, version: '2026.4.29' });
  assert.ok(!in429.replaces && /container/.test(in429.why));
  assert.equal(judgeRespawn({ ...base, version: '2026.4.29', container: false }).replaces, true);
  assert.equal(judgeRespawn({ ...base, version: '2026.4.29', container: null }).replaces, false, 'unknown container state after 4.2: refuse');
  assert.equal(judgeRespawn({ ...base, version: '2026.7.35', container: false }).replaces, false, 'unmanaged 7.x restarts in-process');
  const supervised = judgeRespawn({ ...base, version: '2026.7.35', gatewayEnv: { INVOCATION_ID: 'abc' } });
  assert.ok(supervised.replaces && supervised.how === 'supervisor');
  assert.equal(judgeRespawn({ ...base, commandsRestart: false }).replaces, false);
  assert.equal(judgeRespawn({ ...base, gatewayEnv: null }).replaces, false, 'unreadable environment: cannot judge');
  assert.equal(judgeRespawn({ ...base, version: null }).replaces, false);
  assert.ok(cgroupSaysContainer('0::/docker/0123abcd\n') && cgroupSaysContainer('1:name=systemd:/kubepods/burstable/pod1') && !cgroupSaysContainer('0::/\n1:cpu:/\n'));
});

const config = (facts: LoadedConfig['facts']): LoadedConfig => ({ path: '/c/openclaw.json', facts, missingVars: [] });

test('discovery precedence: --url over OPENCLAW_GATEWAY_URL over gateway.remote.url; port env over config over 18789', () => {
  const remote = config({ gateway: { mode: 'remote', remote: { url: 'wss://gw.example:443' } } });
  assert.equal(explicitTarget('ws://127.0.0.1:1234', { OPENCLAW_GATEWAY_URL: 'ws://127.0.0.1:5678' }, remote)?.source, 'flag --url');
  assert.deepEqual(
    (({ url, port, source, explicit }) => ({ url, port, source, explicit }))(explicitTarget(undefined, { OPENCLAW_GATEWAY_URL: 'ws://127.0.0.1:5678' }, remote)!),
    { url: 'ws://127.0.0.1:5678', port: 5678, source: 'env OPENCLAW_GATEWAY_URL', explicit: true },
  );
  assert.equal(explicitTarget(undefined, {}, remote)?.source, 'config gateway.remote.url');
  // remote.url counts only in remote mode.
  assert.equal(explicitTarget(undefined, {}, config({ gateway: { remote: { url: 'wss://gw.example' } } })), null);
  assert.equal(explicitTarget(undefined, {}, config({})), null);
  // Plain ws:// off this host would carry the token in clear: refused as OpenClaw refuses it.
  assert.throws(() => explicitTarget('ws://10.0.0.5:18789', {}, config({})), /refusing plaintext .*OPENCLAW_ALLOW_INSECURE_PRIVATE_WS=1 on a trusted private network/);
  // A public address: the variable would not open it, so it is not offered.
  assert.throws(() => explicitTarget('ws://8.8.8.8:1', { OPENCLAW_ALLOW_INSECURE_PRIVATE_WS: '1' }, config({})), (error: Error) => /refusing plaintext/.test(error.message) && !/OPENCLAW_ALLOW/.test(error.message));
  assert.equal(explicitTarget('ws://10.0.0.5:18789', { OPENCLAW_ALLOW_INSECURE_PRIVATE_WS: '1' }, config({}))?.host, '10.0.0.5');
  assert.throws(() => explicitTarget('http//nope', {}, config({})), /invalid gateway URL/);

  assert.deepEqual(resolveConfiguredPort({ OPENCLAW_GATEWAY_PORT: '4000' }, config({ gateway: { port: 5000 } })), { port: 4000, source: 'env OPENCLAW_GATEWAY_PORT' });
  assert.deepEqual(resolveConfiguredPort({ OPENCLAW_GATEWAY_PORT: 'x' }, config({ gateway: { port: 5000 } })), { port: 5000, source: 'config gateway.port' });
  assert.deepEqual(resolveConfiguredPort({}, config({})), { port: 18789, source: 'default port' });

  // Lock dirs: ours and the state dir owner's, under every tmp base and the 9.x state tmp.
  const dirs = candidateLockDirs('/srv/state', { TMPDIR: '/run/user/1000' }, [0, 1000]);
  for (const expected of ['/run/user/1000/openclaw-0', '/tmp/openclaw-1000', '/srv/state/tmp/openclaw-1000', '/srv/state/tmp/openclaw-0']) assert.ok(dirs.includes(expected), expected);
});

test('credentials: flags, then env, then gateway.remote.* for a remote target or gateway.auth.* locally', () => {
  const both = config({ gateway: { mode: 'remote', auth: { token: 'local-t' }, remote: { token: 'remote-t' } } });
  assert.deepEqual(resolveCredentials(both, { OPENCLAW_GATEWAY_TOKEN: 'env-t' }, { token: 'flag-t', remote: true }), { token: 'flag-t', password: undefined });
  assert.deepEqual(resolveCredentials(both, { OPENCLAW_GATEWAY_TOKEN: 'env-t' }, { remote: true }), { token: 'env-t' });
  assert.deepEqual(resolveCredentials(both, {}, { remote: true }), { token: 'remote-t' });
  assert.deepEqual(resolveCredentials(both, {}, { remote: false }), { token: 'local-t' });
  assert.deepEqual(resolveCredentials(config({ gateway: { auth: { mode: 'password', token: 't', password: 'p' } } }), {}, { remote: false }), { password: 'p' });
  // A SecretRef object is not a string: not used (and not sent).
  assert.deepEqual(resolveCredentials(config({ gateway: { mode: 'remote', remote: { token: { source: 'env', id: 'X' } } } }), {}, { remote: true }), { password: undefined });
});

test('/acp doctor reply: every field parsed; anything without activeRuntimeSessions is unreadable', () => {
  // Verbatim from a real 2026.4.2 gateway stuck at 3/3 (docs/openclaw-gateway.md).
  const text = 'ACP doctor:\n-----\nconfiguredBackend: acpx\nactiveRuntimeSessions: 3\nruntimeIdleTtlMs: 0\nevictedIdleRuntimes: 0\nactiveTurns: 0\nqueueDepth: 0\nturnLatencyMs: avg=2400, max=3100\nturnCounts: completed=0, failed=3\nerrorCodes: ACP_TURN_FAILED=3\nregisteredBackend: acpx\nruntimeDoctor: ok (acpx 0.4.0)\nhealthy: yes\ncapabilities: session/set_mode';
  assert.deepEqual(parseAcpDoctor(text), {
    activeRuntimeSessions: 3,
    runtimeIdleTtlMs: 0,
    evictedIdleRuntimes: 0,
    activeTurns: 0,
    queueDepth: 0,
    turnCounts: { completed: 0, failed: 3 },
    errorCodes: { ACP_TURN_FAILED: 3 },
    healthy: true,
    configuredBackend: 'acpx',
  });
  assert.deepEqual(parseAcpDoctor('activeRuntimeSessions: 0\nerrorCodes: (none)')?.errorCodes, {});
  assert.deepEqual(parseAcpDoctor('activeRuntimeSessions: 2\nerrorCodes: ACP_TURN_FAILED=1, ACP_SESSION_INIT_FAILED=4')?.errorCodes, { ACP_TURN_FAILED: 1, ACP_SESSION_INIT_FAILED: 4 });
  assert.equal(parseAcpDoctor('⚠️ ACP is disabled by policy (`acp.enabled=false`).'), null);
  assert.equal(parseAcpDoctor('activeRuntimeSessions: many'), null);
  assert.equal(parseAcpDoctor(''), null);

  // The reply is matched on the run id, and an error state is reported as such.
  const final = { runId: 'r1', state: 'final', message: { content: [{ type: 'text', text: 'ACP doctor:' }, { type: 'text', text: '\nactiveRuntimeSessions: 1' }] } };
  assert.deepEqual(chatReplyText(final, 'r1'), { final: true, text: 'ACP doctor:\nactiveRuntimeSessions: 1' });
  assert.equal(chatReplyText(final, 'other'), null);
  assert.equal(chatReplyText({ runId: 'r1', state: 'delta' }, 'r1'), null);
  assert.deepEqual(chatReplyText({ runId: 'r1', state: 'error', errorMessage: 'boom' }, 'r1'), { final: true, error: 'boom' });
  assert.match(probeSessionKey('main', 'x'), /^agent:main:openclaw-sessions-probe-x$/);
});

test('/proc/net/tcp{,6}: listening sockets with port, uid and inode; socket links', () => {
  const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   2: 0100007F:9B63 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 33308 1 00000000396aca54 100 0 0 10 0
   3: 0100007F:9B63 0100007F:D2C4 01 00000000:00000000 00:00000000 00000000  1000        0 33400 1 00000000396aca54 100 0 0 10 0
   garbage line
`;
  const sockets = parseProcNetTcp(tcp, 4);
  assert.deepEqual(sockets[0], { family: 4, localAddressHex: '0100007F', port: 39779, state: '0A', uid: 0, inode: 33308 });
  assert.equal(sockets[1]!.state, '01');
  assert.equal(sockets.length, 2);
  const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:9B63 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   1000        0 33309 1 000000002d9af0fc 100 0 0 10 0
`;
  assert.deepEqual(parseProcNetTcp(tcp6, 6)[0], { family: 6, localAddressHex: '00000000000000000000000001000000', port: 39779, state: '0A', uid: 1000, inode: 33309 });
  assert.equal(socketInodeOfLink('socket:[33308]'), 33308);
  assert.equal(socketInodeOfLink('pipe:[33308]'), null);
  assert.equal(parseStatusUid('Name:\tnode\nUid:\t1000\t1000\t1000\t1000\n'), 1000);
  assert.equal(parseStatusUid('Name:\tnode\n'), null);
});

test('running, pid unknown (port or --url, no verified lock): RPC only, no signal ever', async (t) => {
  const { restartJudgement } = await import('../../src/gateway/respawn.js');
  const { restartGateway } = await import('../../src/recompute/via-restart.js');
  const { chooseRecompute } = await import('../../src/recompute/choose.js');
  const health = { listening: true, healthz: true, readyz: true, websocket: true, silent: false };
  const byPort = { target: { url: 'ws://127.0.0.1:18789', host: '127.0.0.1', port: 18789, tls: false, source: 'default port' as const, explicit: false }, verified: null, rejected: [], health, answers: true, listener: { socketUid: 0, pids: [4242], gatewayPid: 4242 }, secrets: { ok: true as const, why: 'same user' }, gatewayUid: 0 };
  const judged = restartJudgement(byPort, config({}), '2026.4.2');
  assert.ok(!judged.ok && /pid unknown/.test(judged.why), 'a listener pid found by socket is not a verified lock pid');
  assert.ok(!judged.ok && judged.fix.includes('(openclaw gateway restart, or its service manager)'), 'no install given: bare words');
  const { installCommands } = await import('../../src/cli/selection.js');
  const pinned = restartJudgement(byPort, config({}), '2026.4.2', installCommands({ profile: 'work' }));
  assert.ok(!pinned.ok && pinned.fix.includes('(openclaw --profile work gateway restart, or its service manager)'), 'the restart named is this install\'s');
  const byUrl = restartJudgement({ ...byPort, target: { ...byPort.target, source: 'flag --url', explicit: true }, listener: null }, config({}), '2026.4.2');
  assert.ok(!byUrl.ok && /never signalled/.test(byUrl.why));
  // The decision refuses a requested restart instead of becoming something else.
  const decision = chooseRecompute({ requested: 'restart', gatewayRunning: true, generation: 'locked-json', rpc: { ok: true }, restart: { ok: false, why: judged.ok ? '' : judged.why }, allowRestart: true, slotsToFree: 3, acpEntries: 3 });
  assert.equal(decision.method, 'refuse');
  // And the restart step itself never signals without a verified pid.
  const kill = t.mock.method(process, 'kill', () => true);
  try {
    const outcome = await restartGateway({ gateway: null } as never, 'SIGUSR1', { location: {} as never, config: config({}), env: {}, waitMs: 10 });
    assert.equal(outcome.ok, false);
    assert.equal(kill.mock.callCount(), 0);
  } finally {
    kill.mock.restore();
  }
});

test('sessions.list rows (no acp object over RPC): an ACP session is prunable only when its last turn failed; running is never stale', async () => {
  const { remoteSessionView } = await import('../../src/gateway/remote-sessions.js');
  const now = 1_800_000_000_000;
  const ctx = { now, staleAfterMs: 30 * 60_000 };
  const row = (key: string, extra: Record<string, unknown> = {}) => ({ key, sessionId: 's-1', updatedAt: now - 3_600_000, ...extra });
  const failed = remoteSessionView(row('agent:failer:acp:1', { status: 'failed' }), 'ws://127.0.0.1:1', ctx);
  assert.deepEqual([failed.state, failed.terminal, failed.holdsSlot, failed.agentId, failed.storePath], ['errored', true, true, 'failer', 'ws://127.0.0.1:1']);
  // Without an acp object a local classifier would call it "closed"; over RPC it is unknown and kept.
  for (const status of [undefined, 'done', 'running']) {
    const kept = remoteSessionView(row('agent:okay:acp:2', status ? { status } : {}), 'u', ctx);
    assert.deepEqual([kept.state, kept.terminal], ['idle', false], String(status));
  }
  const quietRunning = remoteSessionView(row('agent:main:subagent:3', { status: 'running', startedAt: now - 7_200_000 }), 'u', ctx);
  assert.equal(quietRunning.terminal, false, 'transcript locks cannot be checked over RPC');
});
