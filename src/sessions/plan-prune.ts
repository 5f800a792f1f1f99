/**
 * Planning a prune: the selected candidates as plan items, each with a fingerprint of its entry.
 * Apart from plan.ts because the fingerprint is a SHA-256: `list` and `doctor` use the selector
 * and load no node:crypto (issue 11: start-up).
 */
import { createHash } from 'node:crypto';
import { makePruneSelector, planOfItems, type PlanCandidate, type PruneCriteria, type PrunePlan, type PrunePlanItem } from './plan.js';

/** Plan once; the apply stage removes exactly this set (or less, never more). */
export function planPrune(candidates: readonly PlanCandidate[], criteria: PruneCriteria): PrunePlan {
  const select = makePruneSelector(criteria);
  const items: PrunePlanItem[] = [];
  for (const candidate of candidates) {
    if (!select(candidate)) continue;
    const sessionId = (candidate.raw as { sessionId?: unknown } | null)?.sessionId;
    const item: PrunePlanItem = {
      agentId: candidate.agentId,
      storePath: candidate.storePath,
      key: candidate.key,
      kind: candidate.kind,
      conversation: candidate.conversation,
      state: candidate.state,
      reason: candidate.reason,
      ageMs: candidate.ageMs,
      holdsSlot: candidate.holdsSlot,
      sessionId: typeof sessionId === 'string' ? sessionId : null,
      fingerprint: fingerprintOf(candidate.raw),
      raw: candidate.raw,
    };
    items.push(item);
  }
  return planOfItems(items, candidates.length);
}

/**
 * SHA-256 (base64) of an entry's JSON: equal for equal entries (the same JSON.stringify text),
 * different for any change the gateway makes. A digest rather than the text itself: a plan of
 * 50k entries kept their JSON, 130 MiB at 100k entries (issue 16 #10).
 */
export function fingerprintOf(raw: unknown): string {
  return createHash('sha256').update(JSON.stringify(raw) ?? 'undefined').digest('base64');
}

