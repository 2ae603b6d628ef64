// The one Fastify app on the one port: the request rules first (request-rules.ts), then every
// surface (surfaces.ts) in a context of its own that answers errors in its shape, each translating
// to and from the same core services.
import type { FastifyInstance } from 'fastify';
import { createMembership } from '../cluster/membership.ts';
import type { Config } from '../config.ts';
import { AgentError } from '../errors.ts';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { RuntimeStatsSource } from '../monitor/runtime-stats.ts';
import type { Store } from '../store/store.ts';
import { createAuth } from './auth.ts';
import type { Console } from '../console/console-service.ts';
import type { JobsEvents } from '../jobs/events.ts';
import type { JobsService } from '../jobs/jobs-service.ts';
import { ARTHAS_ANSWER_SCHEMA, registerArthasRoutes } from './compat/arthas.ts';
import { CLOUDTASK_ERROR_SCHEMA } from './compat/cloudtask-errors.ts';
import { registerCloudtaskRoutes } from './compat/cloudtask.ts';
import { SEATUNNEL_ERROR_SCHEMA } from './compat/seatunnel-errors.ts';
import { SEATUNNEL_SCHEMAS } from './compat/seatunnel-schemas.ts';
import { registerSeatunnelJobRoutes } from './compat/seatunnel-jobs.ts';
import { registerSeatunnelMonitoring } from './compat/seatunnel-monitoring.ts';
import { MONITORING_SCHEMAS } from './compat/vminfo-schemas.ts';
import { registerVminfoRoutes } from './compat/vminfo.ts';
import { NATIVE_ERROR_SCHEMA } from './native/error-shape.ts';
import { registerEventRoutes } from './native/events.ts';
import { registerHistoryRoutes } from './native/history.ts';
import { registerJobRoutes } from './native/jobs.ts';
import { registerNodeRoutes } from './native/nodes.ts';
import { registerSessionRoutes } from './native/sessions.ts';
import { createOpenApi } from './openapi.ts';
import { createRequestRules, type RequestRules } from './request-rules.ts';
import { createRouteMethods } from './route-methods.ts';
import { createServer } from './server.ts';
import { createSiteGuard } from './site-guard.ts';
import { media, ref } from './route-schema.ts';
import { registerSurface } from './surface-plugin.ts';
import { ARTHAS, CLOUDTASK, DASHBOARD, METRICS, NATIVE, SEATUNNEL, VMINFO } from './surfaces.ts';
import { createSnapshotHub, type SnapshotHub } from './stream.ts';
import { registerWebRoutes } from './web.ts';
import type { OperatorMetrics } from '../metrics/operator-metrics.ts';

const METRICS_SCHEMA = {
  summary: "Prometheus exposition: node_exporter's host series and the agent's bosun_ series",
  tags: ['metrics'],
  responses: {
    200: media('text/plain', 'Prometheus text format 0.0.4'),
    401: ref('Error'),
  },
};

export interface HttpDeps {
  config: Config;
  logger: Logger;
  monitor: Monitor;
  store: Store;
  runtime: RuntimeStatsSource;
  nodeId: string;
  version: string;
  cookieSecret: string;
  webRoot: string;
  clockSkewMs: () => number;
  /** Whether this node's last heartbeat reached the store. */
  storeReachable: () => boolean;
  jobs: JobsService;
  jobsEvents: JobsEvents;
  console: Console;
  /** Where console heap snapshots and CPU profiles are written. */
  dumpDir: string;
  /** The zone of schedules that name none. */
  defaultTz: string;
  /** @default 1024 */
  maxWsClients?: number;
  /** The agent's runs, webhooks, pipelines … for /metrics (src/metrics/). */
  operatorMetrics?: OperatorMetrics;
}

export interface HttpApp {
  app: FastifyInstance;
  hub: SnapshotHub;
  /** Every method and path pattern registered. */
  routes(): ReadonlyArray<{ method: string; url: string }>;
  /** The rules every request meets (URL, site guard, auth, read-only); the Arthas listener runs them too. */
  rules: RequestRules;
}

