// Turns any error into the error shape of the surface that was called. Each surface owns its shape;
// this module only picks it by path, so no surface leaks another's format.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgentError, isAgentError } from '../errors.ts';
import { formatValidationError, isValidationFailure } from './validation-error.ts';

// Not imported as an ES namespace: that would load undici (see app.ts).
const { STATUS_CODES } = process.getBuiltinModule('node:http');

export type ErrorShape = (err: AgentError) => unknown;

/** bosun's native and vminfo surfaces: {"error":{"code","message"}}. */
export const nativeShape: ErrorShape = (err) => ({
  error: { code: err.code, message: err.message },
});

/** Apache SeaTunnel: {"status":"fail","message"}. */
export const seatunnelShape: ErrorShape = (err) => ({ status: 'fail', message: err.message });

/** Cloudtask: {content, error}, with Cloudtask's own kind of content line. */
export const cloudtaskShape: ErrorShape = (err) => ({
  content:
    err.status === 404 ? 'not found.' : err.status < 500 ? 'request invalid.' : 'request failed.',
  error: err.message,
});

/**
 * Arthas's console API (POST /api): HTTP 200 with `state` for everything but failed auth, which is a
 * 401 with an empty body and a Basic challenge (specs/arthas.md §1.1, §3).
 */
export const arthasShape: ErrorShape = (err) =>
  err.code === 'UNAUTHORIZED'
    ? undefined
    : {
        state: REFUSALS.has(err.code) ? 'REFUSED' : 'FAILED',
        message: err.message,
      };
const REFUSALS = new Set(['CONFLICT', 'READ_ONLY', 'FORBIDDEN', 'METHOD_NOT_ALLOWED']);

export const isArthasPath = (url: string): boolean => url === '/api' || url.startsWith('/api?');

const SHAPES: Array<[(url: string) => boolean, ErrorShape]> = [
  [(url) => url.startsWith('/cloudtask/'), cloudtaskShape],
  [(url) => url.startsWith('/hazelcast/rest/'), seatunnelShape],
  [(url) => url.startsWith('/system-monitoring-information'), seatunnelShape],
  // SeaTunnel's v2 paths, without the v1 prefix.
  [
    (url) =>
      /^\/(running-jobs?|running-threads|job-info|finished-jobs|submit-jobs?|stop-jobs?|encrypt-config|overview|update-tags|thread-dump|logs)(\/|\?|$)/.test(
        url,
      ),
    seatunnelShape,
  ],
  [isArthasPath, arthasShape],
];

export function shapeFor(url: string): ErrorShape {
  return SHAPES.find(([match]) => match(url))?.[1] ?? nativeShape;
}

/** Maps Fastify's own errors (bad JSON, body too large, ...) and anything else to an AgentError. */
export function toAgentError(err: unknown): AgentError {
  if (isAgentError(err)) return err;
  // Schema validation (ajv): name the field and the fix rather than ajv's wording.
  if (isValidationFailure(err)) return formatValidationError(err);
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_ERR_BAD_URL') {
    return new AgentError('INVALID_INPUT', `${e.message ?? 'bad URL'}: percent-encode the path`);
  }
  const status = e.statusCode ?? 500;
  if (status === 413) {
    return new AgentError(
      'PAYLOAD_TOO_LARGE',
      'the request body is larger than this route accepts',
    );
  }
  if (status === 414) return new AgentError('URI_TOO_LONG', 'the URL is too long');
  if (status === 415) {
    return new AgentError(
      'UNSUPPORTED_MEDIA_TYPE',
      'this route does not take a body of that content type; send application/json',
    );
  }
  if (status >= 400 && status < 500) {
    return new AgentError('INVALID_INPUT', e.message ?? 'bad request');
  }
  return new AgentError('INTERNAL', 'internal error; see the agent log', { cause: err });
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or undefined for an empty body. */
  body: string | undefined;
}

/** The status, headers and body an error gets on the surface that `url` belongs to. */
export function renderError(url: string, err: AgentError): RenderedError {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (isArthasPath(url)) {
    // Arthas answers everything with 200 and a state, except failed auth (an empty 401); a
    // cross-site refusal is a 403 too, so that no browser mistakes it for an answer.
    if (err.code === 'UNAUTHORIZED') {
      return {
        status: 401,
        headers: { ...headers, 'www-authenticate': 'Basic realm="bosun"' },
        body: undefined,
      };
    }
    const body = JSON.stringify(arthasShape(err));
    return { status: err.code === 'FORBIDDEN' ? 403 : 200, headers, body };
  }
  return { status: err.status, headers, body: JSON.stringify(shapeFor(url)(err)) };
}

export function replyError(
  request: FastifyRequest,
  reply: FastifyReply,
  err: unknown,
): FastifyReply {
  let agentErr = toAgentError(err);
  if (agentErr.code === 'INTERNAL') request.log.error({ err }, 'request failed');
  // Fastify's own 413 does not say the limit; the route's is the one it applied.
  const limit = request.routeOptions.bodyLimit;
  if (!isAgentError(err) && agentErr.code === 'PAYLOAD_TOO_LARGE' && limit !== undefined) {
    agentErr = new AgentError(agentErr.code, `${agentErr.message}: at most ${limit} bytes`);
  }
  const { status, headers, body } = renderError(request.url, agentErr);
  reply.code(status).headers(headers);
  if (body === undefined) return reply.send();
  return reply.type('application/json; charset=utf-8').send(body);
}

/**
 * The raw answer to a request that node:http could not parse (a request line or headers too
 * large, malformed HTTP, a request not received in time), in the shape of the surface its request
 * line names.
 */
export function clientErrorAnswer(err: Error & { code?: string; rawPacket?: unknown }): string {
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString('latin1', 0, 16_384) : '';
  // The chunk being parsed: the request line only when it is the first one.
  const line = /^([A-Z]+) (\S+)/.exec(raw);
  const method = line?.[1] ?? 'GET';
  const url = line?.[2] ?? '/';
  let agentErr: AgentError;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    agentErr = new AgentError('REQUEST_TIMEOUT', 'the request was not received in time');
  } else if (err.code === 'HPE_HEADER_OVERFLOW' && line !== null && !raw.includes('\r\n')) {
    agentErr = new AgentError(
      'URI_TOO_LONG',
      'the URL is too long (at most 16 KiB with the headers)',
    );
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    agentErr = new AgentError(
      'HEADERS_TOO_LARGE',
      'the request headers are too large (at most 16 KiB together)',
    );
  } else {
    agentErr = new AgentError(
      'INVALID_INPUT',
      `malformed HTTP request (${err.code ?? err.message})`,
    );
  }
  return rawAnswer(method, url, agentErr);
}

/** An error as raw HTTP/1.1 text that closes the connection, for answers written to a socket. */
export function rawAnswer(method: string, url: string, err: AgentError): string {
  const { status, headers, body = '' } = renderError(url, err);
  const head = Object.entries({
    ...headers,
    date: new Date().toUTCString(),
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  // An answer to HEAD has the headers of the answer to GET and no body.
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${method === 'HEAD' ? '' : body}`;
}
