// createAgent(config): wires the store, the monitor, the heartbeat and the HTTP app, starts them in
// order and stops them in reverse. No process.exit and no process.env here: main.ts owns those.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from './clock.ts';
import { createConsole } from './console/console-service.ts';
import { MISSED_HEARTBEATS } from './cluster/membership.ts';
import { createHeartbeat } from './cluster/heartbeat.ts';
import { loadNodeId } from './cluster/identity.ts';
import type { Config } from './config.ts';
import { maskUrl } from './mask-url.ts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createHttpApp, type HttpApp } from './http/app.ts';
import { createJobsEvents } from './jobs/events.ts';
import { createOperatorMetrics } from './metrics/operator-metrics.ts';
import { createJobsService } from './jobs/jobs-service.ts';
import { createNotifier } from './jobs/notifier.ts';
import { leaseTiming, reapEveryMs } from './jobs/lease-timing.ts';
import { createPackageStore } from './jobs/process/packages.ts';
import { openRunJournal } from './jobs/process/run-journal.ts';
import { createSpawnHelper } from './jobs/process/spawn-helper.ts';
import { createRunner } from './jobs/runner.ts';
import { createScheduler } from './jobs/scheduler.ts';
import { systemTimeZone } from './time/wall-time.ts';
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
  /** Every method and path pattern the HTTP app registered (empty before start). */
  routes(): ReadonlyArray<{ method: string; url: string }>;
  /**
   * A request handed to the HTTP app without a socket (Fastify's inject()): tests check routing,
   * validation and answer shapes without loopback TCP. The fast lane is not on this path.
   */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/** On shutdown, runs get this long after SIGTERM before SIGKILL. */
const SHUTDOWN_GRACE_MS = 10_000;
/** The environment of runs when the caller gives none. */
const MINIMAL_ENV = Object.freeze({
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
});

