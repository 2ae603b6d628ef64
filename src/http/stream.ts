// The /ws snapshot hub: every client gets the latest snapshot on connect, then each tick's snapshot.
// Each snapshot is encoded once and the same bytes go to every client; a client that cannot keep up
// skips frames instead of growing a buffer.
import type { WebSocket } from 'ws';
import type { Logger } from '../logger.ts';
import type { Monitor, Sample } from '../monitor/monitor.ts';

/** A client whose socket holds more than this is skipped for the frame (it gets the next one). */
const MAX_BUFFERED_BYTES = 1 << 20;
const PING_INTERVAL_MS = 30_000;

export interface SnapshotHub {
  /** Adds a connected client; returns false (and closes it) when the hub is full. */
  add(socket: WebSocket): boolean;
  size(): number;
  close(): void;
}

export function createSnapshotHub(deps: {
  monitor: Monitor;
  logger: Logger;
  maxClients: number;
}): SnapshotHub {
  const clients = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  let unsubscribe: (() => void) | undefined;
  let lastSent: { sample: Sample; bytes: Buffer } | undefined;

  const encode = (sample: Sample): Buffer => {
    if (lastSent?.sample !== sample) lastSent = { sample, bytes: Buffer.from(sample.json) };
    return lastSent.bytes;
  };

  const send = (socket: WebSocket, bytes: Buffer): void => {
    if (socket.readyState !== socket.OPEN || socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    socket.send(bytes, { binary: false });
  };

  const broadcast = (sample: Sample): void => {
    const bytes = encode(sample);
    for (const socket of clients) send(socket, bytes);
  };

  const ping = setInterval(() => {
    for (const socket of clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, PING_INTERVAL_MS);
  ping.unref();

  const remove = (socket: WebSocket): void => {
    clients.delete(socket);
    if (clients.size === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = undefined;
    }
  };

  return {
    add(socket) {
      if (clients.size >= deps.maxClients) {
        socket.close(1013, 'too many clients; try again later');
        return false;
      }
      clients.add(socket);
      alive.add(socket);
      socket.on('pong', () => alive.add(socket));
      socket.on('close', () => remove(socket));
      socket.on('error', (err) => {
        deps.logger.debug({ err }, 'ws client error');
        remove(socket);
      });
      // /ws is a stream of snapshots only: anything a client sends is ignored.
      socket.on('message', () => {});
      // Subscribing turns the process list on for every tick while someone watches.
      unsubscribe ??= deps.monitor.subscribe(broadcast);
      const sample = deps.monitor.latestWithProcesses();
      if (sample) send(socket, encode(sample));
      return true;
    },
    size: () => clients.size,
    close() {
      clearInterval(ping);
      for (const socket of clients) socket.close(1001, 'agent shutting down');
      clients.clear();
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
