/**
 * `--key` / `--keep` globs: `*` (any run of characters, `:` included) and `?` (one character),
 * whole key, case-insensitive. Pure.
 *
 * Matched by the classic greedy wildcard walk (remember the last `*`, retry from there on a
 * mismatch): O(key × glob) in the worst case, with no backtracking blow-up. A glob compiled to a
 * regular expression (our old code, picomatch, minimatch) backtracks exponentially in the number
 * of stars: `*a*a*a*a*a*a*a*a*a*b` against a 70-character key ran > 60 s with picomatch 4.0
 * (measured), the hang of issue 16 finding 12.
 */
export type KeyMatcher = (key: string) => boolean;

export function compileGlob(glob: string): KeyMatcher {
  // Runs of stars are one star: fewer restarts, same meaning.
  const pattern = glob.trim().toLowerCase().replace(/\*+/g, '*');
  return (key) => matchGlob(pattern, key.toLowerCase());
}

function matchGlob(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === text[t])) {
      p += 1;
      t += 1;
    } else if (c === '*') {
      star = p;
      resume = t;
      p += 1;
    } else if (star >= 0) {
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}