export function createAgent(
  config: Config,
  deps: {
    logger: Logger;
    version: string;
    webRoot?: string;
    /** The environment runs start from (main.ts passes the agent's own). */
    env?: Readonly<Record<string, string | undefined>>;
  },
): Agent {
  const { logger } = deps;
  // Teardown steps, run newest first (graphile-worker's releasers).
  const releasers: Array<() => Promise<void> | void> = [];
  let nodeId = '';
  let stopping: Promise<void> | undefined;
  let routes: () => ReadonlyArray<{ method: string; url: string }> = () => [];
  let inject: Agent['inject'] = () => Promise.reject(new Error('the agent is not started'));

  const usesPostgres = /^postgres(ql)?:\/\//i.test(config.store);
  // Runs, webhooks, pipelines and the store for /metrics (src/metrics/), counted from the start.
  const metrics = createOperatorMetrics();
  // Only the implementation in use is loaded: an embedded agent never loads pg.
  const openStore = async (): Promise<Store> =>
    usesPostgres
      ? (await import('./store/postgres/postgres-store.ts')).createPostgresStore({
          url: config.store,
          onOperation: metrics.storeOperation,
        })
      : (await import('./store/sqlite/sqlite-store.ts')).createSqliteStore({
          path: config.store,
          onOperation: metrics.storeOperation,
        });

  return {
    get nodeId() {
      return nodeId;
    },
    async start() {
      try {
        secureDataDir(config.dataDir, usesPostgres ? undefined : config.store, logger);
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

        const clock = systemClock;
        const events = createJobsEvents((err) =>
          logger.warn({ err }, 'a jobs event listener failed'),
        );
        const packages = createPackageStore(path.join(config.dataDir, 'packages'));
        const notifier = createNotifier({
          store,
          logger: logger.child({ module: 'webhooks' }),
          config: { pollMs: 5000, timeoutMs: 10_000, maxAttempts: 10 },
          onAttempt: metrics.webhookAttempt,
        });
        releasers.push(() => notifier.stop());
        const spawnHelper = createSpawnHelper({
          onUnavailable: (reason) =>
            logger.info({ module: 'runner' }, `runs are spawned by the agent itself: ${reason}`),
        });
        releasers.push(() => spawnHelper.close()); // after the runner has stopped every run
        const lease = leaseTiming(config.leaseMs);
        // Before any run starts: what the previous life of this agent left running is killed.
        const { journal, killed } = openRunJournal(path.join(config.dataDir, 'run-groups'));
        releasers.push(() => journal.close()); // after the runner has stopped every run
        for (const left of killed) {
          logger.warn(
            { module: 'runner', ...left },
            'killed a run left behind by the previous agent',
          );
        }
        const runner = createRunner({
          store: metrics.observeProgress(store),
          events,
          packages,
          logger: logger.child({ module: 'runner' }),
          clock,
          nodeId,
          workRoot: path.join(config.dataDir, 'work'),
          baseEnv: runEnv(deps.env),
          config: {
            slots: config.slots,
            logCapBytes: config.logCapBytes,
            lease,
          },
          onSlotFree: () => scheduler.poke(false),
          onRunEnded: () => {
            scheduler.poke(false);
            notifier.poke();
          },
          spawner: spawnHelper,
          journal,
        });
        releasers.push(() => runner.shutdown(SHUTDOWN_GRACE_MS));
        const scheduler = createScheduler({
          store,
          runner,
          events,
          logger: logger.child({ module: 'scheduler' }),
          clock,
          nodeId,
          get defaultTz() {
            return systemTimeZone(); // on first use (wall-time.ts)
          },
          config: {
            lookaheadMs: 1000,
            // Covers a late timer and a slow claim (p99 2-6 ms measured) many times over.
            claimAheadMs: 50,
            // Alone on its store, the agent hears of every change; in a cluster others add work too,
            // and the poll stands in for the changes it does not hear of (Store.watch).
            pollMs: store.capabilities.sharedByNodes ? 2000 : 60_000,
            notified: store.watch !== undefined,
            ...(store.capabilities.sharedByNodes
              ? { liveWithinMs: MISSED_HEARTBEATS * config.heartbeatMs }
              : {}),
            blockedMs: 1000,
            leaseMs: lease.leaseMs,
            // Once a lease on a store of its own, where no other node's run can expire.
            reapMs: reapEveryMs(lease, store.capabilities.sharedByNodes),
            pruneMs: 10 * 60_000,
            prune: {
              keepRuns: config.keepRuns,
              maxAgeMs: config.runMaxAgeMs,
              logBudgetBytes: config.logBudgetBytes,
            },
            catchupLimit: 100,
          },
        });
        const jobs = createJobsService({
          store,
          events,
          runner,
          packages,
          clock,
          get defaultTz() {
            return systemTimeZone(); // on first use (wall-time.ts)
          },
          poke: () => scheduler.poke(),
        });

        const consoleCore = createConsole({
          deps: {
            monitor,
            jobs,
            config,
            runtime,
            logger: logger.child({ module: 'console' }),
            version: deps.version,
            nodeId,
            startedAt: Date.now(),
            dumpDir: path.join(config.dataDir, 'dumps'),
            env: deps.env ?? {},
          },
          settings: {
            consumerCapacity: config.consoleBuffer,
            batchSize: config.consoleBatchSize,
            batchWindowMs: config.consoleBatchWindowMs,
            emptyWaitMs: config.consolePullWaitMs,
            consumerTtlMs: config.consoleConsumerTtlMs,
            sessionTtlMs: config.consoleSessionTtlMs,
            execTimeoutMs: config.consoleExecTimeoutMs,
            jobTimeoutMs: config.consoleJobTimeoutMs,
          },
          registry: async () =>
            (await import('./console/commands/index.ts')).createCommandRegistry(),
        });
        releasers.push(
          metrics.attach({
            events,
            store,
            nodeId,
            heartbeatMs: config.heartbeatMs,
            sessions: () => consoleCore.sessions(),
          }),
        );

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
            slots: config.slots,
            // Unset: the labels stored for this node (update-tags) stay.
            ...(config.labels === undefined ? {} : { labels: { ...config.labels } }),
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
          storeReachable: () => heartbeat.storeReachable(),
          jobs,
          jobsEvents: events,
          get defaultTz() {
            return systemTimeZone(); // on first use (wall-time.ts)
          },
          console: consoleCore,
          dumpDir: path.join(config.dataDir, 'dumps'),
          operatorMetrics: metrics,
        });
        routes = http.routes;
        inject = (options) => http.app.inject(options);
        releasers.push(() => http.app.close());
        // Arthas's paths on a port of their own (http/arthas-listener.ts), under the same rules and
        // over the same console; loaded only when asked for. Closed after the console core, whose
        // closing ends its terminals' sessions with a last message.
        const arthas =
          config.arthasPort === undefined
            ? undefined
            : await (
                await import('./http/arthas-listener.ts')
              ).createArthasListener({
                config,
                logger,
                console: consoleCore,
                rules: http.rules,
                dumpDir: path.join(config.dataDir, 'dumps'),
              });
        if (arthas !== undefined) releasers.push(() => arthas.close());
        // Before the server closes: sessions hear the agent is stopping and their pulls return.
        releasers.push(() => consoleCore.close());
        await http.app.listen({ host: config.bind, port: config.port });
        const address = http.app.server.address();
        port = typeof address === 'object' && address !== null ? address.port : config.port;
        const host = config.bind.includes(':') ? `[${config.bind}]` : config.bind;
        const url = `http://${host}:${port}`;
        const arthasUrl =
          arthas === undefined ? undefined : await arthas.listen(config.arthasPort ?? 0);

        await heartbeat.start();
        releasers.push(() => heartbeat.stop());

        await scheduler.start();
        releasers.push(() => scheduler.stop());
        // After start(): a change heard before recovery must not start a pass. What changed in
        // between is not lost: a watcher hears "everything" each time its connection is up.
        const unwatch = store.watch?.({
          onChange: (change) => scheduler.poke(change.jobs),
          onStatus: ({ listening, error }) =>
            listening
              ? logger.info({ module: 'scheduler' }, "listening for other nodes' changes")
              : logger.warn(
                  { module: 'scheduler', err: error },
                  "cannot listen for other nodes' changes; polling the store until it can again",
                ),
        });
        if (unwatch !== undefined) releasers.push(unwatch);

        logger.info(
          {
            url,
            nodeId,
            interval: config.intervalMs,
            auth: config.token !== undefined,
            ...(arthasUrl === undefined ? {} : { arthasUrl }),
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
    routes: () => routes(),
    inject: (options) => inject(options),
  };
}

/**
 * The environment a run starts from: the agent's own, without the agent's settings (BOSUN_*), its
 * Node options, and the tuning main.ts set for the agent alone (runtime-tuning.ts names it in
 * BOSUN_LAUNCHER_ENV). The tuning's V8 flag is on node's command line, which runs never see.
 */
export function runEnv(
  env: Readonly<Record<string, string | undefined>> | undefined,
): Record<string, string> {
  if (env === undefined) return { ...MINIMAL_ENV };
  const launcherSet = new Set(env.BOSUN_LAUNCHER_ENV?.split(' '));
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || key.startsWith('BOSUN_') || key === 'NODE_OPTIONS') continue;
    if (!launcherSet.has(key)) out[key] = value;
  }
  return out;
}

