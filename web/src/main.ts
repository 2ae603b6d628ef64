// Dashboard entry: seed from /api/v1/snapshot and /api/v1/history, then follow /ws. Snapshots are
// folded into the chart series as they arrive; the DOM is painted at most once per animation frame,
// which browsers also pause for hidden tabs, so a dashboard left open in the background costs little.
import { AuthRequiredError, getJson, wsUrl } from './api.ts';
import { createCharts, type ChartDef } from './charts.ts';
import { byId, setAttr, setText } from './dom.ts';
import { createProcessTable } from './processes.ts';
import { initNavigation } from './nav.ts';
import { createSeries, pointOf } from './series.ts';
import { openStream, type Stream, type StreamState } from './stream.ts';
import { createSummary } from './summary.ts';
import { createFilesystemsTable, createInterfacesTable } from './tables.ts';
import { initTheme } from './theme.ts';
import type { HistoryResponse, Snapshot } from './types.ts';

const WINDOW_KEY = 'bosun.window';
const WINDOWS = [300, 900, 3600];

function start(): void {
  const series = createSeries();
  const windowSelect = byId<HTMLSelectElement>('chart-window');
  const storedWindow = Number(safeGet(WINDOW_KEY));
  windowSelect.value = String(WINDOWS.includes(storedWindow) ? storedWindow : 900);

  const chartDefs: ChartDef[] = [
    {
      el: byId('chart-cpu'),
      readout: byId('readout-cpu'),
      kind: 'percent',
      lines: [{ field: 'cpu', label: 'CPU', color: '--c-cpu', fill: true }],
    },
    {
      el: byId('chart-mem'),
      readout: byId('readout-mem'),
      kind: 'percent',
      lines: [
        { field: 'mem', label: 'Memory', color: '--c-mem', fill: true },
        { field: 'swap', label: 'Swap', color: '--c-swap' },
      ],
    },
    {
      el: byId('chart-net'),
      readout: byId('readout-net'),
      kind: 'rate',
      lines: [
        { field: 'net_rx', label: '↓', color: '--c-rx', fill: true },
        { field: 'net_tx', label: '↑', color: '--c-tx' },
      ],
    },
    {
      el: byId('chart-disk'),
      readout: byId('readout-disk'),
      kind: 'rate',
      lines: [
        { field: 'disk_r', label: 'read', color: '--c-read', fill: true },
        { field: 'disk_w', label: 'write', color: '--c-write' },
      ],
    },
  ];
  const charts = createCharts(series, chartDefs, Number(windowSelect.value));
  windowSelect.addEventListener('change', () => {
    safeSet(WINDOW_KEY, windowSelect.value);
    charts.setWindow(Number(windowSelect.value));
  });
  initTheme(byId<HTMLButtonElement>('theme-toggle'), () => charts.rebuild());

  const renderSummary = createSummary();
  const renderFilesystems = createFilesystemsTable();
  const renderInterfaces = createInterfacesTable();
  const processes = createProcessTable();
  const status = byId('status');
  const authBanner = byId('auth-required');
  const errorBanner = byId('error-banner');

  let latest: Snapshot | undefined;
  let latestTs = -Infinity;
  let painted: Snapshot | undefined;
  let chartsDirty = false;
  let frame = 0;

  const paint = (): void => {
    frame = 0;
    if (chartsDirty) {
      chartsDirty = false;
      charts.update();
    }
    if (!latest || latest === painted) return;
    painted = latest;
    document.body.dataset.ready = 'true';
    renderSummary(latest);
    renderFilesystems(latest.disk.filesystems);
    renderInterfaces(latest.network.interfaces);
    processes.render(latest.processes.list ?? [], latest.processes.total);
  };
  const schedulePaint = (): void => {
    if (frame === 0) frame = requestAnimationFrame(paint);
  };

  const accept = (snapshot: Snapshot): void => {
    // The initial GET and the first /ws message can arrive in either order; keep the newest.
    const ts = Date.parse(snapshot.timestamp);
    if (!(ts >= latestTs)) return;
    latestTs = ts;
    latest = snapshot;
    if (series.add([pointOf(snapshot)])) chartsDirty = true;
    errorBanner.hidden = true;
    schedulePaint();
  };

  const addHistory = (history: HistoryResponse): void => {
    series.setInterval(history.interval_sec);
    stream.setInterval(history.interval_sec);
    if (series.add(history.points)) {
      chartsDirty = true;
      schedulePaint();
    }
  };

  const showAuth = (): void => {
    // Under a path prefix the visit must go to the prefix, not to the host's root.
    setText(byId('auth-link'), `${location.pathname}?token=YOUR_TOKEN`);
    authBanner.hidden = false;
  };

  initNavigation({ onAuth: showAuth });

  const fail = (err: unknown): void => {
    if (err instanceof AuthRequiredError) {
      showAuth();
      stream.close();
      setStatus('offline', 'token needed');
      return;
    }
    setText(
      errorBanner,
      `Could not load data from the agent: ${err instanceof Error ? err.message : String(err)}`,
    );
    errorBanner.hidden = false;
  };

  const setStatus = (state: StreamState, detail: string): void => {
    const label = state === 'connecting' ? 'CONNECTING' : state.toUpperCase();
    setAttr(status, 'data-state', state);
    // The page keeps the last data on screen; CSS dims it while it is not live.
    document.body.dataset.stream = state;
    setText(status, label);
    setAttr(status, 'title', detail || (state === 'live' ? 'receiving live snapshots' : label));
  };

  // The closures above use `stream`; they only run after I/O, by which time it is assigned.
  const stream: Stream = openStream({
    url: wsUrl('./ws'),
    onSnapshot: accept,
    onState: setStatus,
    // A WebSocket cannot see HTTP status codes: ask the API whether a lost stream is an auth problem.
    onDown: async () => {
      try {
        await getJson('./api/v1/health');
        return true;
      } catch (err) {
        if (err instanceof AuthRequiredError) {
          fail(err);
          return false;
        }
        return true;
      }
    },
    // Fill the chart gap left by the outage from the agent's own history.
    onReconnect: () => {
      const since = series.lastT();
      getJson<HistoryResponse>(
        `./api/v1/history${since === undefined ? '' : `?since=${Math.floor(since)}`}`,
      ).then(addHistory, () => {});
    },
  });

  // No `since` on the first load: the agent's clock decides what "the last hour" is, not ours.
  getJson<HistoryResponse>('./api/v1/history').then(addHistory, fail);
  getJson<Snapshot>('./api/v1/snapshot').then(accept, fail);
}

function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function safeSet(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not persisted
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
