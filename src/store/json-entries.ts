/**
 * Parses a sessions.json object entry by entry as its bytes arrive, so a large store is never
 * held as one buffer plus one string while JSON.parse builds its tree (issue 16 #10: at 313 MiB
 * the buffer and the string were 626 MiB of peak memory before a single entry existed).
 *
 * It relies on one layout, the one the gateway writes (`JSON.stringify(store, null, 2)`,
 * docs/openclaw.md §6): every top-level key starts a line with exactly two spaces and a quote
 * (`\n  "`). A raw newline never occurs inside a JSON string, so every such line start is
 * structure; a deeper key is indented further. The text between two of those line starts is one
 * or more members (`"key": value,`), parsed on its own as `{members}`. A cut inside a nested
 * value leaves brackets unbalanced, so the piece fails to parse: then, and for any other layout
 * (minified, tabs, a BOM, invalid UTF-8 or JSON), `push`/`end` answer "not this layout" and the
 * caller parses the whole text with JSON.parse, which also gives the exact error. Every piece
 * that does parse is a valid member list, and members joined by commas are exactly the object
 * JSON.parse would build: same keys, same order, the later of two duplicate keys wins.
 */
import { isUtf8 } from 'node:buffer';

const LINE_KEY = Buffer.from('\n  "');
const OPEN_BRACE = 0x7b;
/** A piece longer than this (no top-level line start in sight) is not the gateway's layout. */
const MAX_PIECE_BYTES = 64 * 1024 * 1024;

/** JSON's four whitespace characters (String#trim knows more, which JSON.parse refuses). */
function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

export class StoreEntryParser {
  /** Bytes after the last top-level line start, not yet parsed. */
  private carry: Buffer | null = null;
  private opened = false;
  private failed = false;
  private pieces = 0;
  private readonly document: Record<string, unknown> = {};

  /** Takes the next bytes of the file; false once the text is not in the layout read here. */
  push(chunk: Buffer): boolean {
    if (this.failed) return false;
    let data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    if (!this.opened) {
      let at = 0;
      while (at < data.length && isJsonSpace(data[at]!)) at++;
      if (at === data.length) return true;
      if (data[at] !== OPEN_BRACE) return this.fail();
      this.opened = true;
      data = data.subarray(at + 1);
    }
    let start = 0;
    for (;;) {
      // From start + 1: a piece begins with the line start that ended the previous one.
      const next = data.indexOf(LINE_KEY, start + 1);
      if (next < 0) break;
      if (!this.take(data.subarray(start, next), false)) return false;
      start = next;
    }
    if (data.length - start > MAX_PIECE_BYTES) return this.fail();
    this.carry = data.subarray(start);
    return true;
  }

  /** The document once the file has ended, or null when it is not in the layout read here. */
  end(): Record<string, unknown> | null {
    if (this.failed || !this.opened) return null;
    const rest = this.carry ?? Buffer.alloc(0);
    this.carry = null;
    let last = rest.length;
    while (last > 0 && isJsonSpace(rest[last - 1]!)) last--;
    if (last === 0 || rest[last - 1] !== 0x7d) return null;
    return this.take(rest.subarray(0, last - 1), true) ? this.document : null;
  }

  private fail(): false {
    this.failed = true;
    this.carry = null;
    return false;
  }

  /** One run of members; all but the file's last end with the comma before the next line start. */
  private take(bytes: Buffer, last: boolean): boolean {
    if (!isUtf8(bytes)) return this.fail();
    let text = bytes.toString('utf8');
    let end = text.length;
    while (end > 0 && isJsonSpace(text.charCodeAt(end - 1))) end--;
    if (!last) {
      if (text.charCodeAt(end - 1) !== 0x2c) return this.fail();
      end--;
    }
    let begin = 0;
    while (begin < end && isJsonSpace(text.charCodeAt(begin))) begin++;
    // Only `{}` (or `{ }`) has no member at all.
    if (begin === end) return last && this.pieces === 0 ? true : this.fail();
    text = text.slice(begin, end);
    let members: Record<string, unknown>;
    try {
      members = JSON.parse(`{${text}}`) as Record<string, unknown>;
    } catch {
      return this.fail();
    }
    this.pieces++;
    for (const key of Object.keys(members)) {
      // `__proto__` is an own key in parsed JSON; plain assignment would set the prototype.
      if (key === '__proto__') Object.defineProperty(this.document, key, { value: members[key], writable: true, enumerable: true, configurable: true });
      else this.document[key] = members[key];
    }
    return true;
  }
}
