/**
 * Planning a prune that will run: the plan with a fingerprint of each entry. Apart from plan.ts
 * because the fingerprint is a SHA-256: `list`, `doctor` and a dry run plan without it and load
 * no node:crypto (issue 11: start-up).
 */
import { createHash } from 'node:crypto';
import { planCandidates, type PlanCandidate, type PruneCriteria, type PrunePlan } from './plan.js';

/** Plan once; the apply stage removes exactly this set (or less, never more). */
export function planPrune(candidates: readonly PlanCandidate[], criteria: PruneCriteria): PrunePlan {
  return planCandidates(candidates, criteria, fingerprintOf);
}

/**
 * SHA-256 (base64) of an entry's JSON: equal for equal entries (the same JSON.stringify text),
 * different for any change the gateway makes. A digest rather than the text itself: a plan of
 * 50k entries kept their JSON, 130 MiB at 100k entries (issue 16 #10).
 */
export function fingerprintOf(raw: unknown): string {
  return createHash('sha256').update(JSON.stringify(raw) ?? 'undefined').digest('base64');
}
