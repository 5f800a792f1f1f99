/** Realistic entries for tests, shaped like the gateway writes them (docs/openclaw.md §4). */
export const MIN = 60_000;

export function acpEntry(sessionId: string, ageMs: number, acp: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const at = Date.now() - ageMs;
  return {
    sessionId,
    updatedAt: at,
    ...extra,
    acp: { backend: 'acpx', agent: 'failer', runtimeSessionName: `rt-${sessionId}`, mode: 'persistent', state: 'idle', lastActivityAt: at, ...acp },
  };
}

export function chatEntry(sessionId: string, ageMs: number, extra: Record<string, unknown> = {}) {
  return { sessionId, updatedAt: Date.now() - ageMs, chatType: 'direct', ...extra };
}

/** One session in every state the classifier knows, keyed for the agent. */
export function everyState(agent: string) {
  return {
    [`agent:${agent}:main`]: chatEntry(`${agent}-main`, 2 * MIN, { skillsSnapshot: { prompt: 'p', skills: [{ name: 's' }] }, futureField: { nested: [1, 2, { deep: true }] } }),
    [`agent:${agent}:acp:errored`]: acpEntry(`${agent}-err`, 60 * MIN, { state: 'error', lastError: 'acpx exited with code 1' }, { status: 'failed' }),
    [`agent:${agent}:acp:idle`]: acpEntry(`${agent}-idle`, 60 * MIN, { state: 'idle' }, { status: 'done' }),
    [`agent:${agent}:acp:running`]: acpEntry(`${agent}-run`, 1 * MIN, { state: 'running' }, { status: 'running' }),
    [`agent:${agent}:acp:stale`]: acpEntry(`${agent}-stale`, 120 * MIN, { state: 'running' }, { status: 'running' }),
    [`agent:${agent}:acp:oneshot`]: acpEntry(`${agent}-one`, 60 * MIN, { mode: 'oneshot', state: 'idle' }, { status: 'done' }),
    [`agent:${agent}:acp:closed`]: chatEntry(`${agent}-closed`, 60 * MIN),
    [`agent:${agent}:subagent:done`]: chatEntry(`${agent}-sub`, 60 * MIN, { status: 'done', spawnedBy: `agent:${agent}:main` }),
    [`agent:${agent}:dashboard:bad`]: { updatedAt: Date.now() },
  };
}
