// #/jobs: the jobs with their schedule in words, next run and last result, a page at a time in name
// order with a name filter (the agent answers a page in the same time whatever its number of jobs).
// Rows are kept per job and updated in place: a run event rewrites the job's last-run cell at once,
// and a reload of the pages shown (after job events or a finished run, which moves the next run) is
// debounced.
import { apiUrl, AuthRequiredError } from './api.ts';
import { keyedRows, setAttr, setText } from './dom.ts';
import { truncate } from './format.ts';
import { errorText, requestJson } from './jobs-api.ts';
import { compareIds, isActive, runTime } from './jobs-format.ts';
import type { JobJson, RunJson } from './jobs-types.ts';
import { routeHref } from './route.ts';
import {
  h,
  refreshTimes,
  setTime,
  showMessage,
  stateBadge,
  updateStateBadge,
  type MountView,
} from './view.ts';

interface Cells {
  name: HTMLAnchorElement;
  cmd: HTMLElement;
  schedule: HTMLElement;
  next: HTMLElement;
  lastState: HTMLElement;
  lastAge: HTMLElement;
  enabled: HTMLElement;
}

const RELOAD_DELAY_MS = 300;
/** Jobs per page; "More jobs" adds a page. */
const PAGE = 100;
/** The most jobs one request reads (the API's limit): a reload of the pages shown stops there. */
const MAX_PAGE = 1000;
const FILTER_DELAY_MS = 250;

interface JobsPage {
  jobs: JobJson[];
  nextCursor: string | null;
  total?: number;
}

export const mountJobsList: MountView = (root, ctx) => {
  const tbody = h('tbody');
  const table = h(
    'table',
    { id: 'jobs-table', 'data-testid': 'jobs-table', class: 'rows-link' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Job'),
        h('th', {}, 'Schedule'),
        h('th', {}, 'Next run'),
        h('th', {}, 'Last run'),
        h('th', {}, 'Enabled'),
      ),
    ),
    tbody,
  );
  const count = h('span', { class: 'muted', 'data-testid': 'jobs-count' });
  const filter = h('input', {
    type: 'search',
    class: 'jobs-filter',
    placeholder: 'Name starts with…',
    'aria-label': 'Show the jobs whose name starts with',
    'data-testid': 'jobs-filter',
  });
  const error = h('div', { class: 'banner banner-error inline', role: 'alert', hidden: '' });
  const empty = emptyState();
  empty.hidden = true;
  const noMatch = h('p', {
    class: 'muted empty-state',
    'data-testid': 'jobs-no-match',
    hidden: '',
  });
  const more = h(
    'button',
    { type: 'button', class: 'ghost more', 'data-testid': 'jobs-more', hidden: '' },
    'More jobs',
  );
  const tableWrap = h('div', { class: 'table-wrap' }, table);
  tableWrap.hidden = true;
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, 'Jobs'), count, filter),
    error,
    h('section', { class: 'card' }, tableWrap, empty, noMatch, more),
  );

  /** The pages shown so far, in the agent's (name) order. */
  let jobs: JobJson[] = [];
  let nextCursor: string | null = null;
  let total: number | undefined;
  /** The filter the pages shown were read with. */
  let prefix = '';
  const sync = keyedRows<JobJson, Cells>(tbody, {
    key: (job) => job.id,
    create: (job) => {
      const cells: Cells = {
        name: h('a', { class: 'job-name' }),
        cmd: h('div', { class: 'cmd-line muted' }),
        schedule: h('td', { class: 'schedule' }),
        next: h('span'),
        lastState: stateBadge(),
        lastAge: h('span', { class: 'muted age' }),
        enabled: h('span', { class: 'flag' }),
      };
      const row = h(
        'tr',
        { 'data-job-id': job.id },
        h('td', { class: 'name-cell' }, cells.name, cells.cmd),
        cells.schedule,
        h('td', {}, cells.next),
        h('td', { class: 'last-run' }, cells.lastState, ' ', cells.lastAge),
        h('td', {}, cells.enabled),
      );
      return { row, cells };
    },
    update: (cells, job, row) => {
      const now = Date.now();
      setText(cells.name, job.name);
      setAttr(cells.name, 'href', routeHref({ view: 'job', id: job.id }));
      setText(cells.cmd, truncate(job.cmd.replace(/\s+/g, ' '), 90));
      setAttr(cells.cmd, 'title', job.cmd);
      renderSchedules(cells.schedule, job);
      setTime(cells.next, job.enabled ? job.nextRunAt : null, now);
      if (!job.enabled) setAttr(cells.next, 'title', 'the job is disabled');
      renderLastRun(cells, job.lastRun, now);
      setText(cells.enabled, job.enabled ? 'yes' : 'disabled');
      setAttr(cells.enabled, 'data-on', String(job.enabled));
      setAttr(row, 'data-enabled', String(job.enabled));
    },
  });

  const render = (): void => {
    sync(jobs);
    tableWrap.hidden = jobs.length === 0;
    empty.hidden = jobs.length !== 0 || prefix !== '';
    noMatch.hidden = jobs.length !== 0 || prefix === '';
    setText(noMatch, `No job name starts with "${prefix}".`);
    more.hidden = nextCursor === null;
    const shown = jobs.length === 1 ? '1 job' : `${jobs.length} jobs`;
    setText(
      count,
      total !== undefined && (nextCursor !== null || prefix !== '')
        ? `${shown} of ${total}`
        : shown,
    );
    root.dataset.ready = 'true';
  };

  const abort = new AbortController();
  /** Each load supersedes the one before: a slow answer to an old filter is dropped. */
  let generation = 0;
  const fetchPage = (limit: number, cursor: string | null): Promise<JobsPage> => {
    const query = new URLSearchParams({ name: prefix, limit: String(limit) });
    if (cursor !== null) query.set('cursor', cursor);
    return requestJson<JobsPage>('GET', `./api/v1/jobs?${query}`, abort.signal);
  };
  const guarded = async (fn: (mine: number) => Promise<void>): Promise<void> => {
    const mine = ++generation;
    try {
      await fn(mine);
      showMessage(error, '');
    } catch (err) {
      if (abort.signal.aborted || mine !== generation) return;
      if (err instanceof AuthRequiredError) ctx.onAuth();
      else showMessage(error, `Could not load the jobs: ${errorText(err)}`);
    }
  };
  /** The pages shown, again, in one request (as many jobs as shown, at least a page). */
  const load = (): Promise<void> =>
    guarded(async (mine) => {
      const body = await fetchPage(Math.min(MAX_PAGE, Math.max(PAGE, jobs.length)), null);
      if (mine !== generation) return;
      jobs = body.jobs;
      nextCursor = body.nextCursor;
      total = body.total;
      render();
    });
  const loadMore = (): Promise<void> =>
    guarded(async (mine) => {
      if (nextCursor === null) return;
      const body = await fetchPage(PAGE, nextCursor);
      if (mine !== generation) return;
      const known = new Set(jobs.map((j) => j.id));
      jobs = [...jobs, ...body.jobs.filter((j) => !known.has(j.id))];
      nextCursor = body.nextCursor;
      total = body.total;
      render();
    });
  more.addEventListener('click', () => void loadMore());
  let filterTimer: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      if (filter.value === prefix) return;
      prefix = filter.value;
      jobs = [];
      nextCursor = null;
      void load();
    }, FILTER_DELAY_MS);
  });

  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  const reloadSoon = (): void => {
    if (reloadTimer === undefined) {
      reloadTimer = setTimeout(() => {
        reloadTimer = undefined;
        void load();
      }, RELOAD_DELAY_MS);
    }
  };

  const unsubscribe = ctx.events.subscribe({
    onEvent(event) {
      if (event.type === 'job') {
        reloadSoon();
        return;
      }
      const job = jobs.find((j) => j.id === event.run.jobId);
      if (!job) return;
      // A retry or an older run finishing late must not replace a newer last run.
      if (job.lastRun && compareIds(event.run.id, job.lastRun.id) < 0) return;
      job.lastRun = event.run;
      render();
      // A run that ended may have moved the next run (overlap, an `at` schedule that fired).
      if (!isActive(event.run.state)) reloadSoon();
    },
    onResync: reloadSoon,
  });

  // Relative times ("in 12s", "3m ago") stay true while the page is open.
  const ticker = setInterval(() => refreshTimes(root, Date.now()), 1000);
  // Opening a row anywhere but on its link (which the browser already follows).
  const onClick = (event: MouseEvent): void => {
    const target = event.target as Element;
    if (target.closest('a')) return;
    const row = target.closest<HTMLElement>('tr[data-job-id]');
    if (row?.dataset.jobId) ctx.navigate(routeHref({ view: 'job', id: row.dataset.jobId }));
  };
  tbody.addEventListener('click', onClick);
  void load();

  return () => {
    abort.abort();
    unsubscribe();
    clearInterval(ticker);
    clearTimeout(filterTimer);
    if (reloadTimer !== undefined) clearTimeout(reloadTimer);
  };
};

