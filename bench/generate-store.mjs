// Generates a sessions.json shaped like a busy real install (facts §4): chat sessions with
// skills snapshots and system-prompt reports, subagent runs, cron runs, and ACP sessions in
// every state, in the proportions a long-running gateway accumulates.
//
//   node bench/generate-store.mjs <entries> <out.json> [seed]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function generateStore(count, seed = 1) {
  let state = seed >>> 0 || 1;
  const rand = () => {
    // xorshift32: deterministic, so every run benches the same bytes
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const pick = (items) => items[Math.floor(rand() * items.length)];
  const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  const now = Date.now();
  const skillsSnapshot = () => ({
    prompt: `<available_skills>\n${Array.from({ length: 6 }, (_, i) => `<skill name="skill-${i}">Use when the user asks about topic ${i}; ${'details '.repeat(12)}</skill>`).join('\n')}\n</available_skills>`,
    skills: Array.from({ length: 6 }, (_, i) => ({ name: `skill-${i}`, primaryEnv: i % 2 ? `SKILL_${i}_TOKEN` : undefined })),
    resolvedSkills: Array.from({ length: 6 }, (_, i) => ({ name: `skill-${i}`, source: 'bundled', filePath: `/opt/openclaw/skills/skill-${i}/SKILL.md` })),
    version: 7,
  });
  const systemPromptReport = () => ({
    source: 'run',
    generatedAt: now - Math.floor(rand() * 1e8),
    systemPrompt: { chars: 18000 + Math.floor(rand() * 4000), projectContextChars: 4200, nonProjectContextChars: 13900 },
    injectedWorkspaceFiles: ['AGENTS.md', 'SOUL.md', 'TOOLS.md', 'USER.md'].map((name) => ({ name, path: `/home/op/.openclaw/workspace/${name}`, rawChars: 1200, injectedChars: 1200, truncated: false })),
    skills: { promptChars: 2400, entries: Array.from({ length: 6 }, (_, i) => ({ name: `skill-${i}`, blockChars: 380 })) },
    tools: { listChars: 3100, schemaChars: 14800, entries: ['read', 'write', 'exec', 'browser', 'sessions_spawn'].map((name) => ({ name, summaryChars: 90, schemaChars: 2900 })) },
  });
  const store = {};
  for (let i = 0; i < count; i++) {
    const agent = pick(['main', 'main', 'main', 'ops', 'coder']);
    const age = Math.floor(rand() * 30 * 86_400_000);
    const updatedAt = now - age;
    const roll = rand();
    const sessionId = uuid();
    const base = { sessionId, updatedAt, sessionFile: `${sessionId}.jsonl`, inputTokens: Math.floor(rand() * 50000), outputTokens: Math.floor(rand() * 5000), model: pick(['gpt-5.1', 'claude-sonnet-4.5', 'gemini-3-pro']), modelProvider: pick(['openai', 'anthropic', 'google']) };
    if (roll < 0.45) {
      store[`agent:${agent}:${pick(['telegram', 'discord', 'slack', 'whatsapp'])}:direct:${Math.floor(rand() * 1e9)}`] = {
        ...base, chatType: 'direct', lastChannel: 'telegram', thinkingLevel: 'low', skillsSnapshot: skillsSnapshot(), systemPromptReport: systemPromptReport(),
        origin: { provider: 'telegram', surface: 'dm', from: String(Math.floor(rand() * 1e9)) }, deliveryContext: { channel: 'telegram', to: String(Math.floor(rand() * 1e9)) },
      };
    } else if (roll < 0.65) {
      store[`agent:${agent}:subagent:${uuid()}`] = { ...base, status: pick(['done', 'done', 'failed', 'killed', 'timeout', 'running']), spawnedBy: `agent:${agent}:main`, spawnDepth: 1, startedAt: updatedAt - 60000, endedAt: updatedAt, runtimeMs: 60000, label: `task ${i}`, skillsSnapshot: skillsSnapshot() };
    } else if (roll < 0.8) {
      const job = `job-${Math.floor(rand() * 50)}`;
      store[`agent:${agent}:cron:${job}:run:${uuid()}`] = { ...base, status: 'done', cronJobId: job, startedAt: updatedAt - 30000, endedAt: updatedAt };
    } else {
      const acpState = pick(['idle', 'error', 'error', 'running']);
      const mode = pick(['persistent', 'persistent', 'oneshot']);
      const closed = rand() < 0.1;
      store[`agent:${agent}:acp:${uuid()}`] = closed ? base : {
        ...base, status: acpState === 'error' ? 'failed' : acpState === 'running' ? 'running' : 'done', spawnedBy: `agent:${agent}:main`, label: `acp ${i}`,
        acp: {
          backend: 'acpx', agent: pick(['codex', 'claude', 'gemini']), runtimeSessionName: `oc-${sessionId.slice(0, 8)}`, mode, state: acpState, lastActivityAt: updatedAt,
          ...(acpState === 'error' ? { lastError: 'acpx exited with code 1' } : {}), cwd: '/home/op/work/repo',
          runtimeOptions: { model: 'gpt-5.1-codex', permissionMode: 'auto' },
          identity: { state: pick(['pending', 'resolved']), source: pick(['ensure', 'status', 'event']), lastUpdatedAt: updatedAt, acpxRecordId: `rec-${hex(8)}`, acpxSessionId: uuid() },
        },
      };
    }
  }
  store[`agent:main:main`] = { sessionId: uuid(), updatedAt: now, chatType: 'direct', skillsSnapshot: skillsSnapshot(), systemPromptReport: systemPromptReport() };
  return store;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [count, out, seed] = process.argv.slice(2);
  if (!count || !out) {
    console.error('usage: node bench/generate-store.mjs <entries> <out.json> [seed]');
    process.exit(2);
  }
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true, mode: 0o700 });
  const text = JSON.stringify(generateStore(Number(count), Number(seed ?? 1)), null, 2);
  writeFileSync(out, text, { mode: 0o600 });
  console.log(`${out}: ${count} entries, ${(text.length / 1048576).toFixed(1)} MiB`);
}
