/** The tool's own version (journals and logs record it). */
import { packageInfo } from './package-root.js';

/** Set by the bundle (scripts/bundle.mjs, from package.json at build time); absent in the tsc output the tests import. */
declare const OPENCLAW_SESSIONS_VERSION: string | undefined;

/** package.json's `version`: built into the bundle, so a run reads no package.json for it (~1 ms, issue 11). */
export function toolVersion(): string {
  return typeof OPENCLAW_SESSIONS_VERSION === 'string' ? OPENCLAW_SESSIONS_VERSION : packageInfo().version;
}
