// Arthas's console API (specs/arthas.md): POST /api with a JSON body naming an action; HTTP 200 with
// `state` for every outcome, Arthas's exact messages, `requestId` echoed, null fields left out and
// `body` keys in alphabetical order (Arthas writes a TreeMap). Only translation lives here; the
// sessions, consumers and jobs are the console core's.
import { parseJson } from '../../parse-json.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AgentError, isAgentError } from '../../errors.ts';
import { MAX_TIMER_MS } from '../../long-timeout.ts';
import { TIMEOUT_MESSAGE } from '../../console/console-job.ts';
import type { Console } from '../../console/console-service.ts';
import { CommandFailure } from '../../console/model.ts';
import type { FastLane } from '../fast-lane.ts';
import type { RouteRules } from '../request-rules.ts';
import { notEnforced, obj, ref, str } from '../route-schema.ts';
import { arthasShape } from './arthas-errors.ts';

/** Arthas clients send a command line and a few ids; a larger body is a mistake or an attack. */
const MAX_BODY_BYTES = 256 * 1024;
/** Read by the request rules on both ways in (fast lane and Fastify): this route refuses writes itself. */
const ROUTE_RULES: RouteRules = { checksReadOnly: true };
const ACTIONS = new Set([
  'EXEC',
  'ASYNC_EXEC',
  'INTERRUPT_JOB',
  'PULL_RESULTS',
  'INIT_SESSION',
  'JOIN_SESSION',
  'CLOSE_SESSION',
  'SESSION_INFO',
]);

type Json = Record<string, unknown>;

/** Every answer of POST /api, whatever its outcome (a shared schema: the `ArthasAnswer` component). */
export const ARTHAS_ANSWER_SCHEMA = {
  $id: 'ArthasAnswer',
  description: 'Every outcome, with its state: HTTP 200 also for FAILED and REFUSED, as Arthas',
  ...obj(
    {
      state: { enum: ['SCHEDULED', 'SUCCEEDED', 'INTERRUPTED', 'FAILED', 'REFUSED'] },
      message: str,
      requestId: str,
      sessionId: str,
      consumerId: str,
      body: {
        type: 'object',
        description: 'keys in alphabetical order: command, jobId, jobStatus, results, timeExpired…',
      },
    },
    ['message', 'requestId', 'sessionId', 'consumerId', 'body'],
  ),
};

const UNAUTHORIZED = {
  description: 'Missing or wrong credentials: an empty body and a Basic challenge',
  type: 'null',
};

/** POST /api. The body is read by the handler, with Arthas's messages: documented, not enforced. */
const API_SCHEMA = {
  summary:
    "Arthas's console API: exec, async_exec, pull_results, interrupt_job, init_session, join_session, close_session, session_info (docs/console.md)",
  tags: ['console'],
  body: notEnforced(
    obj(
      {
        action: { type: 'string', description: 'in any case' },
        requestId: str,
        sessionId: str,
        consumerId: str,
        command: str,
        execTimeout: { type: ['integer', 'string'], description: 'ms; 0 or less: the default' },
        jobId: { type: ['integer', 'string'] },
      },
      ['requestId', 'sessionId', 'consumerId', 'command', 'execTimeout', 'jobId'],
    ),
  ),
  responses: { 200: ref('ArthasAnswer'), 401: UNAUTHORIZED },
};

const REFUSAL_SCHEMA = {
  summary: "Refused in Arthas's shape (state REFUSED): the console API takes POST only",
  tags: ['console'],
  responses: { 200: ref('ArthasAnswer'), 401: UNAUTHORIZED },
};

