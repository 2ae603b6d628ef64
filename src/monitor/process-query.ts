// Filtering, sorting and limiting the process list with vminfo's semantics, shared by the HTTP
// surface and (later) the console's ps/top. Pure.
import { AgentError } from '../errors.ts';
import type { ProcessRow } from './snapshot.ts';

export const PROCESS_SORTS = ['cpu', 'mem', 'pid', 'name'] as const;
export type ProcessSort = (typeof PROCESS_SORTS)[number];

export interface ProcessQuery {
  /** Case-insensitive substring over pid, ppid, name, command, user and status. */
  filter: string;
  sort: ProcessSort;
  /** 0 = no limit. */
  limit: number;
}

/** Parses raw query parameters, throwing INVALID_INPUT with a message naming the parameter. */
export function parseProcessQuery(raw: Record<string, unknown>): ProcessQuery {
  const filter = first(raw.filter) ?? first(raw.q) ?? '';
  const sortRaw = first(raw.sort) ?? 'cpu';
  const sort = sortRaw.toLowerCase();
  if (!(PROCESS_SORTS as readonly string[]).includes(sort)) {
    throw new AgentError(
      'INVALID_INPUT',
      `invalid sort "${sortRaw}": allowed values are ${PROCESS_SORTS.join(', ')}`,
    );
  }
  const limitRaw = first(raw.limit);
  let limit = 0;
  if (limitRaw !== undefined && limitRaw !== '') {
    if (!/^\d+$/.test(limitRaw) || !Number.isSafeInteger(Number(limitRaw))) {
      throw new AgentError(
        'INVALID_INPUT',
        `invalid limit "${limitRaw}": must be a whole number, 0 or more (0 = no limit)`,
      );
    }
    limit = Number(limitRaw);
  }
  return { filter, sort: sort as ProcessSort, limit };
}

function first(value: unknown): string | undefined {
  if (Array.isArray(value)) return first(value[0]);
  return typeof value === 'string' ? value : undefined;
}

const COMPARE: Record<ProcessSort, (a: ProcessRow, b: ProcessRow) => number> = {
  cpu: (a, b) => b.cpu_percent - a.cpu_percent || a.pid - b.pid,
  mem: (a, b) => b.rss - a.rss || a.pid - b.pid,
  pid: (a, b) => a.pid - b.pid,
  name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.pid - b.pid),
};

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

/** Returns the rows that match, sorted, limited, and how many matched before the limit. */
export function queryProcesses(
  list: readonly ProcessRow[],
  query: ProcessQuery,
): { matched: number; list: ProcessRow[] } {
  const needle = query.filter.trim().toLowerCase();
  const rows = needle === '' ? [...list] : list.filter((row) => matchesFilter(row, needle));
  rows.sort(COMPARE[query.sort]);
  return { matched: rows.length, list: query.limit > 0 ? rows.slice(0, query.limit) : rows };
}