/**
 * The data dir and the agent's files in it readable by the agent's user alone: the store holds job env,
 * webhook secrets and Jdbc passwords, a heap dump every secret in memory. Looser modes left by an older
 * version or a copy are tightened and logged. A shared sticky dir (/tmp) is not the agent's to
 * tighten: only a warning then.
 */
function secureDataDir(dataDir: string, sqliteFile: string | undefined, logger: Logger): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tightened: string[] = [];
  const tighten = (file: string, mode: number) => {
    let was: number;
    try {
      was = statSync(file).mode & 0o7777;
    } catch {
      return; // not there (yet)
    }
    if ((was & 0o077) === 0) return;
    try {
      chmodSync(file, mode);
      tightened.push(`${file} (was ${was.toString(8)}, now ${mode.toString(8)})`);
    } catch (err) {
      logger.warn({ err, file }, `cannot make ${file} private to the agent's user`);
    }
  };
  if ((statSync(dataDir).mode & 0o1000) !== 0) {
    logger.warn(
      { dataDir },
      `data dir ${dataDir} is a shared sticky directory: give --data-dir a directory of its own`,
    );
  } else {
    tighten(dataDir, 0o700);
    for (const dir of ['dumps', 'packages', 'work']) tighten(path.join(dataDir, dir), 0o700);
  }
  const withJournal = (db: string) => [db, `${db}-wal`, `${db}-shm`];
  for (const file of [
    path.join(dataDir, 'node-id'),
    ...withJournal(path.join(dataDir, 'bosun.db')),
    ...(sqliteFile === undefined ? [] : withJournal(sqliteFile)),
  ]) {
    tighten(file, 0o600);
  }
  if (tightened.length > 0) {
    logger.warn({ files: tightened }, "tightened permissions: readable by the agent's user alone");
  }
}

/** The secret the auth cookie is derived from; kept in the store so cookies survive restarts and work on every node. */
async function loadCookieSecret(store: Store): Promise<string> {
  // In a cluster another node may win the race; every node then uses the winner's secret.
  return store.setSettingIfAbsent('cookie_secret', randomBytes(32).toString('base64url'));
}
