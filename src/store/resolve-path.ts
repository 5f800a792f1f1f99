/**
 * `path.resolve(base, target)`, without the work when `target` is already an absolute, normal
 * path — which is what OpenClaw writes in `sessionFile` (docs/openclaw-sessions-observed.md).
 * path.resolve re-normalises its input character by character (~2.5 µs for a transcript path);
 * done four times per entry, that was ~5 ms of a 500-entry `list` (issue 11).
 */
import path from 'node:path';

/** Absolute, no empty, `.` or `..` segment, no trailing slash: path.resolve would return it as is. */
const NORMAL_ABSOLUTE = /^(?!.*\/\/)\/(?!(?:.*\/)?\.\.?(?:\/|$))(?:.*[^/])?$/s;

export function resolvePath(base: string, target: string): string {
  return NORMAL_ABSOLUTE.test(target) ? target : path.resolve(base, target);
}
