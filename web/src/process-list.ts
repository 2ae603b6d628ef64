// The process table's filter and sort: the very functions behind /api/v1/processes
// (src/monitor/process-query.ts), so the table over /ws always matches the API: vminfo's orders (cpu and
// mem percent descending, pid and case-insensitive name ascending, ties by pid).
import {
  matchesFilter,
  PROCESS_SORTS,
  queryProcesses,
  type ProcessSort,
} from '../../src/monitor/process-query.ts';
import type { ProcessRow } from './types.ts';

export { matchesFilter };
export const SORTS = PROCESS_SORTS;
export type Sort = ProcessSort;

export function isSort(value: unknown): value is Sort {
  return typeof value === 'string' && (SORTS as readonly string[]).includes(value);
}

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
  const { matched, list: rows } = queryProcesses(list, { filter, sort, limit });
  return { rows, matched };
}
