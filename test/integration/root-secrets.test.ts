/**
 * Root's gateway secrets (OPENCLAW_GATEWAY_TOKEN in root's crontab) after a root run switched to
 * act as the state dir's owner: a listener of that user's, on a URL or port the user's config
 * names, never receives root's value unless the operator named the target on the command line
 * (or the gateway already holds that value). A real user (useradd), a real listener running as
 * that user, the real CLI as root. Skipped, with the reason, when not root.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCliAsync } from '../helpers/cli.js';
import { acpEntry, chatEntry, MIN } from '../helpers/stores.js';
import { storePath, tempDir, trackedChildren, writeFile } from '../helpers/tmp.js';
import { startStranger } from '../helpers/stranger.js';

const USER = 'ocs-gw-test';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasUseradd = isRoot && spawnSync('useradd', ['--help']).status === 0;
const skip = !isRoot ? 'needs root (CI runs as root): a root run acting as another user' : !hasUseradd ? 'needs useradd' : false;
const ROOT_TOKEN = 'root-env-secret-7f3a';
const children = trackedChildren();

let created = false;
// The user this file created goes when it is done (its listeners are gone by then).
after(() => void (created && spawnSync('userdel', [USER])));

/** The test user's uid/gid, created once (a system user without a home or a login shell). */
function realUser(): { uid: number; gid: number } {
  if (spawnSync('id', ['-u', USER]).status !== 0) {
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    created = true;
  }
  const id = (flag: string) => Number(spawnSync('id', [flag, USER], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The user's listener: prints every frame it hears. `env`: its own environment (a gateway's token). */
async function usersListener(user: { uid: number; gid: number }, env: Record<string, string> = {}): Promise<{ port: number; heard: () => string }> {
  const listener = await startStranger(children, { spawn: { uid: user.uid, gid: user.gid, env: { PATH: process.env.PATH, ...env } } });
  return { port: listener.port, heard: listener.output };
}

/** A state dir (store and config) owned by the user, under a root-owned directory. */
function usersInstall(user: { uid: number; gid: number }, config: string): string {
  const root = tempDir();
  chmodSync(root, 0o755);
  const state = path.join(root, 'state');
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN) });
  writeFile(path.join(state, 'openclaw.json'), config);
  spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, state]);
  return state;
}

/** Frames carry the secret in connect's auth; wait until the connect frame (or the run's end) is in. */
function sentAuth(heard: string): string[] {
  return [...heard.matchAll(/^heard (.*)$/gm)].map((m) => (JSON.parse(m[1]!) as { method?: string; params?: { auth?: unknown } })).filter((f) => f.method === 'connect').map((f) => JSON.stringify(f.params?.auth ?? null));
}

test('root\'s OPENCLAW_GATEWAY_TOKEN never reaches the gateway.remote.url of the user\'s config; --url naming it, or --token, sends what the operator chose', { skip }, async () => {
  const user = realUser();
  const listener = await usersListener(user);
  const state = usersInstall(user, '{ gateway: { mode: "remote", remote: { url: "ws://127.0.0.1:${OPENCLAW_TEST_PORT}", token: "${OPENCLAW_GATEWAY_TOKEN}" } } }');
  const env = { HOME: '/root', OPENCLAW_GATEWAY_TOKEN: ROOT_TOKEN, OPENCLAW_TEST_PORT: String(listener.port) };
  const url = `ws://127.0.0.1:${listener.port}`;

  const withheld = await runCliAsync(['list', '--state-dir', state], env);
  assert.equal(sentAuth(listener.heard()).length, 1, `the listener was asked to connect once: ${listener.heard()}`);
  assert.doesNotMatch(listener.heard(), new RegExp(ROOT_TOKEN), 'root\'s token reached the owner\'s URL');
  assert.match(withheld.stderr, new RegExp(`withheld OPENCLAW_GATEWAY_TOKEN \\(root's environment\\) from ${url}: that URL is gateway\\.remote\\.url in the config of ${USER} \\(uid ${user.uid}\\).*--url ${url}$`, 'm'));
  // `${OPENCLAW_GATEWAY_TOKEN}` in the owner's config is not filled from root's environment either.
  assert.match(withheld.stderr, /missing env var "OPENCLAW_GATEWAY_TOKEN" at gateway\.remote\.token/);

  // The operator names the URL: root's environment secret goes there, deliberately.
  await runCliAsync(['list', '--state-dir', state, '--url', url], env);
  assert.equal(sentAuth(listener.heard()).at(-1), JSON.stringify({ token: ROOT_TOKEN }));
  // Or passes the secret itself: that value, not root's environment's.
  const flagged = await runCliAsync(['list', '--state-dir', state, '--token', 'operator-chose-this'], env);
  assert.doesNotMatch(flagged.stderr, /withheld/);
  assert.equal(sentAuth(listener.heard()).at(-1), JSON.stringify({ token: 'operator-chose-this' }));
});

