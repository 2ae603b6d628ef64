// A direct node:http path for the monitoring reads that scrapers, probes and dashboards poll.
//
// Why by hand: Fastify's per-request machinery (Request and Reply objects, hook runners, the route's
// promise) is most of the cost of a small GET on one core: bare node:http answers the same bytes
// ~1.5× as fast (docs/performance.md). These reads take no body, no query string and no validation,
// so their happy path is answered here. Everything else (HEAD, a query string, no sample yet, missing
// credentials, shutting down, any error) falls through to the same route in Fastify, which stays the
// one place for errors, auth failures and the OpenAPI document.
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';

export interface LaneAnswer {
  headers: OutgoingHttpHeaders;
  body: Buffer | string;
}

/** Builds a 200 answer from the request's headers, or returns undefined to let Fastify answer. */
export type LaneRoute = (headers: IncomingHttpHeaders) => LaneAnswer | undefined;

export interface FastLaneOptions {
  /** Whether the request may be served without Fastify (its credentials pass). */
  admits(request: IncomingMessage): boolean;
  /** Headers every answer carries, as Fastify's hooks would add them. */
  headers?: OutgoingHttpHeaders;
}

export interface FastLane {
  get(path: string, route: LaneRoute): void;
  /** Answers the request and returns true, or returns false to hand it to Fastify. */
  serve(request: IncomingMessage, response: ServerResponse): boolean;
  /** Hands everything to Fastify from now on (it answers 503 while closing). */
  close(): void;
}

export function createFastLane(options: FastLaneOptions): FastLane {
  const routes = new Map<string, LaneRoute>();
  const common = options.headers ?? {};
  let open = true;

  return {
    get(path, route) {
      routes.set(path, route);
    },

    serve(request, response) {
      if (!open || request.method !== 'GET') return false;
      const route = routes.get(request.url ?? '');
      if (route === undefined || !options.admits(request)) return false;
      let answer: LaneAnswer | undefined;
      try {
        answer = route(request.headers);
      } catch {
        return false; // Fastify runs the route again and answers the error in its surface's shape.
      }
      if (answer === undefined) return false;
      const length =
        typeof answer.body === 'string' ? Buffer.byteLength(answer.body) : answer.body.length;
      response
        .writeHead(200, { ...common, ...answer.headers, 'content-length': length })
        .end(answer.body);
      return true;
    },

    close() {
      open = false;
    },
  };
}
