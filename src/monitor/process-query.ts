// Filtering, sorting and limiting the process list with vminfo's semantics (internal/web/server.go:
// parseProcessQuery, sortProcessEntries, processEntryMatches), shared by the HTTP surface and bosun's
// own dashboard (web/src/process-list.ts), so the two always agree. Pure.
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

/**
 * Reads a sort key as vminfo does: trimmed, any case; empty or unknown means cpu (vminfo's
 * sortProcessEntries falls through to its cpu order for any other key, it never refuses one).
 */
export function toProcessSort(raw: string | undefined): ProcessSort {
  const key = (raw ?? '').trim().toLowerCase();
  return (PROCESS_SORTS as readonly string[]).includes(key) ? (key as ProcessSort) : 'cpu';
}

/**
 * Parses raw query parameters. `filter`, else `q` when filter is blank (vminfo's firstNonEmptyQuery);
 * `sort` as toProcessSort; `limit` a whole number, 0 or more, else INVALID_INPUT naming it (vminfo
 * answers 400 there too).
 */
export function parseProcessQuery(raw: Record<string, unknown>): ProcessQuery {
  const filter = nonBlank(first(raw.filter)) ?? nonBlank(first(raw.q)) ?? '';
  const sort = toProcessSort(first(raw.sort));
  const limitRaw = (first(raw.limit) ?? '').trim();
  let limit = 0;
  if (limitRaw !== '') {
    // strconv.Atoi's form: an optional sign, then digits; a negative value is refused below.
    if (!/^\+?\d+$/.test(limitRaw) || !Number.isSafeInteger(Number(limitRaw))) {
      throw new AgentError(
        'INVALID_INPUT',
        `invalid limit "${limitRaw}": must be a whole number, 0 or more (0 = no limit)`,
      );
    }
    limit = Number(limitRaw);
  }
  return { filter, sort, limit };
}

function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function first(value: unknown): string | undefined {
  if (Array.isArray(value)) return first(value[0]);
  return typeof value === 'string' ? value : undefined;
}

/** Names compare as vminfo compares them: trimmed and lower-cased, so "Xorg" sorts among the x's. */
const nameKey = (row: ProcessRow): string => row.name.trim().toLowerCase();

// Each order as vminfo's sortProcessEntries, ties by pid ascending. mem is by mem_percent, then rss:
// bosun rounds mem_percent to one decimal where vminfo does not, and rss keeps vminfo's order within a
// rounded tie.
const COMPARE: Record<ProcessSort, (a: ProcessRow, b: ProcessRow) => number> = {
  cpu: (a, b) => b.cpu_percent - a.cpu_percent || a.pid - b.pid,
  mem: (a, b) => b.mem_percent - a.mem_percent || b.rss - a.rss || a.pid - b.pid,
  pid: (a, b) => a.pid - b.pid,
  name: (a, b) => {
    const x = nameKey(a);
    const y = nameKey(b);
    return x < y ? -1 : x > y ? 1 : a.pid - b.pid;
  },
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
