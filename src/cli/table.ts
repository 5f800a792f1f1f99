/**
 * Rows of text as kubectl/docker print them: borderless columns aligned with two spaces, one line
 * per row, fitted to the terminal width. When a row would be too wide, the caller's fit steps
 * run in order — shorten this column to so many cells, hide that column — so the least useful
 * text gives way first. `wide` keeps every value whole: the table when it fits, else one record
 * per row (the first long column as its title, the others wrapped under it). Pipes (no width)
 * get every value whole on one line.
 *
 * Own code rather than cli-table3: that library draws boxes and wraps, but cannot shorten keys
 * in the middle, hide a column, or measure what it is asked to fit.
 */
import type { TerminalStyle } from './terminal.js';
import { displayWidth, isPrintableAscii, oneLine, shortenDistinct, shortenEnd, shortenKey, shortenMiddle, shortenStart, wrapText } from './text.js';

export interface Column {
  header: string;
  /**
   * How this column's values are cut (or, with `wide`, wrapped); unset columns keep their width.
   * key: session keys (`agent:<id>:<kind>:` and the end); middle: both ends matter; end: prose
   * (the start says most); start: paths (the end does).
   */
  shrink?: 'key' | 'middle' | 'end' | 'start';
  /** Shortened values stay distinct from one another (store paths that differ in one directory). */
  distinct?: boolean;
}

export interface Cell {
  text: string;
  /** Colour applied after fitting, so shortening never cuts an escape sequence. */
  paint?: (text: string) => string;
}

/** One way to make a row narrower, by column header: tried in order until the table fits. */
export type FitStep = { shrink: string; to: number } | { hide: string };

export interface TableOptions {
  /** Every value whole: long values wrap within their column instead of being shortened. */
  wide?: boolean;
  /** The order in which text gives way; after them, the widest shrinkable column shrinks. */
  steps?: readonly FitStep[];
}

const GAP = 2;
/** No shrinkable column goes below this (or its header), however narrow the terminal. */
const FLOOR = 6;

export function renderTable(columns: Column[], rows: Cell[][], style: TerminalStyle, options: TableOptions = {}): string {
  return [...tableLines(columns, rows, style, options)].join('\n');
}

/**
 * renderTable line by line, so a caller can write a table of 100k rows as it goes instead of
 * holding its lines and their joined copy (issue 16 #10).
 */