test('the user\'s config\'s own remote token goes to its URL in place of root\'s; root\'s value equal to it is no news and is not withheld', { skip }, async () => {
  const user = realUser();
  const listener = await usersListener(user);
  const state = usersInstall(user, `{ gateway: { mode: "remote", remote: { url: "ws://127.0.0.1:${listener.port}", token: "owners-own" } } }`);
  const result = await runCliAsync(['list', '--state-dir', state], { HOME: '/root', OPENCLAW_GATEWAY_TOKEN: ROOT_TOKEN });
  assert.match(result.stderr, /withheld OPENCLAW_GATEWAY_TOKEN/);
  assert.equal(sentAuth(listener.heard()).at(-1), JSON.stringify({ token: 'owners-own' }));
  // The same value in root's environment is no news to the owner: sent, and nothing withheld.
  const same = await runCliAsync(['list', '--state-dir', state], { HOME: '/root', OPENCLAW_GATEWAY_TOKEN: 'owners-own' });
  assert.doesNotMatch(same.stderr, /withheld/);
});

test('a "gateway" of the user\'s on the port their config names gets root\'s token only when it holds that token itself, or the operator names it with --url', { skip }, async () => {
  const user = realUser();
  // Any user can make a process look like the gateway (its title); the socket is theirs: "proven".
  const fake = await usersListener(user, { LISTENER_TITLE: 'openclaw-gateway' });
  const state = usersInstall(user, `{ gateway: { port: ${fake.port} } }`);
  const env = { HOME: '/root', OPENCLAW_GATEWAY_TOKEN: ROOT_TOKEN };
  const url = `ws://127.0.0.1:${fake.port}`;
  const withheld = await runCliAsync(['gateway', '--state-dir', state], env);
  assert.equal(sentAuth(fake.heard()).length, 1, `the proven listener was asked to connect: ${fake.heard()}`);
  assert.doesNotMatch(fake.heard(), new RegExp(ROOT_TOKEN), 'root\'s token reached the owner\'s listener');
  assert.match(withheld.stderr, new RegExp(`withheld OPENCLAW_GATEWAY_TOKEN \\(root's environment\\) from the gateway on port ${fake.port}: it runs as ${USER} .*--url ${url}$`, 'm'));
  await runCliAsync(['gateway', '--state-dir', state, '--url', url], env);
  assert.equal(sentAuth(fake.heard()).at(-1), JSON.stringify({ token: ROOT_TOKEN }));

  // A gateway started with that token in its environment already holds it: sent, no line.
  const own = await usersListener(user, { LISTENER_TITLE: 'openclaw-gateway', OPENCLAW_GATEWAY_TOKEN: ROOT_TOKEN });
  const ownState = usersInstall(user, `{ gateway: { port: ${own.port} } }`);
  const sent = await runCliAsync(['gateway', '--state-dir', ownState], env);
  assert.doesNotMatch(sent.stderr, /withheld/);
  assert.equal(sentAuth(own.heard()).at(-1), JSON.stringify({ token: ROOT_TOKEN }));
});

