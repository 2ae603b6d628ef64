// #/jobs/<id>: one job's definition, its schedules with the next fire times, a "Run now" button and
// its runs, newest first, a page at a time. Run events of this job update or prepend rows in place.
import { AuthRequiredError } from './api.ts';
import { keyedRows, setAttr, setText } from './dom.ts';
import { formatBytes } from './format.ts';
import { ApiError, errorText, requestJson } from './jobs-api.ts';
import {
  compareIds,
  exitLabel,
  formatRunDuration,
  localTime,
  policyRows,
  runDurationSec,
  scheduleDetail,
} from './jobs-format.ts';
import type { JobJson, RunJson } from './jobs-types.ts';
import { routeHref } from './route.ts';
import {
  fields,
  h,
  readOnlyNote,
  refreshTimes,
  setTime,
  showMessage,
  stateBadge,
  updateStateBadge,
  type ViewContext,
} from './view.ts';

const PAGE_SIZE = 25;

interface RunCells {
  id: HTMLAnchorElement;
  state: HTMLElement;
  trigger: HTMLElement;
  attempt: HTMLElement;
  started: HTMLElement;
  duration: HTMLElement;
  exit: HTMLElement;
  error: HTMLElement;
}

export function mountJobPage(root: HTMLElement, ctx: ViewContext, jobId: string): () => void {
  const title = h('h1', { 'data-testid': 'job-name' }, jobId);
  const enabled = h('span', { class: 'flag' });
  const runNow = h(
    'button',
    { type: 'button', class: 'btn-primary needs-write', 'data-testid': 'run-now' },
    'Run now',
  );
  const actionError = h('div', {
    class: 'banner banner-error inline',
    role: 'alert',
    'data-testid': 'job-error',
    hidden: '',
  });
  const loadError = h('div', { class: 'banner banner-error inline', role: 'alert', hidden: '' });
  const definition = h('div', { class: 'definition' });
  const schedules = h('div', { class: 'schedules' });
  const nextTimes = h('ol', { class: 'next-times', 'data-testid': 'next-times' });
  const runsBody = h('tbody');
  const runsEmpty = h('p', { class: 'empty', hidden: '' }, 'No runs yet.');
  const more = h('button', { type: 'button', class: 'ghost more', hidden: '' }, 'Show older runs');
  const crumbName = h('span', {}, jobId);

  root.replaceChildren(
    h(
      'nav',
      { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: routeHref({ view: 'jobs' }) }, 'Jobs'),
      ' › ',
      crumbName,
    ),
    h(
      'div',
      { class: 'page-head' },
      title,
      enabled,
      h('div', { class: 'spacer' }),
      readOnlyNote(),
      runNow,
    ),
    actionError,
    loadError,
    h(
      'div',
      { class: 'grid job-grid' },
      h(
        'section',
        { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Definition')),
        definition,
      ),
      h(
        'section',
        { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', {}, 'Schedules')),
        schedules,
        h('h3', {}, 'Next runs'),
        nextTimes,
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', {}, 'Runs')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'runs-table', 'data-testid': 'runs-table', class: 'rows-link' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Run'),
              h('th', {}, 'State'),
              h('th', {}, 'Trigger'),
              h('th', {}, 'Started'),
              h('th', { class: 'num' }, 'Duration'),
              h('th', {}, 'Result'),
              h('th', { class: 'wide' }, 'Error'),
            ),
          ),
          runsBody,
        ),
      ),
      runsEmpty,
      more,
    ),
  );

  let job: JobJson | undefined;
  let runs: RunJson[] = [];
  let cursor: string | null = null;
  const abort = new AbortController();
  const signal = abort.signal;

  const syncRuns = keyedRows<RunJson, RunCells>(runsBody, {
    key: (run) => run.id,
    create: (run) => {
      const cells: RunCells = {
        id: h('a', { class: 'mono' }),
        state: stateBadge(),
        trigger: h('td'),
        attempt: h('span', { class: 'muted' }),
        started: h('span'),
        duration: h('td', { class: 'num' }),
        exit: h('td', { class: 'mono' }),
        error: h('td', { class: 'error wide' }),
      };
      const row = h(
        'tr',
        { 'data-run-id': run.id },
        h('td', {}, cells.id),
        h('td', {}, cells.state),
        cells.trigger,
        h('td', {}, cells.started),
        cells.duration,
        cells.exit,
        cells.error,
      );
      return { row, cells };
    },
    update: (cells, run, row) => {
      const now = Date.now();
      setText(cells.id, run.id);
      setAttr(cells.id, 'href', routeHref({ view: 'run', id: run.id }));
      updateStateBadge(cells.state, run.state);
      setAttr(row, 'data-state', run.state);
      cells.trigger.replaceChildren(run.trigger, ...(run.attempt > 1 ? [' ', cells.attempt] : []));
      setText(cells.attempt, `attempt ${run.attempt}`);
      setTime(cells.started, run.startedAt ?? run.createdAt, now);
      setDuration(cells.duration, run, now);
      setText(cells.exit, exitLabel(run));
      setText(cells.error, run.error ?? '');
      setAttr(cells.error, 'title', run.error ?? '');
    },
  });

  const renderRuns = (): void => {
    syncRuns(runs);
    runsEmpty.hidden = runs.length > 0;
    more.hidden = cursor === null;
  };

  const fail = (err: unknown, what: string, target = loadError): void => {
    if (signal.aborted) return;
    if (err instanceof AuthRequiredError) ctx.onAuth();
    else showMessage(target, `${what}: ${errorText(err)}`);
  };

  const loadJob = async (): Promise<void> => {
    try {
      job = await requestJson<JobJson>('GET', `./api/v1/jobs/${encodeURIComponent(jobId)}`, signal);
      showMessage(loadError, '');
      renderJob(job);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        if (signal.aborted) return;
        showMessage(loadError, `There is no job ${jobId}: it may have been deleted.`);
        runNow.disabled = true;
        return;
      }
      fail(err, 'Could not load the job');
    }
  };

  const loadNext = async (): Promise<void> => {
    try {
      const { times } = await requestJson<{ times: string[] }>(
        'GET',
        `./api/v1/jobs/${encodeURIComponent(jobId)}/next?count=5`,
        signal,
      );
      const now = Date.now();
      nextTimes.replaceChildren(
        ...times.map((t) => {
          const rel = h('span', { class: 'muted' });
          setTime(rel, t, now);
          rel.removeAttribute('title');
          return h('li', {}, h('span', { class: 'mono' }, localTime(t)), ' ', rel);
        }),
      );
      if (times.length === 0) {
        nextTimes.replaceChildren(h('li', { class: 'muted' }, 'none scheduled'));
      }
    } catch (err) {
      fail(err, 'Could not load the next fire times');
    }
  };

  /** The first page again (after a reconnect); keeps older pages the user opened. */
  const loadRuns = async (append: boolean): Promise<void> => {
    const query = new URLSearchParams({ jobId, limit: String(PAGE_SIZE) });
    if (append && cursor) query.set('cursor', cursor);
    try {
      const page = await requestJson<{ runs: RunJson[]; nextCursor: string | null }>(
        'GET',
        `./api/v1/runs?${query}`,
        signal,
      );
      if (append) {
        runs = mergeRuns(runs, page.runs);
        cursor = page.nextCursor;
      } else {
        runs = mergeRuns(runs, page.runs);
        if (runs.length <= PAGE_SIZE) cursor = page.nextCursor;
      }
      root.dataset.ready = 'true';
      renderRuns();
    } catch (err) {
      fail(err, 'Could not load the runs');
    }
  };

  const renderJob = (j: JobJson): void => {
    setText(title, j.name);
    setText(crumbName, j.name);
    document.title = `${j.name} · bosun`;
    setText(enabled, j.enabled ? 'enabled' : 'disabled');
    setAttr(enabled, 'data-on', String(j.enabled));
    const env = Object.keys(j.env);
    const rows: [string, Node | string][] = [
      ['Command', h('pre', { class: 'code cmd', 'data-testid': 'job-cmd' }, j.cmd)],
    ];
    if (j.cwd) rows.push(['Directory', h('code', {}, j.cwd)]);
    if (env.length > 0) rows.push(['Environment', env.join(', ')]);
    rows.push(...policyRows(j));
    if (j.package) {
      rows.push([
        'Package',
        `${formatBytes(j.package.size)}, sha256 ${j.package.sha256.slice(0, 12)}…, ` +
          `uploaded ${localTime(j.package.uploadedAt)}`,
      ]);
    }
    if (j.webhooks.length > 0) {
      rows.push([
        'Webhooks',
        j.webhooks.map((w) => `${w.url} (${w.events.join(', ')})`).join('; '),
      ]);
    }
    rows.push(['Version', `${j.version}, changed ${localTime(j.updatedAt)}`]);
    definition.replaceChildren(fields(rows));

    const now = Date.now();
    if (j.schedules.length === 0) {
      schedules.replaceChildren(
        h('p', { class: 'muted' }, 'No schedules: this job runs only when started by hand.'),
      );
    } else {
      schedules.replaceChildren(
        h(
          'ul',
          { class: 'schedule-list', 'data-testid': 'job-schedules' },
          ...j.schedules.map((s) => {
            const next = h('span');
            setTime(next, s.enabled && j.enabled ? s.nextFireAt : null, now);
            return h(
              'li',
              { class: s.enabled ? '' : 'off' },
              h('div', { class: 'schedule-desc' }, s.description, s.enabled ? '' : ' (off)'),
              h('div', { class: 'muted' }, h('code', {}, scheduleDetail(s)), ' · next ', next),
            );
          }),
        ),
      );
    }
    if (!j.enabled) {
      schedules.prepend(
        h('p', { class: 'note' }, 'The job is disabled: its schedules do not fire until enabled.'),
      );
    }
  };

  runNow.addEventListener('click', async () => {
    runNow.disabled = true;
    showMessage(actionError, '');
    try {
      const run = await requestJson<RunJson>(
        'POST',
        `./api/v1/jobs/${encodeURIComponent(job?.id ?? jobId)}/run`,
      );
      runs = mergeRuns(runs, [run]);
      renderRuns();
      ctx.navigate(routeHref({ view: 'run', id: run.id }));
    } catch (err) {
      fail(err, 'Could not start a run', actionError);
    } finally {
      runNow.disabled = false;
    }
  });

  more.addEventListener('click', () => void loadRuns(true));

  const unsubscribe = ctx.events.subscribe({
    onEvent(event) {
      if (event.type === 'job') {
        if (event.job.id !== job?.id && event.job.name !== jobId) return;
        void loadJob();
        void loadNext();
        return;
      }
      const run = event.run;
      if (run.jobId !== job?.id) return;
      runs = mergeRuns(runs, [run]);
      renderRuns();
    },
    onResync() {
      void loadJob();
      void loadRuns(false);
    },
  });

  // Relative times and the duration of running runs stay current.
  const ticker = setInterval(() => {
    const now = Date.now();
    refreshTimes(root, now);
    for (const row of runsBody.querySelectorAll<HTMLTableRowElement>('tr[data-state="running"]')) {
      const run = runs.find((r) => r.id === row.dataset.runId);
      const cell = row.cells[4];
      if (run && cell) setDuration(cell, run, now);
    }
  }, 1000);

  const onClick = (event: MouseEvent): void => {
    const target = event.target as Element;
    if (target.closest('a')) return;
    const row = target.closest<HTMLElement>('tr[data-run-id]');
    if (row?.dataset.runId) ctx.navigate(routeHref({ view: 'run', id: row.dataset.runId }));
  };
  runsBody.addEventListener('click', onClick);

  // The job first: run events are matched by its id, and `jobId` may be its name.
  void loadJob().then(() => {
    void loadNext();
    void loadRuns(false);
  });

  return () => {
    abort.abort();
    unsubscribe();
    clearInterval(ticker);
  };
}

function setDuration(cell: HTMLElement, run: RunJson, now: number): void {
  setText(cell, formatRunDuration(runDurationSec(run, now)));
}

/** Adds or replaces runs by id, newest first. */
function mergeRuns(current: readonly RunJson[], incoming: readonly RunJson[]): RunJson[] {
  const byId = new Map(current.map((r) => [r.id, r]));
  for (const run of incoming) {
    const known = byId.get(run.id);
    // Events carry no job name; keep the one a GET gave.
    byId.set(run.id, known && run.jobName === null ? { ...run, jobName: known.jobName } : run);
  }
  return [...byId.values()].sort((a, b) => compareIds(b.id, a.id));
}