export function* tableLines(columns: Column[], rows: Cell[][], style: TerminalStyle, options: TableOptions = {}): Generator<string> {
  const { texts, cellWidths } = measureRows(columns, rows);
  const natural = columns.map((column, i) => cellWidths.reduce((max, row) => Math.max(max, row[i]!), displayWidth(column.header)));
  const widths = [...natural];
  const visible = columns.map(() => true);
  const total = (): number => widths.reduce((sum, width, i) => sum + (visible[i] ? width + GAP : 0), -GAP);
  const index = (header: string): number => columns.findIndex((column) => column.header === header);
  const floorOf = (i: number): number => Math.min(natural[i]!, Math.max(FLOOR, displayWidth(columns[i]!.header)));

  if (options.wide) {
    // Every value whole: as a table when it fits, else one record per row (no column can be
    // narrowed without cutting something, and 8 columns wrapped inside 80 cells are unreadable).
    if (total() > style.width) {
      yield* recordLines(columns, rows, texts, style);
      return;
    }
  } else {
    const shrunkOrder: number[] = [];
    for (const step of options.steps ?? []) {
      const excess = total() - style.width;
      if (excess <= 0) break;
      if ('hide' in step) {
        const i = index(step.hide);
        if (i >= 0) visible[i] = false;
        continue;
      }
      const i = index(step.shrink);
      if (i < 0 || !visible[i]) continue;
      const to = Math.max(step.to, floorOf(i));
      if (widths[i]! > to) {
        widths[i] = Math.max(to, widths[i]! - excess);
        shrunkOrder.push(i);
      }
    }
    squeezeWidest(columns, widths, visible, floorOf, () => total() - style.width);
    // Hiding a column can free more than was needed: give the slack back, in step order (the
    // first column cut is the long prose the steps protect least at 200 columns, most at 80).
    for (const i of new Set(shrunkOrder)) {
      const slack = style.width - total();
      if (slack <= 0) break;
      if (visible[i]) widths[i] = Math.min(natural[i]!, widths[i]! + slack);
    }
  }

  const shown = columns.map((_, i) => visible[i]);
  const distinctMaps = columns.map((column, i) =>
    column.distinct && widths[i]! < natural[i]! ? shortenDistinct(texts.map((row) => row[i]!), widths[i]!, shortenerOf(column)) : null,
  );
  /** A cell too wide for its column: wrapped (--wide) or shortened. */
  const cellLines = (text: string, i: number): string[] => {
    const max = widths[i]!;
    if (options.wide) return wrapText(text, max);
    const column = columns[i]!;
    if (distinctMaps[i]) return [distinctMaps[i]!.get(text) ?? shortenerOf(column)(text, max)];
    return [shortenerOf(column)(text, max)];
  };

  const shownColumns = columns.map((_, i) => i).filter((i) => shown[i]);
  yield joinRow(shownColumns.map((i) => ({ i, lines: [columns[i]!.header], whole: null })), widths, style);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const whole = wholeRow(shownColumns, texts[r]!, cellWidths[r]!, widths, row, style);
    if (whole !== null) {
      yield whole;
      continue;
    }
    const cells = shownColumns.map((i) => {
      const width = cellWidths[r]![i]!;
      const fits = width <= widths[i]!;
      return { i, lines: fits ? [texts[r]![i]!] : cellLines(texts[r]![i]!, i), whole: fits ? width : null, paint: row[i]?.paint };
    });
    yield joinRow(cells, widths, style);
  }
}

/**
 * A row whose every shown cell fits its column, as one line (joinRow's output for it, without a
 * cell object per value: the usual row, 500 of them on a default-maintained store, issue 11);
 * null when a cell must be shortened or wrapped.
 */
function wholeRow(shown: readonly number[], texts: readonly string[], cellWidths: readonly number[], widths: readonly number[], row: readonly Cell[], style: TerminalStyle): string | null {
  let line = '';
  for (let k = 0; k < shown.length; k++) {
    const i = shown[k]!;
    const width = cellWidths[i]!;
    if (width > widths[i]!) return null;
    const text = texts[i]!;
    const paint = row[i]?.paint;
    const painted = style.color && paint && text ? paint(text) : text;
    line += k === shown.length - 1 ? painted : painted + ' '.repeat(widths[i]! - width + GAP);
  }
  return line.trimEnd();
}

/**
 * Every cell as one line of text and its width, each measured once (500 rows are 4,000 cells). A
 * row of printable ASCII (nearly all) is checked by one test of its cells joined by a space, also
 * printable: such text is its own oneLine and as wide as it is long.
 */
function measureRows(columns: readonly Column[], rows: readonly Cell[][]): { texts: string[][]; cellWidths: number[][] } {
  const texts: string[][] = [];
  const cellWidths: number[][] = [];
  for (const row of rows) {
    const raw = columns.map((_, i) => row[i]?.text ?? '');
    const plain = isPrintableAscii(raw.join(' '));
    const clean = plain ? raw : raw.map(oneLine);
    texts.push(clean);
    cellWidths.push(plain ? clean.map((text) => text.length) : clean.map(displayWidth));
  }
  return { texts, cellWidths };
}

interface ShownCell {
  /** The column. */
  i: number;
  lines: string[];
  /** The width of a cell shown as it is (measured once); null when shortened or wrapped. */
  whole: number | null;
  paint?: (text: string) => string;
}

