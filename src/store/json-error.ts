/**
 * Where a JSON document first goes wrong, as line:column. V8's JSON.parse messages carry a
 * position only for some errors, and an operator fixing a store by hand needs the spot.
 * Only called after JSON.parse has already failed, so speed does not matter here.
 */
export interface JsonErrorLocation {
  offset: number;
  line: number;
  column: number;
  problem: string;
}

export function locateJsonError(text: string): JsonErrorLocation {
  const scanner = new Scanner(text);
  let problem = 'invalid JSON';
  try {
    scanner.skipWs();
    scanner.value();
    scanner.skipWs();
    if (scanner.pos < text.length) throw new ScanError(scanner.pos, 'unexpected text after the top-level value');
    problem = 'invalid JSON';
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    scanner.pos = error.offset;
    problem = error.problem;
  }
  return { ...lineColumn(text, scanner.pos), offset: scanner.pos, problem };
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class ScanError extends Error {
  constructor(readonly offset: number, readonly problem: string) {
    super(problem);
  }
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  skipWs(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos]!)) this.pos++;
  }

  private fail(problem: string): never {
    throw new ScanError(this.pos, this.pos >= this.text.length ? 'unexpected end of file (truncated?)' : problem);
  }

  value(): void {
    const ch = this.text[this.pos];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    this.fail(`unexpected character ${JSON.stringify(ch)}`);
  }

  private object(): void {
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail('expected a double-quoted property name');
      this.string();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail("expected ':' after a property name");
      this.pos++;
      this.skipWs();
      this.value();
      this.skipWs();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === '}') {
        this.pos++;
        return;
      }
      this.fail("expected ',' or '}' after a property value");
    }
  }

  private array(): void {
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWs();
      this.value();
      this.skipWs();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === ']') {
        this.pos++;
        return;
      }
      this.fail("expected ',' or ']' after an array element");
    }
  }

  private string(): void {
    this.pos++;
    while (this.pos < this.text.length) {
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        this.pos++;
        return;
      }
      if (code === 0x5c) {
        const esc = this.text[this.pos + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.fail('invalid \\u escape');
          this.pos += 6;
          continue;
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) this.fail('invalid escape in a string');
        this.pos += 2;
        continue;
      }
      if (code < 0x20) this.fail('control character inside a string');
      this.pos++;
    }
    this.fail('unterminated string');
  }

  private number(): void {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match || match[0] === '-' || match[0] === '') this.fail('invalid number');
    this.pos += match![0].length;
  }
}
