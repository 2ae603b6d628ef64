// One HTTP server as both of the agent's ports run it (app.ts, and the Arthas listener): node:http
// with the fast lane in front, the timeouts that bound a slow client, malformed requests and
// CONNECT answered in their surface's shape, every JSON body parsed under the nesting limit, the
// request rules on every route, errors before routing shaped by path, and a shutdown that refuses
// new requests in their surface's shape and cuts connections nobody finishes reading.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AgentError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { parseJson } from '../parse-json.ts';
import { createFastLane, type FastLane } from './fast-lane.ts';
import { lazyCompilers } from './lazy-compilers.ts';
import { clientErrorAnswer, errorHandlerByPath, rawAnswer } from './reply-error.ts';
import type { RequestRules } from './request-rules.ts';
import { AJV_OPTIONS } from './validation-error.ts';

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

export interface Server {
  app: FastifyInstance;
  /** The hot routes' way around Fastify's per-request cost, under the same rules (fast-lane.ts). */
  lane: FastLane;
}

export async function createServer(deps: {
  logger: Logger;
  /** The `module` of its log lines. */
  module: string;
  rules: RequestRules;
}): Promise<Server> {
  const { rules } = deps;
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
    loggerInstance: deps.logger.child({ module: deps.module }) as FastifyBaseLogger,
    // Per-request log lines would cost more than the requests themselves; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify would otherwise make a pino child logger for every request (bindings serialised,
    // redaction set up) even with request logging off: ~20 % of a small request's cost.
    childLoggerFactory: (logger) => logger,
    bodyLimit: 1 << 20,
    // The rules refuse requests during a shutdown, in their surface's shape (Fastify's own 503
    // is in none).
    return503OnClosing: false,
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
  // First of all, on every route: the URL, the site, credentials and --read-only.
  app.addHook('onRequest', rules.onRequest);

  let closeIdle: NodeJS.Timeout | undefined;
  let closeAll: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    // From now on every request is refused (503, in its surface's shape); the lane hands them all
    // to Fastify, whose hook says so.
    rules.close();
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
  app.addHook('onClose', async () => {
    clearInterval(closeIdle);
    clearTimeout(closeAll);
  });
  return { app, lane };
}