/** One row as text: several lines when a cell wraps, padded to the column widths, colour last. */
function joinRow(cells: readonly ShownCell[], widths: readonly number[], style: TerminalStyle): string {
  const height = Math.max(...cells.map((cell) => cell.lines.length));
  const last = cells[cells.length - 1]?.i;
  const out: string[] = [];
  for (let n = 0; n < height; n++) {
    let line = '';
    for (const { i, lines, whole, paint } of cells) {
      const text = lines[n] ?? '';
      const painted = style.color && paint && text ? paint(text) : text;
      if (i === last) line += painted;
      else line += painted + ' '.repeat(Math.max(0, widths[i]! - (n === 0 && whole !== null ? whole : displayWidth(text))) + GAP);
    }
    out.push(line.trimEnd());
  }
  return out.join('\n');
}

/**
 * `--wide` on a terminal too narrow for the whole table:
 *
 *     agent:main:acp:16fd2706-8baf-433b-82eb-8c7fada847da
 *       agent main  kind acp  state errored  age 3d ago  acp acpx/claude persistent
 *       slot yes  reason last turn failed: ACP turn timed out after 300s
 *
 * The title is the key column (the first shortened as a key or in the middle); the other fields follow in column
 * order, packed onto lines; one too long for a line gets its own, wrapped at word (or `/`, `:`)
 * boundaries. Blank ("-") fields are left out.
 */
function* recordLines(columns: Column[], rows: Cell[][], texts: string[][], style: TerminalStyle): Generator<string> {
  const title = Math.max(0, columns.findIndex((column) => column.shrink === 'key' || column.shrink === 'middle'));
  const indent = '  ';
  const room = Math.max(10, style.width - indent.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const out: string[] = [];
    if (r > 0) out.push('');
    out.push(...wrapText(texts[r]![title]!, style.width));
    const paint = (i: number, text: string): string => (style.color && row[i]?.paint ? row[i]!.paint!(text) : text);
    let line = '';
    let lineWidth = 0;
    const flush = (): void => {
      if (line) out.push(`${indent}${line}`);
      line = '';
      lineWidth = 0;
    };
    columns.forEach((column, i) => {
      const value = texts[r]![i]!;
      // "-" is the table's blank: a record just leaves the field out.
      if (i === title || value === '-' || value === '') return;
      const label = column.header.toLowerCase();
      const width = displayWidth(label) + 1 + displayWidth(value);
      if (width > room) {
        flush();
        const [first, ...rest] = wrapText(`${label} ${value}`, room);
        const more = rest.length ? wrapText(rest.join(' '), room - 2) : [];
        out.push(`${indent}${first}`, ...more.map((text) => `${indent}  ${text}`));
        return;
      }
      if (line && lineWidth + 2 + width > room) flush();
      line = `${line}${line ? '  ' : ''}${label} ${paint(i, value)}`;
      lineWidth += (lineWidth ? 2 : 0) + width;
    });
    flush();
    yield* out;
  }
}

function shortenerOf(column: Column): (text: string, max: number) => string {
  if (column.shrink === 'key') return shortenKey;
  return column.shrink === 'middle' ? shortenMiddle : column.shrink === 'start' ? shortenStart : shortenEnd;
}

/** Narrows the widest shrinkable column a cell at a time until the excess is gone or all are at their floor. */
function squeezeWidest(columns: Column[], widths: number[], visible: boolean[], floorOf: (i: number) => number, excess: () => number): void {
  for (let over = excess(); over > 0; over = excess()) {
    let widest = -1;
    for (let i = 0; i < columns.length; i++) {
      if (!visible[i] || !columns[i]!.shrink || widths[i]! <= floorOf(i)) continue;
      if (widest < 0 || widths[i]! > widths[widest]!) widest = i;
    }
    if (widest < 0) return;
    const second = Math.max(floorOf(widest), ...widths.map((w, i) => (i !== widest && visible[i] && columns[i]!.shrink ? w : 0)));
    widths[widest] = Math.max(floorOf(widest), Math.min(widths[widest]! - 1, Math.max(second, widths[widest]! - over)));
  }
}
