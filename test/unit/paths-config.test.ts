import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/store/config.js';
import { ToolError } from '../../src/errors.js';
import { resolveStateLocation } from '../../src/store/paths.js';
import { discoverStores, normalizeAgentId, configuredAgentIds, jsonStorePathFor } from '../../src/store/stores.js';
import { storePath, tempDir, writeFile } from '../helpers/tmp.js';

test('state dir: OPENCLAW_STATE_DIR, then ~/.openclaw, then legacy ~/.clawdbot', () => {
  const home = tempDir();
  assert.equal(resolveStateLocation({ HOME: home }).stateDir, path.join(home, '.openclaw'));
  mkdirSync(path.join(home, '.clawdbot'));
  assert.equal(resolveStateLocation({ HOME: home }).stateDir, path.join(home, '.clawdbot'));
  mkdirSync(path.join(home, '.openclaw'));
  assert.equal(resolveStateLocation({ HOME: home }).stateDir, path.join(home, '.openclaw'));
  assert.equal(resolveStateLocation({ HOME: home, OPENCLAW_STATE_DIR: ' ~/elsewhere ' }).stateDir, path.join(home, 'elsewhere'));
  assert.equal(resolveStateLocation({ HOME: '/nope', OPENCLAW_HOME: home }).stateDir, path.join(home, '.openclaw'));
});

test('profiles: ~/.openclaw-NAME with its own config; default is ~/.openclaw; bad names refused', () => {
  const home = tempDir();
  const config = writeFile(path.join(home, '.openclaw-work', 'openclaw.json'), '{}');
  const loc = resolveStateLocation({ HOME: home, OPENCLAW_CONFIG_PATH: '/somewhere/else.json' }, { profile: 'Work' });
  assert.equal(loc.stateDir, path.join(home, '.openclaw-work'));
  assert.equal(loc.configPath, config);
  assert.equal(resolveStateLocation({ HOME: home }, { profile: 'default' }).stateDir, path.join(home, '.openclaw'));
  assert.throws(() => resolveStateLocation({ HOME: home }, { profile: '../x' }), (e: unknown) => e instanceof ToolError && e.input === 'profile' && /invalid profile name/.test(e.message));
});

test('config candidates: OPENCLAW_CONFIG_PATH, then <state>/openclaw.json, then clawdbot.json', () => {
  const home = tempDir();
  const state = path.join(home, '.openclaw');
  const legacy = writeFile(path.join(state, 'clawdbot.json'), '{}');
  assert.equal(resolveStateLocation({ HOME: home }).configPath, legacy);
  const current = writeFile(path.join(state, 'openclaw.json'), '{}');
  assert.equal(resolveStateLocation({ HOME: home }).configPath, current);
  const env = writeFile(path.join(home, 'custom.json5'), '{}');
  assert.equal(resolveStateLocation({ HOME: home, OPENCLAW_CONFIG_PATH: env }).configPath, env);
  assert.throws(() => resolveStateLocation({ HOME: home }, { config: path.join(home, 'missing.json') }), /config file not found/);
});

test('config is JSON5 with comments, trailing commas, ${VAR} and $include', () => {
  const dir = tempDir();
  writeFile(path.join(dir, 'acp.json5'), '{ acp: { maxConcurrentSessions: 3, }, }');
  const file = writeFile(
    path.join(dir, 'openclaw.json'),
    `// comment\n{ $include: "./acp.json5", gateway: { port: 18790, auth: { token: "\${GW_TOKEN}", password: "$\${LITERAL}" } }, agents: { list: [{ id: "Main Bot", default: true }, { id: "ops" },], }, /* end */ }`,
  );
  const loaded = loadConfig(file, { GW_TOKEN: 'sekret' });
  assert.equal(loaded.facts.acp?.maxConcurrentSessions, 3);
  assert.equal(loaded.facts.gateway?.port, 18790);
  assert.equal(loaded.facts.gateway?.auth?.token, 'sekret');
  assert.equal(loaded.facts.gateway?.auth?.password, '${LITERAL}');
  assert.deepEqual(configuredAgentIds(loaded.facts), { ids: ['main-bot', 'ops'], defaultId: 'main-bot' });
  assert.deepEqual(loadConfig(file, {}).missingVars, [{ name: 'GW_TOKEN', at: 'gateway.auth.token' }]);
  // As OpenClaw 2026.4.2: an empty value is missing too, and lower-case names are not references.
  assert.deepEqual(loadConfig(file, { GW_TOKEN: '' }).missingVars, [{ name: 'GW_TOKEN', at: 'gateway.auth.token' }]);
  assert.equal(loadConfig(file, { GW_TOKEN: '' }).facts.gateway?.auth?.token, '${GW_TOKEN}');
  const lower = writeFile(path.join(dir, 'lower.json'), '{ gateway: { auth: { token: "${gw_token}" } }, env: { vars: { FROM_BLOCK: "b" } } }');
  assert.deepEqual(loadConfig(lower, { gw_token: 'x' }).facts.gateway?.auth?.token, '${gw_token}');
  // The config's own env block fills an unset variable.
  const block = writeFile(path.join(dir, 'block.json'), '{ env: { vars: { GW_TOKEN: "from-block" } }, gateway: { auth: { token: "${GW_TOKEN}" } } }');
  assert.equal(loadConfig(block, {}).facts.gateway?.auth?.token, 'from-block');
  assert.equal(loadConfig(block, { GW_TOKEN: 'env-wins' }).facts.gateway?.auth?.token, 'env-wins');
});

