// Turns anything thrown into an AgentError and answers it in the shape of a surface. Which surface:
// the route's own context (surface-plugin.ts) for errors raised on a route, and surfaces.ts's table
// by path for what fails before any route is found.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AgentError, isAgentError } from '../errors.ts';
import type { RenderError } from './error-answer.ts';
import { surfaceOf } from './surfaces.ts';
import { formatValidationError, isValidationFailure } from './validation-error.ts';

// Not imported as an ES namespace: that would load undici (see app.ts).
const { STATUS_CODES } = process.getBuiltinModule('node:http');

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

/** Answers `err` with `render`, the shape of the surface the request belongs to. */
export function replyError(
  render: RenderError,
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
  const { status, headers, body } = render(agentErr);
  reply.code(status).headers(headers);
  return body === undefined ? reply.send() : reply.send(body);
}

export type ErrorHandler = (
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) => void;

/** A Fastify error handler that answers in one surface's shape. */
export function errorHandlerOf(render: RenderError): ErrorHandler {
  return (err, request, reply) => {
    replyError(render, request, reply, err);
  };
}

/** The error handler for what fails before a route is found: the shape the path's surface has. */
export const errorHandlerByPath: ErrorHandler = (err, request, reply) => {
  replyError(surfaceOf(request.url).renderError, request, reply, err);
};

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

/**
 * An error as raw HTTP/1.1 text that closes the connection, for answers written to a socket, in
 * the shape of the surface `url` belongs to.
 */
export function rawAnswer(method: string, url: string, err: AgentError): string {
  const { status, headers, body = '' } = surfaceOf(url).renderError(err);
  const head = Object.entries({
    'content-type': 'application/json; charset=utf-8',
    ...headers,
    date: new Date().toUTCString(),
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  // An answer to HEAD has the headers of the answer to GET and no body.
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${method === 'HEAD' ? '' : body}`;
}
