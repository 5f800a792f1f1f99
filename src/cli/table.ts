/**
 * Rows of text as a box-drawn table (a person at a terminal) or as plain aligned columns
 * (pipes, NO_COLOR), squeezed to the terminal width by shortening the columns that allow it.
 */
import Table from 'cli-table3';
import { shortenMiddle, type TerminalStyle } from './terminal.js';

export interface Column {
  header: string;
  /** How this column gives up width when the row is too wide; unset columns never shrink. */
  shrink?: 'middle' | 'end';
  minWidth?: number;
  /** `--wide` keeps this column whole. */
  wideKeepsWhole?: boolean;
}

export interface Cell {
  text: string;
  /** Colour applied after fitting, so shortening never cuts an escape sequence. */
  paint?: (text: string) => string;
}

export function renderTable(columns: Column[], rows: Cell[][], style: TerminalStyle, options: { wide?: boolean } = {}): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => row[i]?.text.length ?? 0)));
  const overhead = style.table ? columns.length * 3 + 1 : (columns.length - 1) * 2;
  fitWidths(columns, widths, style.width - overhead, options.wide ?? false);

  const fitted = rows.map((row) =>
    row.map((cell, i) => {
      const column = columns[i]!;
      const max = widths[i]!;
      const text = cell.text.length <= max ? cell.text : column.shrink === 'middle' ? shortenMiddle(cell.text, max) : `${cell.text.slice(0, Math.max(0, max - 1))}…`;
      return { text, painted: style.color && cell.paint ? cell.paint(text) : text };
    }),
  );

  if (style.table) {
    const table = new Table({
      head: columns.map((column) => (style.color ? style.chalk.bold(column.header) : column.header)),
      // cli-table3 colours head and border red/grey by default, even with NO_COLOR.
      style: { head: [], border: [], compact: false },
      wordWrap: false,
      colWidths: widths.map((width) => width + 2),
    });
    for (const row of fitted) table.push(row.map((cell) => cell.painted));
    return table.toString();
  }

  const lines = [columns.map((column, i) => column.header.padEnd(widths[i]!)).join('  ').trimEnd()];
  for (const row of fitted) {
    lines.push(row.map((cell, i) => cell.painted + ' '.repeat(Math.max(0, widths[i]! - cell.text.length))).join('  ').trimEnd());
  }
  return lines.join('\n');
}

function fitWidths(columns: Column[], widths: number[], budget: number, wide: boolean): void {
  let excess = widths.reduce((sum, width) => sum + width, 0) - budget;
  // Shrink the end-shrinking columns (reasons) first, then middle-shrinking ones (keys).
  for (const kind of ['end', 'middle'] as const) {
    for (let i = 0; i < columns.length && excess > 0; i++) {
      const column = columns[i]!;
      if (column.shrink !== kind || (wide && column.wideKeepsWhole)) continue;
      const floor = Math.max(column.minWidth ?? 8, column.header.length);
      const give = Math.min(excess, Math.max(0, widths[i]! - floor));
      widths[i]! -= give;
      excess -= give;
    }
  }
}
