// Filtering and sorting the process list in the browser with the API's semantics
// (src/monitor/process-query.ts), so the table over /ws matches /api/v1/processes?filter=&sort=.
// Pure: process-list.test.ts runs it under node:test.
import type { ProcessRow } from './types.ts';

export const SORTS = ['cpu', 'mem', 'pid', 'name'] as const;
export type Sort = (typeof SORTS)[number];

export function isSort(value: unknown): value is Sort {
  return typeof value === 'string' && (SORTS as readonly string[]).includes(value);
}

/** Substring over pid, ppid, name, command, user and status; `needle` is already trimmed and lowercased. */
export function matchesFilter(row: ProcessRow, needle: string): boolean {
  return (
    String(row.pid).includes(needle) ||
    String(row.ppid).includes(needle) ||
    row.name.toLowerCase().includes(needle) ||
    row.command.toLowerCase().includes(needle) ||
    row.user.toLowerCase().includes(needle) ||
    row.status.toLowerCase().includes(needle)
  );
}

// cpu and mem (by rss) descending, pid and name ascending; ties by pid, as the API sorts.
const COMPARE: Record<Sort, (a: ProcessRow, b: ProcessRow) => number> = {
  cpu: (a, b) => b.cpu_percent - a.cpu_percent || a.pid - b.pid,
  mem: (a, b) => b.rss - a.rss || a.pid - b.pid,
  pid: (a, b) => a.pid - b.pid,
  name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.pid - b.pid),
};

export interface ProcessView {
  /** Rows to show, at most `limit` (0 = all). */
  rows: ProcessRow[];
  /** Rows that matched the filter, before the limit. */
  matched: number;
}

export function selectProcesses(
  list: readonly ProcessRow[],
  filter: string,
  sort: Sort,
  limit: number,
): ProcessView {
  const needle = filter.trim().toLowerCase();
  const rows = needle === '' ? [...list] : list.filter((row) => matchesFilter(row, needle));
  rows.sort(COMPARE[sort]);
  return { rows: limit > 0 ? rows.slice(0, limit) : rows, matched: rows.length };
}