test('from root\'s cron the withheld line is not mailed every run: prune --quiet and metrics print none; a refused prune\'s error, the metric and doctor still say it, and doctor\'s fix is one that helps', { skip }, async () => {
  const user = realUser();
  // The user's "gateway" refuses the connection as a real one refuses a missing token.
  const fake = await usersListener(user, { LISTENER_TITLE: 'openclaw-gateway', LISTENER_REFUSE: '1' });
  const state = usersInstall(user, `{ gateway: { port: ${fake.port} } }`);
  // An errored ACP session quiet for an hour: a default prune takes it, and needs the gateway for it.
  writeFile(storePath(state, 'main'), { 'agent:main:main': chatEntry('m', MIN), 'agent:main:acp:failed': acpEntry('f', 60 * MIN, { state: 'error', lastError: 'x' }) });
  spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, state]);
  const env = { HOME: '/root', OPENCLAW_GATEWAY_TOKEN: ROOT_TOKEN };
  const url = `ws://127.0.0.1:${fake.port}`;
  const line = new RegExp(`withheld OPENCLAW_GATEWAY_TOKEN \\(root's environment\\) from the gateway on port ${fake.port}: it runs as ${USER} .*--url ${url}`);

  const quiet = await runCliAsync(['prune', '--yes', '--quiet', '--state-dir', state], env);
  assert.notEqual(quiet.status, 0, 'RPC refused: the ACP entry is not taken');
  assert.doesNotMatch(quiet.stderr, /^openclaw-sessions: withheld/m, 'no line of its own under --quiet');
  // The one error line says why the gateway refused: the withheld token.
  assert.equal(quiet.stderr.trim().split('\n').length, 1, quiet.stderr);
  assert.match(quiet.stderr, /unauthorized: gateway token mismatch/);
  assert.match(quiet.stderr, line);

  const said = await runCliAsync(['prune', '--yes', '--state-dir', state], env);
  assert.equal(said.stderr.match(/^openclaw-sessions: withheld/gm)?.length, 1, `without --quiet, said once: ${said.stderr}`);

  const metrics = await runCliAsync(['metrics', '--state-dir', state], env);
  assert.equal(metrics.status, 0, metrics.stderr);
  assert.equal(metrics.stderr, '');
  assert.match(metrics.stdout, /^openclaw_gateway_secret_withheld\{variable="OPENCLAW_GATEWAY_TOKEN"\} 1$/m);

  const doctor = await runCliAsync(['doctor', '--json', '--state-dir', state], env);
  assert.doesNotMatch(doctor.stderr, /withheld/, 'a finding, not a stderr line');
  const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ id: string; message: string; fix: string | null }> }).findings;
  const rpc = findings.find((f) => f.id === 'rpc-unavailable');
  assert.ok(rpc, JSON.stringify(findings));
  assert.match(rpc.message, line);
  assert.doesNotMatch(rpc.fix!, /set OPENCLAW_GATEWAY_TOKEN/, 'it is set; it would be withheld again');
  assert.equal(rpc.fix, `openclaw-sessions doctor --url ${url} --state-dir ${state} (sends the OPENCLAW_GATEWAY_TOKEN set here: only if that gateway should have it), or run as ${USER} (uid ${user.uid})`);
  assert.doesNotMatch(fake.heard(), new RegExp(ROOT_TOKEN), 'root\'s token never reached the user\'s listener');

  // The text form shows that fix whole (a fix starting with a command is rendered as shell words).
  const text = await runCliAsync(['doctor', '--state-dir', state], env);
  assert.match(text.stdout.replace(/ \\\n\s+/g, ' '), new RegExp(`fix: openclaw-sessions doctor --url ${url} --state-dir ${state} \\(sends the OPENCLAW_GATEWAY_TOKEN set here: only if that gateway should have it\\), or run as ${USER} \\(uid ${user.uid}\\)`));
  // The fix works as it says: named with --url, root's token goes there.
  await runCliAsync(['doctor', '--json', '--url', url, '--state-dir', state], env);
  assert.equal(sentAuth(fake.heard()).at(-1), JSON.stringify({ token: ROOT_TOKEN }));
});