export async function registerArthasRoutes(
  app: FastifyInstance,
  deps: { console: Console; readOnly: boolean; lane: FastLane },
): Promise<void> {
  const { console: core } = deps;

  /** One request, start to end: every outcome is an answer in Arthas's shape. */
  const handle = async (body: unknown): Promise<Json> => {
    const parsed = parseBody(body);
    if (typeof parsed === 'string') {
      return { state: 'FAILED', message: `Process request error: parse request failed: ${parsed}` };
    }
    const requestId = text(parsed.requestId);
    const withId = (out: Json): Json => (requestId === undefined ? out : { ...out, requestId });
    try {
      return withId(await dispatch(parsed));
    } catch (err) {
      const agentErr = isAgentError(err)
        ? err
        : new AgentError('INTERNAL', `process http api request failed: ${(err as Error).message}`);
      return withId(arthasShape(agentErr));
    }
  };

  deps.lane.post('/api', MAX_BODY_BYTES, ROUTE_RULES, async (body) => ({
    headers: JSON_HEADERS,
    body: JSON.stringify(await handle(body)),
  }));

  await app.register(async (scope) => {
    // The body is parsed here, not by Fastify, to answer bad JSON with Arthas's own messages.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
      (_request, body, done) => done(null, body),
    );

    // OPTIONS too, as Arthas refuses every method but POST (in its shape: 200, REFUSED); unlisted,
    // it got the app's 405 saying "use GET" for a path that takes POST.
    scope.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: '/api',
      bodyLimit: MAX_BODY_BYTES,
      config: ROUTE_RULES,
      schema: REFUSAL_SCHEMA,
      handler: async (request) => {
        throw new AgentError('METHOD_NOT_ALLOWED', `Unsupported http method: ${request.method}`);
      },
    });

    const options = { bodyLimit: MAX_BODY_BYTES, config: ROUTE_RULES, schema: API_SCHEMA };
    scope.post('/api', options, async (request, reply) => send(reply, await handle(request.body)));
  });

  async function dispatch(request: Json): Promise<Json> {
    const rawAction = text(request.action);
    if (rawAction === undefined) throw failed("'action' is required");
    const action = rawAction.trim().toUpperCase();
    if (!ACTIONS.has(action)) throw failed(`unknown action: ${rawAction}`);
    const sessionId = text(request.sessionId);
    const needSession = (): string => {
      if (sessionId === undefined) throw failed("'sessionId' is required");
      return sessionId;
    };
    // Arthas looks the session up before it dispatches, so every action answers an unknown one alike.
    if (sessionId !== undefined && action !== 'INIT_SESSION') core.sessionInfo(sessionId);

    switch (action) {
      case 'INIT_SESSION':
        return { state: 'SUCCEEDED', ...core.initSession() };
      case 'JOIN_SESSION':
        return { state: 'SUCCEEDED', ...core.joinSession(needSession()) };
      case 'CLOSE_SESSION':
        core.closeSession(needSession());
        return { state: 'SUCCEEDED' };
      case 'SESSION_INFO':
        return {
          state: 'SUCCEEDED',
          sessionId: needSession(),
          body: sorted(core.sessionInfo(needSession())),
        };
      case 'PULL_RESULTS': {
        const id = needSession();
        const consumerId = text(request.consumerId);
        if (consumerId === undefined) throw failed("'consumerId' is required");
        const results = await core.pull(id, consumerId);
        return { state: 'SUCCEEDED', sessionId: id, consumerId, body: { results } };
      }
      case 'INTERRUPT_JOB': {
        const jobId = optionalInt(request.jobId, 'jobId');
        return { state: 'SUCCEEDED', body: sorted(core.interrupt(needSession(), jobId)) };
      }
      case 'EXEC':
        return exec(request, sessionId);
      default:
        return asyncExec(request, needSession());
    }
  }

  /**
   * Arthas looks a command up before it makes a job: an unknown one is FAILED, `Exec command failed:`
   * (or `Async exec command failed:`) and `<name>: command not found`, not a job with a status.
   */
  async function notFound(
    command: string,
    sessionId: string | undefined,
    prefix: string,
  ): Promise<Json | undefined> {
    const name = await core.unknownCommand(command, sessionId);
    if (name === undefined) return undefined;
    const message = `${prefix}${name}: command not found`;
    if (prefix.startsWith('Async') && sessionId !== undefined) {
      core.commandFailed(sessionId, command, message);
    }
    // As Arthas: the session (when there is one) and the command come back with the failure.
    return {
      state: 'FAILED',
      message,
      ...(sessionId === undefined ? {} : { sessionId }),
      body: { command },
    };
  }

  async function exec(request: Json, sessionId: string | undefined): Promise<Json> {
    const command = requireCommand(request);
    if (deps.readOnly) return readOnlyRefusal(command, sessionId);
    const unknown = await notFound(command, sessionId, 'Exec command failed:');
    if (unknown !== undefined) return unknown;
    return execKnown(request, command, sessionId);
  }

  async function asyncExec(request: Json, sessionId: string): Promise<Json> {
    const command = requireCommand(request);
    if (deps.readOnly) return readOnlyRefusal(command, sessionId);
    const unknown = await notFound(command, sessionId, 'Async exec command failed:');
    if (unknown !== undefined) return unknown;
    try {
      const job = core.asyncExec(sessionId, command);
      return { state: 'SCHEDULED', sessionId, body: sorted({ command, ...job }) };
    } catch (err) {
      return refusalOrThrow(err, command, sessionId, 'Async exec command failed:');
    }
  }

  async function execKnown(
    request: Json,
    command: string,
    sessionId: string | undefined,
  ): Promise<Json> {
    const timeoutMs = execTimeoutMs(request.execTimeout);
    try {
      const result = await core.exec(command, { sessionId, timeoutMs });
      const { state } = result;
      // Keys in Arthas's alphabetical order, written as literals (sorting them per request was ~4 % of
      // a one-time exec's cost); JSON.stringify leaves the undefined ones out.
      return {
        state,
        message: state === 'INTERRUPTED' ? TIMEOUT_MESSAGE : undefined,
        sessionId: result.sessionId,
        body: {
          command: result.command,
          jobId: result.jobId,
          jobStatus: result.jobStatus,
          results: result.results,
          timeExpired: result.timeExpired,
          timeout: result.timeout,
        },
      };
    } catch (err) {
      return refusalOrThrow(err, command, sessionId, 'Exec command failed:');
    }
  }
}

