// createAgent(config): wires the store, the monitor, the heartbeat and the HTTP app, starts them in
// order and stops them in reverse. No process.exit and no process.env here: main.ts owns those.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createHeartbeat } from './cluster/heartbeat.ts';
import { loadNodeId } from './cluster/identity.ts';
import type { Config } from './config.ts';
import { maskUrl } from './mask-url.ts';
import { createHttpApp, type HttpApp } from './http/app.ts';
import type { Logger } from './logger.ts';
import { createMonitor } from './monitor/collector.ts';
import type { Monitor } from './monitor/monitor.ts';
import { createRuntimeStats, type RuntimeStatsSource } from './monitor/runtime-stats.ts';
import type { Store } from './store/store.ts';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));

export interface Agent {
  /** Starts everything; resolves with the URL the agent listens on. */
  start(): Promise<string>;
  /** Stops everything in reverse order; safe to call twice. */
  stop(): Promise<void>;
  readonly nodeId: string;
}

export function createAgent(
  config: Config,
  deps: { logger: Logger; version: string; webRoot?: string },
): Agent {
  const { logger } = deps;
  // Teardown steps, run newest first (graphile-worker's releasers).
  const releasers: Array<() => Promise<void> | void> = [];
  let nodeId = '';
  let stopping: Promise<void> | undefined;

  // Only the implementation in use is loaded: an embedded agent never loads pg.
  const openStore = async (): Promise<Store> =>
    /^postgres(ql)?:\/\//i.test(config.store)
      ? (await import('./store/postgres/postgres-store.ts')).createPostgresStore({
          url: config.store,
        })
      : (await import('./store/sqlite/sqlite-store.ts')).createSqliteStore({ path: config.store });

  return {
    get nodeId() {
      return nodeId;
    },
    async start() {
      try {
        mkdirSync(config.dataDir, { recursive: true });
        nodeId = loadNodeId(config.dataDir);

        const store = await openStore();
        releasers.push(() => store.close());
        await store.migrate();
        logger.info(
          {
            store: maskUrl(config.store),
            kind: store.capabilities.kind,
            schema: await store.schemaVersion(),
          },
          'store ready',
        );
        const cookieSecret = await loadCookieSecret(store);

        const monitor: Monitor = createMonitor({
          intervalMs: config.intervalMs,
          logger: logger.child({ module: 'monitor' }),
          version: deps.version,
          thresholds: config.health,
        });
        releasers.push(() => monitor.stop());
        await monitor.start();

        const runtime: RuntimeStatsSource = createRuntimeStats();
        releasers.push(() => runtime.close());

        let port = config.port;
        const heartbeat = createHeartbeat({
          store,
          monitor,
          logger,
          intervalMs: config.heartbeatMs,
          registration: () => ({
            id: nodeId,
            hostname: os.hostname(),
            address: `${config.bind}:${port}`,
            version: deps.version,
            pid: process.pid,
            labels: {},
          }),
        });
        const http: HttpApp = await createHttpApp({
          config,
          logger,
          monitor,
          store,
          runtime,
          nodeId,
          version: deps.version,
          cookieSecret,
          webRoot: deps.webRoot ?? DEFAULT_WEB_ROOT,
          clockSkewMs: () => heartbeat.clockSkewMs(),
        });
        releasers.push(() => http.app.close());
        await http.app.listen({ host: config.bind, port: config.port });
        const address = http.app.server.address();
        port = typeof address === 'object' && address !== null ? address.port : config.port;
        const host = config.bind.includes(':') ? `[${config.bind}]` : config.bind;
        const url = `http://${host}:${port}`;

        await heartbeat.start();
        releasers.push(() => heartbeat.stop());

        logger.info(
          {
            url,
            nodeId,
            interval: config.intervalMs,
            auth: config.token !== undefined,
            readOnly: config.readOnly,
          },
          'bosun listening',
        );
        return url;
      } catch (err) {
        await this.stop();
        throw err;
      }
    },
    stop() {
      stopping ??= (async () => {
        let first: unknown;
        for (const release of releasers.reverse()) {
          try {
            await release();
          } catch (err) {
            first ??= err;
            logger.warn({ err }, 'error while stopping');
          }
        }
        releasers.length = 0;
        if (first !== undefined) throw first;
      })();
      return stopping;
    },
  };
}

/** The secret the auth cookie is derived from; kept in the store so cookies survive restarts and work on every node. */
async function loadCookieSecret(store: Store): Promise<string> {
  // In a cluster another node may win the race; every node then uses the winner's secret.
  return store.setSettingIfAbsent('cookie_secret', randomBytes(32).toString('base64url'));
}
