// CSV as the LocalFile source reads it and the LocalFile sink writes it: a cell that starts with `"`
// runs to its closing quote, `""` inside it is one quote, and it may hold the delimiter and line
// breaks. The delimiter is any non-empty string. Reading is lenient: text after a closing quote runs
// on to the delimiter, so a hand-edited file still reads.

/**
 * A record's cells, or undefined while a quoted cell is still open (the record goes on in the next
 * line).
 */
export function parseCsvRecord(record: string, delimiter: string): string[] | undefined {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (record[i] === '"') {
      i += 1;
      for (;;) {
        const q = record.indexOf('"', i);
        if (q < 0) return undefined;
        cell += record.slice(i, q);
        if (record[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    }
    // Unquoted text, or anything after a closing quote, runs to the delimiter.
    const d = record.indexOf(delimiter, i);
    cell += record.slice(i, d < 0 ? record.length : d);
    cells.push(cell);
    if (d < 0) return cells;
    i = d + delimiter.length;
  }
}

export interface CsvRecord {
  /** The record's text: its lines joined by `\n`, each line's `\r` kept but the last one's dropped. */
  readonly text: string;
  /** Its cells, or undefined when the input ended inside a quoted cell. */
  readonly cells: string[] | undefined;
  /** How many lines it took (a resumed reader skips lines, not records). */
  readonly lines: number;
}

/**
 * The record that starts with `first`, reading more lines while a quoted cell is open: a line break
 * inside quotes is the cell's, with its `\r`. `next` gives a line without its `\n`, or null at the end.
 */
export async function readCsvRecord(
  first: string,
  next: () => Promise<string | null>,
  delimiter: string,
): Promise<CsvRecord> {
  let raw = first;
  let text = stripCr(first);
  let lines = 1;
  let cells: string[] | undefined;
  while ((cells = parseCsvRecord(text, delimiter)) === undefined) {
    const more = await next();
    if (more === null) break;
    raw += '\n' + more;
    text = stripCr(raw);
    lines += 1;
  }
  return { text, cells, lines };
}

/** A line without the `\r` of a `\r\n` ending. */
export function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/**
 * How the sink writes a text cell so that parseCsvRecord reads it back: quoted when it holds a quote,
 * a line break, a comma or the delimiter; as it is otherwise (the common case, no copy).
 */
export function csvCellWriter(delimiter: string): (text: string) => string {
  const quote = (text: string): string => `"${text.replaceAll('"', '""')}"`;
  if (delimiter === ',' || delimiter === '') {
    return (text) => (SPECIAL.test(text) ? quote(text) : text);
  }
  return (text) => (SPECIAL.test(text) || text.includes(delimiter) ? quote(text) : text);
}

const SPECIAL = /[",\n\r]/;
