/**
 * The live count for `metrics`: the gateway's own `activeRuntimeSessions`, read by the product's
 * one reader of it (src/gateway, `/acp doctor` over RPC in a session of the tool's own). This
 * file only adapts that reader to the collection; it must never grow a second implementation.
 */
import type { LiveCountReader } from './collect.js';

// Wired to the gateway module's reader once it lands on main (issue 9); until then the series
// is absent, which is what the metric's contract says when the count cannot be read.
export const readLiveCount: LiveCountReader = async () => ({ ok: false, why: 'live count reader not available in this build' });