export async function createHttpApp(deps: HttpDeps): Promise<HttpApp> {
  const rules = createRequestRules({
    guard: createSiteGuard(deps.config),
    auth: createAuth({ token: deps.config.token, cookieSecret: deps.cookieSecret }),
    readOnly: deps.config.readOnly,
  });
  const { app, lane } = await createServer({ logger: deps.logger, module: 'http', rules });
  // OpenAPI: records every route's schema as it is registered, so this must precede all routes.
  const openapi = createOpenApi(deps.version);
  app.addHook('onRoute', openapi.onRoute);
  // Schemas more than one surface's routes name (components of the OpenAPI document); added
  // before the surfaces' contexts, which see the schemas their parent had when they were made.
  for (const schema of [
    NATIVE_ERROR_SCHEMA,
    SEATUNNEL_ERROR_SCHEMA,
    CLOUDTASK_ERROR_SCHEMA,
    ARTHAS_ANSWER_SCHEMA,
    ...MONITORING_SCHEMAS,
    ...SEATUNNEL_SCHEMAS,
  ]) {
    app.addSchema(schema);
  }
  const methods = createRouteMethods();
  app.addHook('onRoute', methods.onRoute);
  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split('?', 1)[0] ?? '/';
    const allowed = methods.allowed(pathname);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      throw new AgentError(
        'METHOD_NOT_ALLOWED',
        `${request.method} is not allowed on ${pathname}; use ${allowed.join(', ')}`,
      );
    }
    throw new AgentError('NOT_FOUND', `no route ${request.method} ${pathname}; see docs/api.md`);
  });

  const hub = createSnapshotHub({
    monitor: deps.monitor,
    logger: deps.logger,
    maxClients: deps.maxWsClients ?? 1024,
  });

  // Who is in the cluster, judged from the heartbeats in the store; stateless, so built here.
  const membership = createMembership({ store: deps.store, heartbeatMs: deps.config.heartbeatMs });
  // Each surface in a context of its own, with its error shape (surface-plugin.ts).
  await registerSurface(app, VMINFO, (scope) =>
    registerVminfoRoutes(scope, {
      monitor: deps.monitor,
      hub,
      lane,
      storeReachable: deps.storeReachable,
    }),
  );
  await registerSurface(app, NATIVE, async (scope) => {
    registerHistoryRoutes(scope, { monitor: deps.monitor, intervalMs: deps.config.intervalMs });
    registerNodeRoutes(scope, { membership, monitor: deps.monitor, nodeId: deps.nodeId });
    registerJobRoutes(scope, deps); // deps.defaultTz is read when a job is shown
    registerEventRoutes(scope, { events: deps.jobsEvents, jobs: deps.jobs });
    registerSessionRoutes(scope, { console: deps.console, dumpDir: deps.dumpDir });
  });
  await registerSurface(app, SEATUNNEL, async (scope) => {
    registerSeatunnelMonitoring(scope, {
      monitor: deps.monitor,
      membership,
      runtime: deps.runtime,
      nodeId: deps.nodeId,
      self: () => {
        const address = app.server.address();
        return typeof address === 'object' && address !== null
          ? { host: address.address, port: address.port }
          : { host: deps.config.bind, port: deps.config.port };
      },
      clockSkewMs: deps.clockSkewMs,
      openConnections: () => openConnections,
    });
    await registerSeatunnelJobRoutes(scope, {
      jobs: deps.jobs,
      membership,
      nodeId: deps.nodeId,
    });
  });
  await registerSurface(app, ARTHAS, (scope) =>
    registerArthasRoutes(scope, { console: deps.console, readOnly: deps.config.readOnly, lane }),
  );
  await registerSurface(app, CLOUDTASK, (scope) =>
    registerCloudtaskRoutes(scope, {
      jobs: deps.jobs,
      store: deps.store,
      config: deps.config,
      nodeId: deps.nodeId,
      version: deps.version,
      startedAt: Date.now(),
      apiAddress: () => {
        const address = app.server.address();
        return typeof address === 'object' && address !== null
          ? `${address.address}:${address.port}`
          : `${deps.config.bind}:${deps.config.port}`;
      },
    }),
  );
  // prom-client is loaded on the first scrape: an agent nobody scrapes never pays for it.
  let registry: Promise<Registry> | undefined;
  await registerSurface(app, METRICS, (scope) =>
    scope.get('/metrics', { schema: METRICS_SCHEMA }, async (_request, reply) => {
      registry ??= import('./metrics.ts').then((m) =>
        m.createMetricsRegistry({
          monitor: deps.monitor,
          version: deps.version,
          nodeId: deps.nodeId,
          runtime: deps.runtime,
          wsClients: hub.size,
          ...(deps.operatorMetrics === undefined ? {} : { operator: deps.operatorMetrics }),
        }),
      );
      const r = await registry;
      return reply
        .header('cache-control', 'no-store')
        .type(r.contentType)
        .send(await r.metrics());
    }),
  );
  // The OpenAPI document is the native API's.
  await registerSurface(app, NATIVE, (scope) => openapi.register(scope));
  await registerSurface(app, DASHBOARD, (scope) => registerWebRoutes(scope, deps.webRoot));

  let openConnections = 0;
  app.server.on('connection', (socket) => {
    openConnections += 1;
    socket.once('close', () => {
      openConnections -= 1;
    });
  });
  app.addHook('onClose', async () => hub.close());
  return { app, hub, rules, routes: methods.routes };
}
