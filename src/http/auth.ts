// Token authentication for every surface (DESIGN.md, Security): Bearer, Basic password, ?token= and a
// session cookie set on a page visit. Without a token (loopback only) everything is open.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback } from '../config.ts';
import { AgentError } from '../errors.ts';

export const COOKIE_NAME = 'bosun_session';
const PUBLIC_PATHS = new Set(['/healthz', '/readyz']);
const FAILURE_WINDOW_MS = 60_000;
const MAX_FAILURES = 10;
const MAX_TRACKED_CLIENTS = 10_000;

export interface AuthOptions {
  token: string | undefined;
  /** Secret for deriving the cookie value, so the cookie never holds the token itself. */
  cookieSecret: string;
  now?: () => number;
}

export interface Auth {
  readonly enabled: boolean;
  /**
   * Whether a request may pass: a public path, or valid credentials (always true without a token).
   * `query` is the parsed query string, where there is one.
   */
  admits(pathname: string, headers: IncomingHttpHeaders, query?: unknown): boolean;
  /**
   * The answer to a request that `admits` refused: too many failures from its address, a page for
   * a browser, or else the UNAUTHORIZED error thrown for its surface to render.
   */
  refuse(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** For an admitted request: a page visit with ?token= trades it for a cookie. */
  admitted(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined;
}

/** Constant-time string comparison: hash both sides so lengths never leak through timing either. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function createAuth(opts: AuthOptions): Auth {
  const token = opts.token;
  const now = opts.now ?? Date.now;
  const cookieValue =
    token === undefined
      ? ''
      : createHmac('sha256', opts.cookieSecret).update(token).digest('base64url');
  const failures = new Map<string, { count: number; since: number }>();

  const check = (headers: IncomingHttpHeaders, query: unknown): boolean => {
    if (token === undefined) return true;
    const given = credentialsOf(headers, query);
    if (given.token !== undefined && safeEqual(given.token, token)) return true;
    return given.cookie !== undefined && safeEqual(given.cookie, cookieValue);
  };

  const tooManyFailures = (ip: string): boolean => {
    const entry = failures.get(ip);
    return (
      entry !== undefined && now() - entry.since < FAILURE_WINDOW_MS && entry.count >= MAX_FAILURES
    );
  };

  const recordFailure = (ip: string): void => {
    const t = now();
    const entry = failures.get(ip);
    if (entry === undefined || t - entry.since >= FAILURE_WINDOW_MS) {
      // Bounded: under a flood of distinct addresses, forget the oldest entries first.
      if (failures.size >= MAX_TRACKED_CLIENTS) {
        failures.delete(failures.keys().next().value as string);
      }
      failures.set(ip, { count: 1, since: t });
    } else {
      entry.count += 1;
    }
  };

  const refuse = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    // Valid credentials always pass (admits): the throttle only slows down guessing, and on
    // loopback or behind a proxy every client shares one address.
    if (tooManyFailures(request.ip)) {
      throw new AgentError(
        'TOO_MANY_REQUESTS',
        'too many failed logins; wait a minute and try again',
      );
    }
    recordFailure(request.ip);
    return unauthorized(request, reply);
  };

  const admitted = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    if (token === undefined) return undefined;
    const query = request.query as Record<string, unknown> | undefined;
    // A page visit with ?token=: trade the token for a cookie and take it out of the address bar.
    if (typeof query?.token === 'string' && request.method === 'GET' && wantsHtml(request)) {
      // X-Forwarded-Proto is believed only from a proxy on this machine; anyone else could say it.
      const secure =
        request.protocol === 'https' ||
        (isLoopback(request.socket.remoteAddress ?? '') &&
          request.headers['x-forwarded-proto'] === 'https');
      reply.header(
        'set-cookie',
        `${COOKIE_NAME}=${cookieValue}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
      );
      return reply.redirect(stripToken(request.url), 302);
    }
    return undefined;
  };

  return {
    enabled: token !== undefined,
    admits: (pathname, headers, query) => PUBLIC_PATHS.has(pathname) || check(headers, query),
    refuse,
    admitted,
  };
}

function credentialsOf(
  headers: IncomingHttpHeaders,
  query: unknown,
): { token?: string; cookie?: string } {
  const out: { token?: string; cookie?: string } = {};
  const header = headers.authorization;
  if (header !== undefined) {
    const [scheme, value = ''] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer') out.token = value.trim();
    else if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      // Arthas clients send user:password; the password is the token, the user name is ignored.
      out.token = colon === -1 ? decoded : decoded.slice(colon + 1);
    }
  }
  // ?token= on a page visit; ?password= (any username) is how Arthas clients put credentials in a URL.
  const params = query as Record<string, unknown> | undefined;
  const fromQuery = params?.token ?? params?.password;
  if (out.token === undefined && typeof fromQuery === 'string') out.token = fromQuery;
  const cookie = headers.cookie;
  if (cookie !== undefined) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim() === COOKIE_NAME) {
        out.cookie = part.slice(eq + 1).trim();
      }
    }
  }
  return out;
}

function wantsHtml(request: FastifyRequest): boolean {
  const pathname = request.url.split('?', 1)[0] ?? '/';
  return (
    pathname === '/' ||
    pathname.endsWith('.html') ||
    (request.headers.accept ?? '').includes('text/html')
  );
}

function stripToken(url: string): string {
  const parsed = new URL(url, 'http://x');
  parsed.searchParams.delete('token');
  return parsed.pathname + parsed.search;
}

function unauthorized(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('www-authenticate', 'Bearer realm="bosun"');
  if (wantsHtml(request) && !request.url.startsWith('/api')) {
    return reply
      .code(401)
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><meta charset="utf-8"><title>bosun: token required</title>' +
          '<body style="font-family:system-ui;margin:3rem"><h1>This agent needs a token</h1>' +
          '<p>Open <code>/?token=YOUR_TOKEN</code> once; a cookie keeps you signed in.</p></body>',
      );
  }
  throw new AgentError(
    'UNAUTHORIZED',
    'missing or invalid token: send "Authorization: Bearer <token>" or open /?token=<token>',
  );
}
