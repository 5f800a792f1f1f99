/**
 * Text as a terminal shows it: display width (wide CJK/emoji take two cells, combining marks
 * none), cutting to a width, wrapping, and making untrusted text (keys and error messages read
 * from a store) safe to print on one line.
 */

// Ranges a terminal draws two cells wide (East Asian Wide/Fullwidth and emoji pictographs);
// an approximation of UAX #11 that is right for the text session stores hold.
const WIDE = /[\u1100-\u115F\u231A\u231B\u2329\u232A\u23E9-\u23EC\u23F0\u23F3\u25FD\u25FE\u2614\u2615\u2648-\u2653\u267F\u2693\u26A1\u26AA\u26AB\u26BD\u26BE\u26C4\u26C5\u26CE\u26D4\u26EA\u26F2\u26F3\u26F5\u26FA\u26FD\u2705\u270A\u270B\u2728\u274C\u274E\u2753-\u2755\u2757\u2795-\u2797\u27B0\u27BF\u2B1B\u2B1C\u2B50\u2B55\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE10-\uFE19\uFE30-\uFE6F\uFF00-\uFF60\uFFE0-\uFFE6\u{16FE0}-\u{16FE4}\u{17000}-\u{18AFF}\u{1B000}-\u{1B16F}\u{1F004}\u{1F0CF}\u{1F18E}\u{1F191}-\u{1F19A}\u{1F200}-\u{1F251}\u{1F300}-\u{1F64F}\u{1F680}-\u{1F6FF}\u{1F7E0}-\u{1F7EB}\u{1F90C}-\u{1F9FF}\u{1FA70}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;
const ZERO = /[\p{Mn}\p{Me}\u200B-\u200D\u2060\uFEFF]/u;

/** Cells one code point takes on a terminal: 0, 1 or 2. */
export function charWidth(char: string): number {
  if (ZERO.test(char)) return 0;
  return WIDE.test(char) ? 2 : 1;
}

/**
 * Printable ASCII only: such text is its own oneLine and as wide as it is long. Nearly every key,
 * state and message is; a table checks a whole row with one test (issue 11).
 */
export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Cells a string takes on a terminal (no escape sequences expected: paint after measuring). */
export function displayWidth(text: string): number {
  // Plain ASCII (nearly every key and message) needs no per-character look.
  if (isPrintableAscii(text)) return text.length;
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/**
 * One line of untrusted text: control characters (newlines in an error message, an ESC that
 * would restyle the terminal) and bidi overrides are written as visible escapes, so every row
 * stays one line and nothing read from a store can drive the terminal.
 */
export function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return ' ';
    const code = char.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/**
 * A session key as a table shows it: spaces at either end written `\x20`, so ` agent:main:x`
 * (OpenClaw trims every key it writes, so only another writer leaves one) neither looks like
 * `agent:main:x` nor shifts its row. Anything else is left to oneLine.
 */
export function keyCell(key: string): string {
  return key.startsWith(' ') || key.endsWith(' ') ? key.replace(/^ +| +$/g, (spaces) => '\\x20'.repeat(spaces.length)) : key;
}

/**
 * What a cut may not split: an escape oneLine wrote (`\x1b`, `\u202e`, `\n`, `\r`), else one code
 * point. Cut inside, `\x1b` became `\x1…`, which names no character at all.
 */
const UNIT = /\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|[nr])|[\s\S]/gu;

function unitWidth(unit: string): number {
  return unit.length > 1 && unit.startsWith('\\') ? unit.length : charWidth(unit);
}

/** The longest start of `text` that fits `width` cells. */
function headOf(text: string, width: number): string {
  let used = 0;
  let out = '';
  for (const [unit] of text.matchAll(UNIT)) {
    const w = unitWidth(unit);
    if (used + w > width) break;
    used += w;
    out += unit;
  }
  return out;
}

function tailOf(text: string, width: number): string {
  const units = text.match(UNIT) ?? [];
  let used = 0;
  let start = units.length;
  while (start > 0) {
    const w = unitWidth(units[start - 1]!);
    if (used + w > width) break;
    used += w;
    start -= 1;
  }
  return units.slice(start).join('');
}

/** Keeps the start (prose: the first words say the most): `last turn failed: AC…`. */
export function shortenEnd(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  if (max <= 0) return '';
  return `${headOf(text, max - 1)}…`;
}

/** Keeps the end (paths: the file and the directories nearest it): `…/main/sessions/sessions.json`. */
export function shortenStart(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  if (max <= 0) return '';
  return `…${tailOf(text, max - 1)}`;
}

/** Keeps both ends of a long key (`agent:main:acp:1234…cdef`), which is where keys differ. */
export function shortenMiddle(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${headOf(text, head)}…${tailOf(text, keep - head)}`;
}

/**
 * A session key keeps what says what it is — `agent:<id>:<kind>:` — and the end, where keys of
 * one kind differ (`agent:main:acp:…c7fada847da`); plain middle-shortening when that prefix
 * would leave too little of the end.
 */
export function shortenKey(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  const prefix = /^(?:[^:]*:){3}/.exec(text)?.[0];
  if (!prefix || displayWidth(prefix) > max - 7) return shortenMiddle(text, max);
  return `${prefix}…${tailOf(text.slice(prefix.length), max - displayWidth(prefix) - 1)}`;
}

/**
 * Shortens every value of a column to `max` cells so that values that differ stay different:
 * the column's own shortening first, and for values it would merge (two stores that differ only in the
 * agent directory, say) a window around the part where they differ. Returns text → shown text.
 */
export function shortenDistinct(values: readonly string[], max: number, shorten: (text: string, max: number) => string = shortenMiddle): Map<string, string> {
  const unique = [...new Set(values)];
  const shown = new Map(unique.map((value) => [value, shorten(value, max)]));
  const byShown = new Map<string, string[]>();
  for (const value of unique) byShown.set(shown.get(value)!, [...(byShown.get(shown.get(value)!) ?? []), value]);
  for (const group of byShown.values()) {
    if (group.length < 2) continue;
    for (const value of group) shown.set(value, aroundDifference(value, group.filter((other) => other !== value), max));
  }
  // Whatever still collides (pathological inputs) is cut at the end, distinct by construction
  // only if the starts differ; better a rare ambiguity than a row wider than the terminal.
  return shown;
}

function aroundDifference(value: string, others: readonly string[], max: number): string {
  const chars = [...value];
  let prefix = 0;
  let suffix = 0;
  for (const other of others) {
    const o = [...other];
    let p = 0;
    while (p < chars.length && p < o.length && chars[p] === o[p]) p++;
    let s = 0;
    while (s < chars.length - p && s < o.length - p && chars[chars.length - 1 - s] === o[o.length - 1 - s]) s++;
    prefix = Math.max(prefix, p);
    suffix = Math.max(suffix, s);
  }
  // A window that starts a little before the first differing character (for context).
  const differing = Math.max(1, chars.length - suffix - prefix);
  const context = Math.max(0, Math.floor((max - 2 - differing) / 2));
  const start = Math.max(0, prefix - context);
  const rest = chars.slice(start).join('');
  const room = max - (start > 0 ? 1 : 0);
  const body = displayWidth(rest) <= room ? rest : `${headOf(rest, room - 1)}…`;
  return `${start > 0 ? '…' : ''}${body}`;
}

/**
 * Splits text into lines of at most `width` cells: at spaces for prose, after `/`, `:` and `-`
 * for keys and paths, and inside a word only when a single word is wider than the line.
 */
export function wrapText(text: string, width: number): string[] {
  if (displayWidth(text) <= width) return [text];
  const tokens = text.match(/[^ /:-]*[ /:-]|[^ /:-]+$/g) ?? [text];
  const lines: string[] = [];
  let line = '';
  for (let token of tokens) {
    if (displayWidth(line + token.trimEnd()) <= width) {
      line += token;
      continue;
    }
    if (line.trim()) lines.push(line.trimEnd());
    line = '';
    while (displayWidth(token.trimEnd()) > width) {
      const head = headOf(token, width);
      lines.push(head);
      token = token.slice(head.length);
    }
    line = token;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines.length > 0 ? lines : [''];
}

/**
 * A sentence as lines of at most `width` cells, continuation lines indented; broken at spaces
 * only, so a path, key or run id in it stays whole and pastes (a 100-column terminal got a journal
 * id broken after its `-`, helper-22); only a word wider than the line is cut (wrapText).
 */
export function wrapProse(text: string, width: number, indent = ''): string[] {
  const clean = oneLine(text);
  if (displayWidth(clean) <= width) return [clean];
  // Leading spaces (an indented line of a section) stay on the first line; wrapWords would drop
  // them, and the rest, cut at the first line's length, then repeated its last characters.
  const lead = clean.length - clean.trimStart().length;
  const first = wrapWords(clean.slice(lead), Math.max(1, width - lead)).map((line, i) => (i === 0 ? `${clean.slice(0, lead)}${line}` : line));
  if (!indent || first.length === 1) return first;
  const head = first[0]!;
  return [head, ...wrapWords(clean.slice(head.length).trimStart(), width - displayWidth(indent)).map((line) => `${indent}${line}`)];
}

/** Lines of at most `width` cells broken at spaces; a word wider than a line goes through wrapText. */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (displayWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    if (displayWidth(word) <= width) {
      line = word;
      continue;
    }
    const pieces = wrapText(word, width);
    line = pieces.pop() ?? '';
    lines.push(...pieces);
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/**
 * A shell command as lines that still work when pasted: broken only between arguments, each
 * broken line ending in ` \` (sh's line continuation). An argument wider than the line stays
 * whole — a cut path would not paste.
 */
export function wrapCommand(words: readonly string[], width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of words) {
    const candidate = line.trim() ? `${line} ${word}` : `${line}${word}`;
    // Room for the ` \` this line would need if another word followed.
    if (displayWidth(candidate) + 2 <= width || !line.trim()) {
      line = candidate;
      continue;
    }
    lines.push(`${line} \\`);
    line = `${indent}    ${word}`;
  }
  lines.push(line);
  return lines;
}