/** REFUSED answers carry the session and the command (Arthas); failures get Arthas's prefix. */
function refusalOrThrow(
  err: unknown,
  command: string,
  sessionId: string | undefined,
  prefix: string,
): Json {
  if (isAgentError(err) && err.code === 'CONFLICT') {
    return {
      state: 'REFUSED',
      message: err.message,
      ...(sessionId === undefined ? {} : { sessionId }),
      body: { command },
    };
  }
  if (err instanceof CommandFailure) throw failed(`${prefix}${err.message}`);
  throw err;
}

function readOnlyRefusal(command: string, sessionId: string | undefined): Json {
  return {
    state: 'REFUSED',
    message: 'this agent is read-only (--read-only): console commands are refused',
    ...(sessionId === undefined ? {} : { sessionId }),
    body: { command },
  };
}

const JSON_HEADERS = {
  'cache-control': 'no-store',
  'content-type': 'application/json; charset=utf-8',
};

function send(reply: FastifyReply, out: Json): FastifyReply {
  return reply.headers(JSON_HEADERS).send(JSON.stringify(out));
}

function parseBody(body: unknown): Json | string {
  if (typeof body !== 'string' || body.trim() === '') return 'request body is empty';
  let parsed: unknown;
  try {
    parsed = parseJson(body);
  } catch (err) {
    return (err as Error).message;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return 'request body must be a JSON object, e.g. {"action":"exec","command":"version"}';
  }
  return parsed as Json;
}

/** A string field; "" counts as absent (Arthas's own web UI sends "" for fields it does not use). */
function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optionalInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw failed(`'${name}' must be a whole number, e.g. 10000; got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * `execTimeout` in ms: undefined for the default (Arthas: absent, null or ≤ 0). Bounded by what a
 * timer can wait: past 2^31−1 ms Node fires it at once, which would end the exec as it starts.
 */
function execTimeoutMs(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n > MAX_TIMER_MS) {
    throw failed(
      `'execTimeout' must be a whole number of milliseconds up to ${MAX_TIMER_MS} (about 24.8 days; 0 or less means the default), e.g. 10000; got ${JSON.stringify(value)}`,
    );
  }
  return n > 0 ? n : undefined;
}

function requireCommand(request: Json): string {
  const command = text(request.command);
  if (command === undefined || command.trim() === '') throw failed("'command' is required");
  return command;
}

function failed(message: string): AgentError {
  return new AgentError('INVALID_INPUT', message);
}

function sorted(body: object): Json {
  return Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
