/**
 * Where a 4.x gateway writes its singleton lock: `<tmpdir>/openclaw-<uid>/gateway.<sha256(configPath)[0:8]>.lock`
 * (docs/openclaw.md §7). The tool itself never computes it: discovery reads every `gateway.*.lock`
 * in the candidate directories and proves each; tests plant locks where a gateway would.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { currentUid } from '../../src/gateway/lock-file.js';

export function gatewayLockPath(configPath: string, tmpDir: string, uid: number | null = currentUid()): string {
  const hash = createHash('sha256').update(configPath).digest('hex').slice(0, 8);
  return path.join(tmpDir, uid === null ? 'openclaw' : `openclaw-${uid}`, `gateway.${hash}.lock`);
}