test('bad config: one-line error with file and line', () => {
  const dir = tempDir();
  const file = writeFile(path.join(dir, 'openclaw.json'), '{\n  acp: { maxConcurrentSessions: 3 \n');
  assert.throws(() => loadConfig(file, {}), (e: Error) => e.message.includes(file) && /:\d+:\d+/.test(e.message) && !e.message.includes('\n'));
  const typed = writeFile(path.join(dir, 'typed.json'), '{ acp: { maxConcurrentSessions: "three" } }');
  assert.throws(() => loadConfig(typed, {}), /acp\.maxConcurrentSessions: expected number$/);
  // What was wrong, in words (zod/mini carries no messages of its own).
  const negative = writeFile(path.join(dir, 'negative.json'), '{ acp: { maxConcurrentSessions: 0 } }');
  assert.throws(() => loadConfig(negative, {}), /acp\.maxConcurrentSessions: must be > 0$/);
  const fraction = writeFile(path.join(dir, 'fraction.json'), '{ gateway: { port: 80.5 } }');
  assert.throws(() => loadConfig(fraction, {}), /gateway\.port: expected an integer$/);
  const list = writeFile(path.join(dir, 'list.json'), '[1, 2]');
  assert.throws(() => loadConfig(list, {}), /list\.json: the whole file: expected object$/);
});

test('agent ids are normalised like the gateway does', () => {
  assert.equal(normalizeAgentId('  My Agent! '), 'my-agent-');
  assert.equal(normalizeAgentId(''), 'main');
  assert.equal(normalizeAgentId('x'.repeat(80)).length, 64);
  assert.deepEqual(configuredAgentIds({}), { ids: ['main'], defaultId: 'main' });
  assert.equal(configuredAgentIds({ agents: { list: [{ id: 'a' }, { id: 'b' }] } }).defaultId, 'a');
});

test('session.store: unset, {agentId} template, literal', () => {
  assert.equal(jsonStorePathFor('/s', 'ops', undefined, '/h'), '/s/agents/ops/sessions/sessions.json');
  assert.equal(jsonStorePathFor('/s', 'ops', '~/stores/{agentId}.json', '/h'), '/h/stores/ops.json');
  assert.equal(jsonStorePathFor('/s', 'ops', '/data/all.json', '/h'), '/data/all.json');
});

test('store discovery: configured agents, agents found on disk, symlinks skipped', async () => {
  const state = tempDir();
  writeFile(storePath(state, 'main'), '{}');
  writeFile(storePath(state, 'found'), '{}');
  const outside = tempDir();
  writeFile(path.join(outside, 'sessions', 'sessions.json'), '{}');
  const { symlinkSync } = await import('node:fs');
  symlinkSync(outside, path.join(state, 'agents', 'linked'));
  const result = discoverStores({ stateDir: state, home: state, config: { agents: { list: [{ id: 'main' }, { id: 'empty' }] } } });
  assert.deepEqual(result.stores.map((s) => [s.agentId, s.source]), [['main', 'config'], ['found', 'discovered']]);
  assert.ok(result.missing.some((p) => p.includes('/empty/')));
  const literal = discoverStores({ stateDir: state, home: state, config: { session: { store: storePath(state, 'main') } } });
  assert.deepEqual(literal.stores.filter((s) => s.shared).length, 1);
});
