// Turns any error into the error shape of the surface that was called. Each surface owns its shape;
// this module only picks it by path, so no surface leaks another's format.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgentError, isAgentError } from '../errors.ts';
import { formatValidationError, isValidationFailure } from './validation-error.ts';

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
        state: err.code === 'CONFLICT' || err.code === 'READ_ONLY' ? 'REFUSED' : 'FAILED',
        message: err.message,
      };

export const isArthasPath = (url: string): boolean => url === '/api' || url.startsWith('/api?');

const SHAPES: Array<[(url: string) => boolean, ErrorShape]> = [
  [(url) => url.startsWith('/cloudtask/'), cloudtaskShape],
  [(url) => url.startsWith('/hazelcast/rest/'), seatunnelShape],
  [(url) => url.startsWith('/system-monitoring-information'), seatunnelShape],
  // SeaTunnel's v2 paths, without the v1 prefix.
  [
    (url) =>
      /^\/(running-jobs?|job-info|finished-jobs|submit-jobs?|stop-jobs?|encrypt-config|overview|update-tags|thread-dump|logs)(\/|\?|$)/.test(
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
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new AgentError('INVALID_INPUT', 'the request body must be a JSON object; it was empty');
  }
  const status = e.statusCode ?? 500;
  if (status === 413) return new AgentError('INVALID_INPUT', 'request body is too large');
  if (status === 415) {
    return new AgentError('INVALID_INPUT', `unsupported content type: ${e.message ?? ''}`);
  }
  if (status >= 400 && status < 500) {
    return new AgentError('INVALID_INPUT', e.message ?? 'bad request');
  }
  return new AgentError('INTERNAL', 'internal error; see the agent log', { cause: err });
}

export function replyError(
  request: FastifyRequest,
  reply: FastifyReply,
  err: unknown,
): FastifyReply {
  const agentErr = toAgentError(err);
  if (agentErr.code === 'INTERNAL') request.log.error({ err }, 'request failed');
  reply.header('cache-control', 'no-store');
  if (isArthasPath(request.url)) {
    if (agentErr.code === 'UNAUTHORIZED') {
      return reply.code(401).header('www-authenticate', 'Basic realm="bosun"').send();
    }
    reply.code(200);
  } else {
    reply.code(agentErr.status);
  }
  return reply
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(shapeFor(request.url)(agentErr)));
}
