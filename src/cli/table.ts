// Plain aligned text tables for people: two spaces between columns, no borders, no trailing blanks.
// Colour, when wanted, is applied per cell after the widths are measured on the plain text.

export interface TableOptions {
  /** Columns to right-align (numbers), by index. */
  rightAlign?: readonly number[];
  /** Wraps a cell's text (e.g. in ANSI colour) after its width was measured; padding stays outside. */
  style?: (column: number, text: string) => string;
}

/** Renders a header row and data rows; every line ends with "\n". */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  opts: TableOptions = {},
): string {
  const widths = headers.map((h, col) =>
    Math.max(textWidth(h), ...rows.map((row) => textWidth(row[col] ?? ''))),
  );
  const right = new Set(opts.rightAlign ?? []);
  const line = (cells: readonly string[], styled: boolean): string => {
    const parts = headers.map((_, col) => {
      const text = cells[col] ?? '';
      const pad = ' '.repeat((widths[col] ?? 0) - textWidth(text));
      const shown = styled && opts.style ? opts.style(col, text) : text;
      if (right.has(col)) return pad + shown;
      return col === headers.length - 1 ? shown : shown + pad;
    });
    return parts.join('  ').trimEnd() + '\n';
  };
  return line(headers, false) + rows.map((row) => line(row, true)).join('');
}

/** Width in characters (code points), so "–" or "é" count once; wide CJK glyphs are not handled. */
function textWidth(text: string): number {
  return [...text].length;
}
