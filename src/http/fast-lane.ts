// A direct node:http path for the monitoring reads that scrapers, probes and dashboards poll, and for
// the console's `POST /api`, which scripts call in loops.
//
// Why by hand: Fastify's per-request machinery (Request and Reply objects, hook runners, the route's
// promise) is most of the cost of a small GET on one core: bare node:http answers the same bytes
// ~1.5× as fast (docs/performance.md); without this lane the agent missed its target of 0.8× bare on
// /healthz and the snapshot (0.62–0.64×). These reads take no body, no query string and no
// validation, so their happy path is answered here. The lane has no rule of its own: it asks the
// same request rules as Fastify's onRequest hook (request-rules.ts: URL, site guard, credentials,
// read-only) and adds the same headers, and its routes are the Fastify routes' own functions.
// Everything the rules refuse, and HEAD, a query string, no sample yet, shutting down or any error,
// falls through to the same route in Fastify, which answers it in its surface's shape. A POST route
// answers every outcome itself (once its body is read there is no going back), so only a surface
// whose errors are answers in its own shape, like Arthas's, belongs here.
//
// Answers are written together at the end of the event loop's poll phase rather than one by one.
// A client waiting on another core is woken by the first answer that reaches it; answered one at a
// time, a client that keeps up goes back to sleep between answers and every answer pays for a
// cross-core wake-up in the sender's write, which in a VM is an interrupt through the hypervisor:
// about a fifth of a request's time here (docs/performance.md). Written together, the answers of a
// loop iteration wake a waiting client once.
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import type { RequestRules, RouteRules } from './request-rules.ts';

export interface LaneAnswer {
  headers: OutgoingHttpHeaders;
  body: Buffer | string;
}

/** Builds a 200 answer from the request's headers, or returns undefined to let Fastify answer. */
export type LaneRoute = (headers: IncomingHttpHeaders) => LaneAnswer | undefined;

export interface FastLaneOptions {
  /** The rules Fastify's onRequest hook applies: a request they refuse is left to Fastify. */
  rules: Pick<RequestRules, 'refusal' | 'headers'>;
}

/** Answers a POST from its whole body as text; it must answer every outcome itself. */
export type LanePostRoute = (body: string) => Promise<LaneAnswer>;

export interface FastLane {
  /** `config`: the same object as the Fastify route's `config`, which the rules read. */
  get(path: string, config: RouteRules, route: LaneRoute): void;
  /** A POST answered here when its body has a declared length up to `bodyLimit`. */
  post(path: string, bodyLimit: number, config: RouteRules, route: LanePostRoute): void;
  /** Answers the request and returns true, or returns false to hand it to Fastify. */
  serve(request: IncomingMessage, response: ServerResponse): boolean;
  /** Hands everything to Fastify from now on (it answers 503 while closing). */
  close(): void;
}

export function createFastLane(options: FastLaneOptions): FastLane {
  const { rules } = options;
  const routes = new Map<string, { config: RouteRules; route: LaneRoute }>();
  const posts = new Map<string, { bodyLimit: number; config: RouteRules; route: LanePostRoute }>();
  let open = true;
  /** Answers ready in this loop iteration, written by one setImmediate (see the head comment). */
  let ready: Array<[ServerResponse, LaneAnswer, OutgoingHttpHeaders]> = [];
  const flush = () => {
    const batch = ready;
    ready = [];
    for (const [response, answer, common] of batch) {
      try {
        write(response, answer, common);
      } catch {
        response.destroy(); // a bug's last resort, which must not cost the rest of the batch
      }
    }
  };

  return {
    get(path, config, route) {
      routes.set(path, { config, route });
    },

    post(path, bodyLimit, config, route) {
      posts.set(path, { bodyLimit, config, route });
    },

    serve(request, response) {
      if (!open) return false;
      if (request.method === 'POST') return servePost(request, response);
      if (request.method !== 'GET') return false;
      const get = routes.get(request.url ?? '');
      if (get === undefined || !admits(request, get.config)) return false;
      let answer: LaneAnswer | undefined;
      try {
        answer = get.route(request.headers);
      } catch {
        return false; // Fastify runs the route again and answers the error in its surface's shape.
      }
      if (answer === undefined) return false;
      queue(response, answer, rules.headers('GET', get.config));
      return true;
    },

    close() {
      open = false;
    },
  };

  function admits(request: IncomingMessage, config: RouteRules): boolean {
    const view = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
    };
    return rules.refusal(view, config) === undefined;
  }

  function queue(response: ServerResponse, answer: LaneAnswer, common: OutgoingHttpHeaders): void {
    if (ready.push([response, answer, common]) === 1) setImmediate(flush);
  }

  function write(response: ServerResponse, answer: LaneAnswer, common: OutgoingHttpHeaders): void {
    if (response.destroyed) return; // the client went away while the answer waited
    const length =
      typeof answer.body === 'string' ? Buffer.byteLength(answer.body) : answer.body.length;
    response
      .writeHead(200, { ...common, ...answer.headers, 'content-length': length })
      .end(answer.body);
  }

  // Once the body is read the request cannot go back to Fastify, so everything that Fastify
  // would refuse (no or too large a length, chunked bodies, what the rules refuse) goes there first.
  function servePost(request: IncomingMessage, response: ServerResponse): boolean {
    const post = posts.get(request.url ?? '');
    if (post === undefined) return false;
    const declared = request.headers['content-length'];
    if (declared === undefined || request.headers['transfer-encoding'] !== undefined) return false;
    const length = Number(declared);
    if (!(length <= post.bodyLimit) || !admits(request, post.config)) return false;
    // One 'readable' listener and read() rather than 'data' and 'end': no resume() tick, and a body
    // that came with its headers is answered in the first callback.
    const chunks: Buffer[] = [];
    let read = false;
    request.on('readable', () => {
      let chunk: Buffer | null;
      while ((chunk = request.read() as Buffer | null) !== null) chunks.push(chunk);
      if (!request.complete || read) return;
      read = true;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      post.route(body.toString()).then(
        (answer) => queue(response, answer, rules.headers('POST', post.config)),
        () => response.destroy(), // the route answers its own errors; this is a bug's last resort
      );
    });
    return true;
  }
}
