// #/runs/<id>: one run's state, times and result, a Stop button while it is queued or running, and
// its log streamed live. When the log stream ends the run is read again, so the page shows the final
// state even if the event for it was missed.
import { AuthRequiredError, apiUrl } from './api.ts';
import { setAttr, setText } from './dom.ts';
import { formatBytes } from './format.ts';
import { ApiError, errorText, requestJson } from './jobs-api.ts';
import {
  exitLabel,
  formatRunDuration,
  isActive,
  localTime,
  runDurationSec,
} from './jobs-format.ts';
import type { JobJson, RunJson } from './jobs-types.ts';
import { followLog, type LogFollow } from './log-follow.ts';
import { createPipelineView, type PipelineView } from './pipeline-view.ts';
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

/** After a broken log stream of a run that is still active, try again after this long. */
const REFOLLOW_MS = 2000;

export function mountRunPage(root: HTMLElement, ctx: ViewContext, runId: string): () => void {
  const state = stateBadge(undefined, 'run-state');
  state.classList.add('big-state');
  const stop = h(
    'button',
    { type: 'button', class: 'btn-danger needs-write', 'data-testid': 'stop-run', hidden: '' },
    'Stop',
  );
  // Pipelines only: a last checkpoint, then the run ends savepoint_done and can be resumed.
  const savepoint = h(
    'button',
    { type: 'button', class: 'needs-write', 'data-testid': 'stop-savepoint', hidden: '' },
    'Stop with savepoint',
  );
  const pipelineSlot = h('div', {});
  const actionError = h('div', {
    class: 'banner banner-error inline',
    role: 'alert',
    'data-testid': 'run-error',
    hidden: '',
  });
  const loadError = h('div', { class: 'banner banner-error inline', role: 'alert', hidden: '' });
  const jobLink = h('a', { href: routeHref({ view: 'jobs' }) }, '…');
  const info = h('div', { class: 'run-info' });
  const errorBox = h('div', { class: 'run-failure', 'data-testid': 'run-failure', hidden: '' });
  const logState = h('span', { class: 'muted', 'data-testid': 'log-state' }, 'connecting…');
  const pre = h('pre', { class: 'log-text', id: 'run-log', 'data-testid': 'run-log' });
  const box = h('div', { class: 'log-box', tabindex: '0', 'aria-label': 'Run log' }, pre);
  const cutNote = h('p', { class: 'note', hidden: '' });
  const raw = h(
    'a',
    {
      href: apiUrl(`./api/v1/runs/${encodeURIComponent(runId)}/log`).href,
      target: '_blank',
      rel: 'noopener',
    },
    'raw log',
  );

  root.replaceChildren(
    h(
      'nav',
      { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: routeHref({ view: 'jobs' }) }, 'Jobs'),
      ' › ',
      jobLink,
      ' › ',
      h('span', {}, `run ${runId}`),
    ),
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Run ', h('span', { class: 'mono' }, runId)),
      state,
      h('div', { class: 'spacer' }),
      readOnlyNote(),
      savepoint,
      stop,
    ),
    actionError,
    loadError,
    pipelineSlot,
    h('section', { class: 'card' }, errorBox, info),
    h(
      'section',
      { class: 'card log-card' },
      h(
        'div',
        { class: 'card-head' },
        h('h2', {}, 'Log'),
        logState,
        h('div', { class: 'spacer' }),
        raw,
      ),
      cutNote,
      box,
    ),
  );

  let run: RunJson | undefined;
  let jobName: string | null = null;
  let pipeline: PipelineView | undefined;
  let pipelineJob: Promise<void> | undefined;
  let follow: LogFollow | undefined;
  let refollowTimer: ReturnType<typeof setTimeout> | undefined;
  const abort = new AbortController();
  const signal = abort.signal;

  const fail = (err: unknown, what: string, target = loadError): void => {
    if (signal.aborted) return;
    if (err instanceof AuthRequiredError) ctx.onAuth();
    else showMessage(target, `${what}: ${errorText(err)}`);
  };

  const render = (r: RunJson): void => {
    // Events can arrive out of order with a GET; never go back from a final state.
    if (run && !isActive(run.state) && isActive(r.state)) return;
    if (r.jobName) jobName = r.jobName;
    run = r;
    const now = Date.now();
    updateStateBadge(state, r.state);
    root.dataset.state = r.state;
    document.title = `run ${r.id} · ${jobName ?? 'job'} · bosun`;
    setText(jobLink, jobName ?? `job ${r.jobId}`);
    setAttr(jobLink, 'href', routeHref({ view: 'job', id: r.jobId }));

    const active = isActive(r.state);
    stop.hidden = !active;
    stop.disabled = r.stopRequested;
    setText(stop, r.stopRequested ? 'Stopping…' : 'Stop');
    // The run's job is read once: a pipeline gets its DAG card and the savepoint button.
    pipelineJob ??= requestJson<JobJson>(
      'GET',
      `./api/v1/jobs/${encodeURIComponent(r.jobId)}`,
      signal,
    ).then(
      (job) => {
        if (job.kind !== 'pipeline' || !job.pipeline?.dag) return;
        pipeline = createPipelineView(job.pipeline.dag);
        pipelineSlot.replaceChildren(pipeline.element);
        if (run) render(run);
      },
      (err: unknown) => fail(err, 'Could not load the pipeline'),
    );
    if (pipeline) {
      savepoint.hidden = r.state !== 'running';
      savepoint.disabled = r.stopRequested;
      pipeline.update(r);
    }

    const time = (iso: string | null): Node | string => {
      if (!iso) return '–';
      const rel = h('span', { class: 'muted' });
      setTime(rel, iso, now);
      return h('span', {}, localTime(iso), ' ', rel);
    };
    const duration = runDurationSec(r, now);
    const rows: [string, Node | string][] = [
      ['Job', h('a', { href: routeHref({ view: 'job', id: r.jobId }) }, jobName ?? r.jobId)],
      ['Trigger', r.trigger === 'retry' ? `retry (attempt ${r.attempt})` : r.trigger],
      ['Attempt', String(r.attempt)],
      ['Scheduled for', time(r.scheduledFor)],
      ['Created', time(r.createdAt)],
      ['Started', time(r.startedAt)],
      ['Finished', time(r.finishedAt)],
      ['Duration', h('span', { 'data-testid': 'run-duration' }, formatRunDuration(duration))],
      ['Exit', h('span', { class: 'mono', 'data-testid': 'run-exit' }, exitLabel(r))],
      ['Node', r.node ? h('span', { class: 'mono' }, r.node) : '–'],
      ['Log', `${formatBytes(r.logBytes)}${r.logTruncated ? ' (truncated by the agent)' : ''}`],
    ];
    info.replaceChildren(fields(rows, 'fields run-fields'));
    showMessage(errorBox, r.error ?? '');
    setAttr(
      errorBox,
      'data-tone',
      r.state === 'canceled' || r.state === 'skipped' ? 'warn' : 'crit',
    );
    root.dataset.ready = 'true';
  };

  const loadRun = async (): Promise<RunJson | undefined> => {
    try {
      const r = await requestJson<RunJson>(
        'GET',
        `./api/v1/runs/${encodeURIComponent(runId)}`,
        signal,
      );
      showMessage(loadError, '');
      render(r);
      return r;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && !signal.aborted) {
        showMessage(loadError, `There is no run ${runId}: it may have been deleted with its job.`);
        return undefined;
      }
      fail(err, 'Could not load the run');
      return undefined;
    }
  };

  const startFollow = (): void => {
    delete pre.dataset.ended;
    setText(logState, 'following…');
    setAttr(logState, 'data-live', 'true');
    follow = followLog({
      runId,
      box,
      pre,
      cutNote,
      onEnd: (err) => {
        follow = undefined;
        setAttr(logState, 'data-live', 'false');
        pre.dataset.ended = 'true';
        if (err instanceof AuthRequiredError) {
          ctx.onAuth();
          return;
        }
        void loadRun().then((r) => {
          if (signal.aborted) return;
          if (err === undefined || !r || !isActive(r.state)) {
            setText(logState, err === undefined ? 'complete' : `stream ended: ${errorText(err)}`);
            return;
          }
          // The agent restarted or the connection dropped mid-run: read the log again from the top.
          setText(logState, 'reconnecting…');
          refollowTimer = setTimeout(startFollow, REFOLLOW_MS);
        });
      },
    });
  };

  savepoint.addEventListener('click', async () => {
    savepoint.disabled = true;
    showMessage(actionError, '');
    try {
      render(
        await requestJson<RunJson>(
          'POST',
          `./api/v1/runs/${encodeURIComponent(runId)}/stop?savepoint=true`,
        ),
      );
    } catch (err) {
      savepoint.disabled = false;
      fail(err, 'Could not stop the run with a savepoint', actionError);
    }
  });

  stop.addEventListener('click', async () => {
    stop.disabled = true;
    showMessage(actionError, '');
    try {
      render(await requestJson<RunJson>('POST', `./api/v1/runs/${encodeURIComponent(runId)}/stop`));
    } catch (err) {
      stop.disabled = false;
      fail(err, 'Could not stop the run', actionError);
    }
  });

  const unsubscribe = ctx.events.subscribe({
    onEvent(event) {
      if (event.type === 'run' && event.run.id === runId) render(event.run);
    },
    onResync: () => void loadRun(),
  });

  const ticker = setInterval(() => {
    const now = Date.now();
    refreshTimes(root, now);
    // Metrics are not in the events: a running pipeline is read again each second.
    if (pipeline && run?.state === 'running') void loadRun();
    if (run?.state === 'running') {
      const d = runDurationSec(run, now);
      const cell = info.querySelector('[data-testid="run-duration"]');
      if (cell) setText(cell, formatRunDuration(d));
    }
  }, 1000);

  void loadRun().then((r) => {
    if (r && !signal.aborted) startFollow();
  });

  return () => {
    abort.abort();
    follow?.stop();
    if (refollowTimer !== undefined) clearTimeout(refollowTimer);
    unsubscribe();
    clearInterval(ticker);
  };
}
