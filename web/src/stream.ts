// The /ws snapshot stream: connect, hand each snapshot on, tell LIVE from STALE, and reconnect with
// capped, jittered backoff so a restarted agent is not stampeded by every open dashboard.
import type { Snapshot } from './types.ts';

export type StreamState = 'connecting' | 'live' | 'stale' | 'offline';

export interface StreamOptions {
  url: string;
  onSnapshot(snapshot: Snapshot): void;
  onState(state: StreamState, detail: string): void;
  /**
   * Called after a failed or lost connection, before the next attempt. Resolves false to stop
   * reconnecting (the agent answered 401: retrying cannot help until the user signs in).
   */
  onDown?(): Promise<boolean>;
  /** Called when a connection opens after a lost one, so the caller can fill the gap. */
  onReconnect?(): void;
}

export interface Stream {
  /** Seed for the stale check until snapshots show the real interval. */
  setInterval(seconds: number): void;
  /** Seconds since the last snapshot, or undefined before the first. */
  age(): number | undefined;
  close(): void;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15_000;
/** STALE after this many intervals without a snapshot. */
const STALE_INTERVALS = 3;

export function openStream(opts: StreamOptions): Stream {
  let socket: WebSocket | undefined;
  let state: StreamState | undefined;
  let stateDetail = '';
  let attempts = 0;
  let everOpened = false;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let lastMessageAt: number | undefined;
  let lastTimestamp: number | undefined;
  let intervalMs = 3000;
  // Recent gaps between snapshot timestamps; their median is the tick interval (robust to one
  // skipped frame).
  const gaps: number[] = [];

  const setState = (next: StreamState, detail = ''): void => {
    if (next === state && detail === stateDetail) return;
    state = next;
    stateDetail = detail;
    opts.onState(next, detail);
  };

  const learnInterval = (snapshot: Snapshot): void => {
    const ts = Date.parse(snapshot.timestamp);
    if (lastTimestamp !== undefined && ts > lastTimestamp) {
      gaps.push(ts - lastTimestamp);
      if (gaps.length > 7) gaps.shift();
      const sorted = [...gaps].sort((a, b) => a - b);
      intervalMs = Math.min(60_000, Math.max(100, sorted[sorted.length >> 1] as number));
    }
    lastTimestamp = ts;
  };

  const connect = (): void => {
    retryTimer = undefined;
    if (closed) return;
    if (state !== 'offline') setState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(opts.url);
    } catch {
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      if (everOpened) opts.onReconnect?.();
      everOpened = true;
    };
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      let snapshot: Snapshot;
      try {
        snapshot = JSON.parse(event.data) as Snapshot;
      } catch {
        return;
      }
      if (typeof snapshot?.timestamp !== 'string') return;
      lastMessageAt = Date.now();
      learnInterval(snapshot);
      setState('live');
      opts.onSnapshot(snapshot);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      void down();
    };
  };

  const down = async (): Promise<void> => {
    if (closed) return;
    setState('offline', 'connecting…');
    const keepTrying = opts.onDown ? await opts.onDown().catch(() => true) : true;
    if (!keepTrying) {
      closed = true;
      setState('offline', 'stopped');
      return;
    }
    scheduleRetry();
  };

  const scheduleRetry = (): void => {
    if (closed || retryTimer !== undefined) return;
    const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempts);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    attempts += 1;
    setState('offline', `retrying in ${Math.max(1, Math.round(delay / 1000))}s`);
    retryTimer = setTimeout(connect, delay);
  };

  /** Skips the wait when the browser says the network or the tab is back. */
  const retryNow = (): void => {
    if (closed || socket !== undefined || retryTimer === undefined) return;
    clearTimeout(retryTimer);
    attempts = 0;
    connect();
  };

  const onVisible = (): void => {
    if (document.visibilityState === 'visible') retryNow();
  };
  window.addEventListener('online', retryNow);
  document.addEventListener('visibilitychange', onVisible);

  const staleTimer = setInterval(() => {
    if (socket?.readyState !== WebSocket.OPEN || lastMessageAt === undefined) return;
    const silentMs = Date.now() - lastMessageAt;
    if (silentMs > STALE_INTERVALS * intervalMs) {
      setState('stale', `no data for ${Math.round(silentMs / 1000)}s`);
    }
  }, 1000);

  connect();

  return {
    setInterval(seconds) {
      if (gaps.length === 0 && Number.isFinite(seconds) && seconds > 0) intervalMs = seconds * 1000;
    },
    age: () => (lastMessageAt === undefined ? undefined : (Date.now() - lastMessageAt) / 1000),
    close() {
      closed = true;
      clearInterval(staleTimer);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      window.removeEventListener('online', retryNow);
      document.removeEventListener('visibilitychange', onVisible);
      socket?.close();
      socket = undefined;
    },
  };
}
