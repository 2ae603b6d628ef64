// The /api/v1/events WebSocket for the jobs pages: opened while a jobs page listens, closed when the
// last one stops. Reconnects with capped, jittered backoff; after a reconnect listeners are told to
// refetch, since events sent while the socket was down are lost.
import { wsUrl } from './api.ts';
import type { JobsEventJson } from './jobs-types.ts';

export interface JobsEventListener {
  onEvent(event: JobsEventJson): void;
  /** The socket opened again after a loss: reload what may have changed meanwhile. */
  onResync?(): void;
}

export interface JobEvents {
  subscribe(listener: JobsEventListener): () => void;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15_000;

export function createJobEvents(path = './api/v1/events'): JobEvents {
  const listeners = new Set<JobsEventListener>();
  let socket: WebSocket | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;
  let lost = false;

  const connect = (): void => {
    retryTimer = undefined;
    if (listeners.size === 0) return;
    const ws = new WebSocket(wsUrl(path));
    socket = ws;
    ws.onopen = () => {
      attempts = 0;
      if (lost) {
        lost = false;
        for (const l of [...listeners]) l.onResync?.();
      }
    };
    ws.onmessage = (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      let event: JobsEventJson;
      try {
        event = JSON.parse(message.data) as JobsEventJson;
      } catch {
        return;
      }
      for (const l of [...listeners]) l.onEvent(event);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      lost = true;
      if (listeners.size === 0) return;
      const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempts);
      attempts += 1;
      retryTimer = setTimeout(connect, Math.round(base * (0.75 + Math.random() * 0.5)));
    };
  };

  const close = (): void => {
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
    const ws = socket;
    socket = undefined;
    lost = false;
    attempts = 0;
    ws?.close();
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!socket && retryTimer === undefined) connect();
      return () => {
        listeners.delete(listener);
        // Moving between jobs pages unsubscribes and resubscribes at once: keep the socket open
        // across that, close it only when nothing listened for a moment.
        setTimeout(() => {
          if (listeners.size === 0) close();
        }, 1000);
      };
    },
  };
}
