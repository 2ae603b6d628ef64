// The rules every request meets before its route runs, written once and applied by both ways in:
// Fastify's onRequest hook and the fast lane (fast-lane.ts). In order: a URL too long to have a use,
// the cross-site guard (site-guard.ts), credentials (auth.ts), then --read-only. A refusal is an
// AgentError that the request's surface renders in its own shape.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify';
import { AgentError } from '../errors.ts';
import type { Auth } from './auth.ts';
import type { SiteGuard } from './site-guard.ts';

/** The longest URL answered; a longer one gets a 414 in its surface's shape. */
export const MAX_URL_BYTES = 8192;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route refuses changes itself in --read-only mode (a POST surface that also reads). */
    checksReadOnly?: boolean;
    /** The route opens an event stream: a foreign page may not subscribe even with GET. */
    subscription?: boolean;
  }
}

/** What a route declares about itself that the rules read: its Fastify `config`. */
export type RouteRules = Pick<FastifyContextConfig, 'checksReadOnly' | 'subscription'>;

export interface RequestView {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed query string, where there is one (credentials may be in it). */
  query?: unknown;
}

export interface RequestRules {
  /** Why the request is refused before its route runs, or undefined to let it through. */
  refusal(request: RequestView, route: RouteRules): AgentError | undefined;
  /** Headers the answer to an admitted request carries. */
  headers(method: string, route: RouteRules): Readonly<Record<string, string>>;
  /** The same rules as Fastify's onRequest hook, with auth's throttle and cookie on top. */
  onRequest(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  /** From now on every request is refused: the agent is shutting down. */
  close(): void;
}

const NONE: Readonly<Record<string, string>> = Object.freeze({});
// Lets the dashboard hide what would be refused.
const READ_ONLY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-bosun-read-only': 'true',
});

const isRead = (method: string): boolean =>
  method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

export function createRequestRules(deps: {
  guard: SiteGuard;
  auth: Auth;
  readOnly: boolean;
}): RequestRules {
  const { guard, auth, readOnly } = deps;
  let closing = false;

  const refusal = (request: RequestView, route: RouteRules): AgentError | undefined => {
    if (closing) {
      return new AgentError(
        'SHUTTING_DOWN',
        'the agent is shutting down; send this again once it is back, or to another node',
      );
    }
    const { method, url, headers } = request;
    // node:http refuses only a whole head over 16 KiB, when the request line may no longer be
    // there to say which surface it was for.
    if (url.length > MAX_URL_BYTES) {
      return new AgentError('URI_TOO_LONG', `the URL is longer than ${MAX_URL_BYTES} bytes`);
    }
    const subscribes = headers.upgrade !== undefined || route.subscription === true;
    const why = guard.refusal(method, headers, subscribes);
    if (why !== undefined) return new AgentError('FORBIDDEN', why);
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    if (auth.enabled && !auth.admits(pathname, headers, request.query)) {
      return new AgentError('UNAUTHORIZED', 'missing or invalid token');
    }
    // A surface whose POSTs include reads (the console's pull_results) refuses writes itself.
    if (readOnly && route.checksReadOnly !== true && !isRead(method)) {
      return new AgentError(
        'READ_ONLY',
        `this agent is read-only (--read-only): ${method} ${pathname} is refused`,
      );
    }
    return undefined;
  };

  const headers = (method: string, route: RouteRules): Readonly<Record<string, string>> =>
    readOnly && route.checksReadOnly !== true && isRead(method) ? READ_ONLY_HEADERS : NONE;

  return {
    refusal,
    headers,
    async onRequest(request, reply) {
      const route = request.routeOptions.config;
      const refused = refusal(request, route);
      // Failed credentials get auth's answer: its throttle, a page for a browser, or its 401.
      if (refused?.code === 'UNAUTHORIZED') return auth.refuse(request, reply);
      // A stopping server keeps no connection open for a next request.
      if (refused?.code === 'SHUTTING_DOWN') reply.header('connection', 'close');
      if (refused !== undefined) throw refused;
      reply.headers(headers(request.method, route));
      return auth.admitted(request, reply);
    },
    close() {
      closing = true;
    },
  };
}
