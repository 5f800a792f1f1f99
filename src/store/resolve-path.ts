/**
 * `path.resolve(base, target)`, without the work when `target` is already an absolute, normal
 * path — which is what OpenClaw writes in `sessionFile` (docs/openclaw-sessions-observed.md) — or
 * one plain name under an absolute, normal `base` (a `sessionFile` of `<sessionId>.jsonl`).
 * path.resolve re-normalises its input character by character (~2.5 µs for a transcript path);
 * done four times per entry, that was ~5 ms of a 500-entry `list` (issue 11).
 */
import path from 'node:path';

export function resolvePath(base: string, target: string): string {
  if (isNormalAbsolute(target)) return target;
  if (isPlainName(target)) {
    if (base === '/') return `/${target}`;
    if (isNormalAbsolute(base)) return `${base}/${target}`;
  }
  return path.resolve(base, target);
}

/** One path segment that is neither `.` nor `..`: joined to a normal directory, it stays normal. */
function isPlainName(target: string): boolean {
  return target.length > 0 && target !== '.' && target !== '..' && !target.includes('/');
}

/**
 * Absolute, with no empty, `.` or `..` segment and no trailing slash: path.resolve would return
 * it unchanged. Substring searches, linear in the length (a regex with look-aheads backtracked).
 */
function isNormalAbsolute(target: string): boolean {
  if (target.length < 2 || target[0] !== '/' || target.endsWith('/') || target.endsWith('/.') || target.endsWith('/..')) return false;
  return !target.includes('//') && !target.includes('/./') && !target.includes('/../');
}

/**
 * `file`'s name when it is a direct child of the directory `dir` (both as path.resolve writes
 * them: absolute, normal), else null: what `path.dirname(file) === dir ? path.basename(file) : null`
 * answers for such paths, by one prefix comparison instead of path.dirname's and path.basename's
 * walks over every character (~2 ms over 500 transcripts, issue 11). A file with a trailing slash
 * or a `.` segment is null here (never a child): a caller then asks the disk, the slower, sure way.
 */
export function nameInDir(dir: string, file: string): string | null {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  if (!file.startsWith(prefix)) return null;
  const name = file.slice(prefix.length);
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') ? name : null;
}