function renderSchedules(cell: HTMLElement, job: JobJson): void {
  const text = job.schedules.map((s) => `${s.description}${s.enabled ? '' : ' (off)'}`).join('\n');
  if (cell.dataset.text === text) return;
  cell.dataset.text = text;
  if (job.schedules.length === 0) {
    cell.replaceChildren(h('span', { class: 'muted' }, 'manual only'));
    return;
  }
  cell.replaceChildren(
    ...job.schedules.map((s) =>
      h(
        'div',
        { class: s.enabled ? 'schedule-line' : 'schedule-line muted' },
        s.description,
        s.enabled ? null : ' (off)',
      ),
    ),
  );
}

function renderLastRun(cells: Cells, run: RunJson | null, now: number): void {
  if (!run) {
    cells.lastState.hidden = true;
    cells.lastAge.removeAttribute('data-time');
    cells.lastAge.removeAttribute('title');
    setText(cells.lastAge, 'never');
    return;
  }
  cells.lastState.hidden = false;
  updateStateBadge(cells.lastState, run.state);
  setTime(cells.lastAge, runTime(run), now);
}

function emptyState(): HTMLElement {
  const url = apiUrl('./api/v1/jobs').href;
  const curl =
    `curl -X POST ${url} -H 'content-type: application/json' \\\n` +
    `  -d '{"name": "hello", "cmd": "echo hello", "schedules": [{"kind": "every", "everySec": 60}]}'`;
  const yaml = 'name: hello\ncmd: echo hello\nschedules:\n  - kind: cron\n    expr: "*/5 * * * *"';
  return h(
    'div',
    { class: 'empty-state', 'data-testid': 'jobs-empty' },
    h('p', {}, h('strong', {}, 'No jobs yet.'), ' Add one through the API:'),
    h('pre', { class: 'code' }, curl),
    h('p', {}, 'or from a file with the CLI: ', h('code', {}, 'bosun jobs add -f job.yaml')),
    h('pre', { class: 'code' }, yaml),
    h('p', { class: 'muted' }, 'With a token, add -H "Authorization: Bearer $BOSUN_TOKEN".'),
  );
}
