/** The tool's own version, read from its package.json (journals and logs record it). */
import { packageInfo } from './package-root.js';

export function toolVersion(): string {
  return packageInfo().version;
}
