/**
 * An install an operator meets on a bad day: long agent ids and keys, error messages with
 * newlines, terminal escapes and wide characters, two agents, the cap reached.
 */
import path from 'node:path';
import { acpEntry, chatEntry, MIN } from './stores.js';
import { storePath, writeFile } from './tmp.js';

export const LONG_AGENT = 'research-assistant-with-a-long-name';
export const LONG_KEY = `agent:${LONG_AGENT}:acp:binding:discord:guild-112233445566778899:channel-998877665544332211:thread-5566778899`;
export const MULTILINE_ERROR = 'ACP turn failed: backend exited with code 137\n  at runTurn (acpx/dist/runtime.js:412:11)\n  stderr: Killed (out of memory?)';

export function messyInstall(root: string): string {
  const state = path.join(root, 'state');
  writeFile(path.join(state, 'openclaw.json'), `{ acp: { maxConcurrentSessions: 2 }, agents: { list: [{ id: "main" }, { id: "${LONG_AGENT}" }] } }`);
  writeFile(storePath(state, 'main'), {
    'agent:main:main': chatEntry('m', 5 * MIN),
    'agent:main:acp:0b3e5f12-9d4a-4c7b-8e61-2f9a0c1d3e58': acpEntry('e1', 90 * MIN, { state: 'error', lastError: MULTILINE_ERROR }, { status: 'failed' }),
    'agent:main:acp:7c9e6679-7425-40de-944b-e07fc1f90ae7': acpEntry('e2', 90 * MIN, { state: 'error', lastError: 'turn failed: \u001b[31mred\u001b[0m 模型服务不可用 (model service unavailable) after 3 retries over 300 seconds' }, { status: 'failed' }),
    'agent:main:subagent:5a1b2c3d-1111-4222-8333-444455556666': chatEntry('s1', 90 * MIN, { status: 'done', spawnedBy: 'agent:main:main' }),
  });
  writeFile(storePath(state, LONG_AGENT), {
    [`agent:${LONG_AGENT}:main`]: chatEntry('lm', 5 * MIN),
    [LONG_KEY]: acpEntry('lb', 200 * MIN, { state: 'error', lastError: `${'a very long error message that goes on '.repeat(6)}end` }, { status: 'failed' }),
    [`agent:${LONG_AGENT}:acp:idle-0000-1111-2222-333344445555`]: acpEntry('li', 20 * MIN, { state: 'idle' }, { status: 'done' }),
  });
  return state;
}
