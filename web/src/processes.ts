// The process table: filter, sort and row limit applied in the browser to each /ws snapshot's list,
// rows kept per pid so a live update moves and rewrites cells instead of rebuilding the table.
import { byId, el, keyedRows, setAttr, setText, setVar } from './dom.ts';
import { formatBytes, formatCount, formatPercent, truncate } from './format.ts';
import { isSort, selectProcesses, type Sort } from './process-list.ts';
import type { ProcessRow } from './types.ts';

const SORT_KEY = 'bosun.processes.sort';
const LIMIT_KEY = 'bosun.processes.limit';
/** Long command lines (Java class paths) would bloat the DOM; the cell ellipsises long before. */
const COMMAND_TEXT_MAX = 400;
const COMMAND_TITLE_MAX = 4000;

const STATUS_NAMES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'uninterruptible (usually I/O)',
  Z: 'zombie',
  T: 'stopped',
  t: 'traced',
  I: 'idle',
  X: 'dead',
};

interface Cells {
  pid: HTMLElement;
  user: HTMLElement;
  name: HTMLElement;
  cpu: HTMLElement;
  mem: HTMLElement;
  rss: HTMLElement;
  status: HTMLElement;
  threads: HTMLElement;
  command: HTMLElement;
}

export interface ProcessTable {
  render(list: readonly ProcessRow[], total: number): void;
}

export function createProcessTable(): ProcessTable {
  const table = byId<HTMLTableElement>('process-table');
  const tbody = table.tBodies[0] ?? table.createTBody();
  const filterInput = byId<HTMLInputElement>('process-filter');
  const sortSelect = byId<HTMLSelectElement>('process-sort');
  const limitSelect = byId<HTMLSelectElement>('process-limit');
  const count = byId('process-count');
  const empty = byId('process-empty');

  let sort: Sort = readStored(SORT_KEY, isSort, 'cpu');
  let limit = readStored(LIMIT_KEY, (v): v is string => /^\d+$/.test(v ?? ''), '50');
  sortSelect.value = sort;
  limitSelect.value = limit;
  let last: { list: readonly ProcessRow[]; total: number } | undefined;

  const sync = keyedRows<ProcessRow, Cells>(tbody, {
    key: (p) => String(p.pid),
    create: (p) => {
      const row = el('tr');
      row.dataset.pid = String(p.pid);
      const cells: Cells = {
        pid: el('td', 'num'),
        user: el('td', 'user'),
        name: el('td', 'name'),
        cpu: el('td', 'num bar-cell'),
        mem: el('td', 'num'),
        rss: el('td', 'num'),
        status: el('td', 'status'),
        threads: el('td', 'num'),
        command: el('td', 'cmd'),
      };
      row.append(...Object.values(cells));
      return { row, cells };
    },
    update: (c, p, row) => {
      setAttr(row, 'data-ppid', String(p.ppid));
      setText(c.pid, String(p.pid));
      setText(c.user, p.user);
      setText(c.name, p.name);
      setText(c.cpu, formatPercent(p.cpu_percent));
      setVar(c.cpu, '--p', `${Math.min(100, p.cpu_percent).toFixed(0)}%`);
      setText(c.mem, formatPercent(p.mem_percent));
      setText(c.rss, formatBytes(p.rss));
      setText(c.status, p.status);
      setAttr(c.status, 'title', STATUS_NAMES[p.status] ?? p.status);
      setText(c.threads, formatCount(p.threads));
      setText(c.command, truncate(p.command || `[${p.name}]`, COMMAND_TEXT_MAX));
      setAttr(c.command, 'title', truncate(p.command || p.name, COMMAND_TITLE_MAX));
    },
  });

  const renderHeaders = (): void => {
    for (const th of table.tHead?.querySelectorAll<HTMLElement>('th[data-sort]') ?? []) {
      const active = th.dataset.sort === sort;
      setAttr(
        th,
        'aria-sort',
        active ? (sort === 'pid' || sort === 'name' ? 'ascending' : 'descending') : 'none',
      );
    }
  };

  const render = (): void => {
    if (!last) return;
    const filter = filterInput.value;
    const view = selectProcesses(last.list, filter, sort, Number(limit));
    sync(view.rows);
    const shown = view.rows.length < view.matched ? ` · showing ${view.rows.length}` : '';
    setText(count, `${formatCount(view.matched)} of ${formatCount(last.total)} processes${shown}`);
    const isEmpty = view.rows.length === 0;
    empty.hidden = !isEmpty;
    if (isEmpty) {
      setText(
        empty,
        filter.trim() === ''
          ? 'No process list in this snapshot.'
          : `No process matches “${filter.trim()}”.`,
      );
    }
  };

  const setSort = (next: Sort): void => {
    sort = next;
    sortSelect.value = next;
    store(SORT_KEY, next);
    renderHeaders();
    render();
  };

  filterInput.addEventListener('input', render);
  filterInput.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      filterInput.value = '';
      render();
    }
  });
  sortSelect.addEventListener('change', () => {
    if (isSort(sortSelect.value)) setSort(sortSelect.value);
  });
  limitSelect.addEventListener('change', () => {
    limit = limitSelect.value;
    store(LIMIT_KEY, limit);
    render();
  });
  table.tHead?.addEventListener('click', (event) => {
    const th = (event.target as Element).closest<HTMLElement>('th[data-sort]');
    if (th && isSort(th.dataset.sort)) setSort(th.dataset.sort);
  });
  // "/" jumps to the filter, as in many log and process viewers.
  document.addEventListener('keydown', (event) => {
    const target = event.target as Element | null;
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
    if (target?.closest('input, textarea, select, [contenteditable]')) return;
    // Not while a jobs page hides the table.
    if (filterInput.offsetParent === null) return;
    event.preventDefault();
    filterInput.focus();
    filterInput.select();
  });

  renderHeaders();
  return {
    render(list, total) {
      last = { list, total };
      render();
    },
  };
}

function readStored<T extends string>(
  key: string,
  valid: (v: string | null) => v is T,
  fallback: T,
): T {
  try {
    const value = localStorage.getItem(key);
    return valid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not persisted; fine for this page
  }
}
