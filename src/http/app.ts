// The one Fastify app on the one port: the request rules first (request-rules.ts), then every
// surface (surfaces.ts) in a context of its own that answers errors in its shape, each translating
// to and from the same core services.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
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
import { createFastLane } from './fast-lane.ts';
import { lazyCompilers } from './lazy-compilers.ts';
import { clientErrorAnswer, errorHandlerByPath, rawAnswer } from './reply-error.ts';
import { createRequestRules, type RequestRules } from './request-rules.ts';
import { createRouteMethods } from './route-methods.ts';
import { createSiteGuard } from './site-guard.ts';
import { media, ref } from './route-schema.ts';
import { registerSurface } from './surface-plugin.ts';
import { ARTHAS, CLOUDTASK, DASHBOARD, METRICS, NATIVE, SEATUNNEL, VMINFO } from './surfaces.ts';
import { parseJson } from '../parse-json.ts';
import { AJV_OPTIONS } from './validation-error.ts';
import { createSnapshotHub, type SnapshotHub } from './stream.ts';
import { registerWebRoutes } from './web.ts';

// Not `import http from 'node:http'`: building an ES module namespace reads every export, and
// node:http's lazy WebSocket, CloseEvent and MessageEvent getters would load undici, ~3 MiB of
// the idle agent's RSS, although nothing here uses it (src/agent.test.ts).
const http = process.getBuiltinModule('node:http');

/** How long a client may take to send its request headers. */
const HEADERS_TIMEOUT_MS = 10_000;
/** How long a connection refused as malformed keeps reading what its client still sends. */
const LINGER_MS = 5_000;
/** How long a client may take to send its whole request; a package upload must fit in it. */
const REQUEST_TIMEOUT_MS = 120_000;
/** How long a shutdown waits for answers still being sent before it cuts their connections. */
const CLOSE_GRACE_MS = 5_000;

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
  // The hot reads' way around Fastify's per-request cost, under the same rules (fast-lane.ts).
  const lane = createFastLane({ rules });
  /** Connections already answered as malformed, lingering until their client stops sending. */
  const refused = new WeakSet<object>();
  const app = Fastify({
    serverFactory: (handler) => {
      const server = http.createServer(
        // How often request and header timeouts are checked (Node's default is 30 s).
        { connectionsCheckingInterval: 2_000 },
        (request, response) => {
          if (!lane.serve(request, response)) handler(request, response);
        },
      );
      // Nothing here is a proxy: a CONNECT gets a 405 in its surface's shape, not a dropped socket.
      server.on('connect', (request: IncomingMessage, socket: Duplex) => {
        const notAProxy = new AgentError(
          'METHOD_NOT_ALLOWED',
          'CONNECT is not allowed: this is not a proxy',
        );
        socket.end(rawAnswer('CONNECT', request.url ?? '/', notAProxy));
      });
      server.keepAliveTimeout = 72_000;
      // A client has this long to send its headers, and its whole request (body included):
      // a trickled request (slowloris) cannot hold a connection longer.
      server.headersTimeout = HEADERS_TIMEOUT_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      server.setTimeout(0);
      return server;
    },
    // Typed as Fastify's logger interface so the app stays FastifyInstance with default generics.
    loggerInstance: deps.logger.child({ module: 'http' }) as FastifyBaseLogger,
    // Per-request log lines would cost more than the requests themselves; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify would otherwise make a pino child logger for every request (bindings serialised,
    // redaction set up) even with request logging off: ~20 % of a small request's cost.
    childLoggerFactory: (logger) => logger,
    bodyLimit: 1 << 20,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Unknown body fields are errors, not silently dropped (see validation-error.ts).
    ajv: AJV_OPTIONS,
    schemaController: { compilersFactory: lazyCompilers },
    // A URL Fastify cannot route (bad percent-encoding, a parameter too long) is answered in the
    // shape of the surface it names, like every other error.
    frameworkErrors: errorHandlerByPath,
    // So are requests node:http cannot parse: too long a URL, too large headers, a timeout.
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed || refused.has(socket)) return;
      // A route already answering on this connection keeps it (Node's own handler does the same).
      if ((socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
        return socket.destroy();
      }
      refused.add(socket);
      // A lingering close: the answer goes out, and what the client is still sending (a body)
      // is read and dropped (not by the failed HTTP parser, which would fail again): closing
      // on unread bytes resets the connection, and the client would lose the answer. A client
      // that never stops sending is cut off.
      socket.removeAllListeners('data');
      socket.on('data', () => undefined).resume();
      socket.end(clientErrorAnswer(err));
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    },
  });
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
  // Every JSON body, on every surface, is refused when nested deeper than any request needs.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') {
      const empty = 'the request body must be a JSON object; it was empty';
      return done(new AgentError('INVALID_INPUT', empty), undefined);
    }
    try {
      done(null, parseJson(body as string));
    } catch (err) {
      done(
        new AgentError('INVALID_INPUT', `the body is not valid JSON: ${(err as Error).message}`),
        undefined,
      );
    }
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  // What fails before a route is found (no route, a wrong method, a rule refusing an unknown path)
  // is answered in the shape of the surface whose path it names (surfaces.ts); a surface's routes
  // answer in theirs (surface-plugin.ts).
  app.setErrorHandler(errorHandlerByPath);
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

  // First of all, on every route: the URL, the site, credentials and --read-only.
  app.addHook('onRequest', rules.onRequest);
  app.addHook('preClose', (done) => {
    // Fastify answers 503 from now on; the lane hands it everything.
    lane.close();
    // node:http closes the connections that are idle when it closes, and then waits for the rest:
    // a keep-alive connection whose request was still in flight (a console long-poll) would hold
    // the shutdown for keepAliveTimeout. Each is closed as soon as its answer is out.
    closeIdle = setInterval(() => app.server.closeIdleConnections(), 50).unref();
    // A client that stopped reading an answer mid-body keeps its connection busy for good: past the
    // grace, whatever is still open is cut, or it would hold the shutdown for keepAliveTimeout.
    closeAll = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS).unref();
    done();
  });
  let closeIdle: NodeJS.Timeout | undefined;
  let closeAll: NodeJS.Timeout | undefined;
  app.addHook('onClose', async () => {
    clearInterval(closeIdle);
    clearTimeout(closeAll);
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
