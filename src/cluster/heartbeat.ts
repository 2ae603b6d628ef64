// Registers this node in the store and renews its heartbeat with its latest host sample, so any node
// can show every node. Background work: it logs failures and keeps going, it never throws.
import type { Logger } from '../logger.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { Store } from '../store/store.ts';
import type { NodeRegistration } from '../model/nodes.ts';

export interface Heartbeat {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Database clock minus local clock, ms, as of the last beat. */
  clockSkewMs(): number;
  /** Whether the last beat reached the store. */
  storeReachable(): boolean;
}

export function createHeartbeat(deps: {
  store: Store;
  monitor: Monitor;
  logger: Logger;
  registration: () => NodeRegistration;
  intervalMs: number;
}): Heartbeat {
  const { store, monitor, logger } = deps;
  const log = logger.child({ module: 'heartbeat' });
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let skew = 0;
  let lastError = '';
  let nodeId = '';

  const beat = async (): Promise<void> => {
    try {
      const sample = monitor.latest();
      const before = Date.now();
      await store.heartbeat(nodeId, sample ? { json: sample.json, at: sample.at } : undefined);
      const dbNow = await store.now();
      skew = dbNow - (before + Date.now()) / 2;
      if (lastError !== '') log.info('heartbeat recovered');
      lastError = '';
    } catch (err) {
      const message = (err as Error).message;
      if (message !== lastError) log.warn({ err }, 'heartbeat failed; retrying at the next beat');
      lastError = message;
      // A store that lost our row (e.g. it was reset) gets a fresh registration.
      if ((err as { code?: string }).code === 'NOT_FOUND') {
        await store.registerNode(deps.registration()).catch(() => {});
      }
    }
  };

  const schedule = (): void => {
    timer = setTimeout(() => {
      inFlight = beat().finally(() => {
        inFlight = undefined;
        if (timer !== undefined) schedule();
      });
    }, deps.intervalMs);
    timer.unref();
  };

  return {
    async start() {
      const node = await store.registerNode(deps.registration());
      nodeId = node.id;
      await beat();
      schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await inFlight;
      if (nodeId !== '') {
        await store
          .deregisterNode(nodeId)
          .catch((err: unknown) => log.warn({ err }, 'could not mark this node down'));
      }
    },
    clockSkewMs: () => skew,
    storeReachable: () => lastError === '',
  };
}
