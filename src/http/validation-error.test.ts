// formatValidationError through a real Fastify app with the agent's ajv options: each kind of
// message, unknown fields rejected (not dropped), query strings still coerced, never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { toAgentError } from './reply-error.ts';
import { AJV_OPTIONS, levenshtein, suggest, toFieldPath } from './validation-error.ts';

const jobBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'cmd'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 8, pattern: '^[a-z-]+$' },
    cmd: { type: 'string' },
    timeoutSec: { type: 'integer', minimum: 0, maximum: 86400 },
    overlap: { enum: ['allow', 'forbid', 'queue', 'replace'] },
    at: { type: 'string', format: 'date-time' },
    env: { type: 'object', additionalProperties: { type: 'string' } },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxAttempts: { type: 'integer', minimum: 1 },
        backoffSec: { type: 'integer' },
        maxBackoffSec: { type: 'integer' },
      },
    },
    schedules: {
      type: 'array',
      maxItems: 2,
      items: {
        type: 'object',
        discriminator: { propertyName: 'kind' },
        required: ['kind'],
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'expr'],
            properties: { kind: { const: 'cron' }, expr: { type: 'string', minLength: 9 } },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'everySec'],
            properties: { kind: { const: 'every' }, everySec: { type: 'integer', minimum: 1 } },
          },
        ],
      },
    },
  },
} as const;

let app: FastifyInstance;
describe('validation-error', () => {
  before(async () => {
    app = Fastify({ ajv: AJV_OPTIONS });
    app.setErrorHandler((err, _request, reply) => {
      const e = toAgentError(err);
      return reply.code(e.status).send({ error: { code: e.code, message: e.message } });
    });
    app.post('/jobs', { schema: { body: jobBody } }, async (request) => ({ got: request.body }));
    app.get(
      '/runs',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['jobId'],
            properties: {
              jobId: { type: 'string' },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
              state: { enum: ['queued', 'running'] },
            },
          },
        },
      },
      async (request) => ({ query: request.query }),
    );
    app.get(
      '/runs/:id',
      {
        schema: {
          params: { type: 'object', properties: { id: { type: 'string', pattern: '^\\d+$' } } },
        },
      },
      async (request) => request.params,
    );
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  async function post(body: unknown, contentType = 'application/json') {
    const res = await app.inject({
      method: 'POST',
      url: '/jobs',
      headers: { 'content-type': contentType },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      json: res.json() as { error: { code: string; message: string } },
    };
  }

  async function bodyError(body: unknown): Promise<string> {
    const res = await post(body);
    assert.equal(res.status, 400, JSON.stringify(res.json));
    assert.equal(res.json.error.code, 'INVALID_INPUT');
    return res.json.error.message;
  }

  async function queryError(url: string): Promise<string> {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 400, res.body);
    return (res.json() as { error: { message: string } }).error.message;
  }

  const valid = { name: 'backup', cmd: 'true' };

  describe('formatValidationError', () => {
    it('rejects an unknown field instead of dropping it, and suggests the near name', async () => {
      assert.equal(
        await bodyError({ ...valid, retry: { maxAtempts: 3 } }),
        'unknown field "retry.maxAtempts"; did you mean "maxAttempts"?',
      );
      assert.equal(
        await bodyError({ ...valid, TimeoutSec: 3 }),
        'unknown field "TimeoutSec"; did you mean "timeoutSec"?',
      );
    });

    it('lists the allowed fields when no known name is near', async () => {
      assert.equal(
        await bodyError({ ...valid, retry: { frobnicate: true } }),
        'unknown field "retry.frobnicate"; allowed: maxAttempts, backoffSec, maxBackoffSec',
      );
    });

    it('names a missing required field', async () => {
      assert.equal(await bodyError({ name: 'backup' }), 'missing field "cmd" (required)');
    });

    it('names the expected and the actual type', async () => {
      assert.equal(
        await bodyError({ ...valid, timeoutSec: 'soon' }),
        'field "timeoutSec" must be an integer, got string',
      );
      assert.equal(
        await bodyError({ ...valid, env: { A: { x: 1 } } }),
        'field "env.A" must be a string, got object',
      );
    });

    it('lists the allowed values of an enum', async () => {
      assert.equal(
        await bodyError({ ...valid, overlap: 'sometimes' }),
        'field "overlap" must be one of allow, forbid, queue, replace; got "sometimes"',
      );
    });

    it('names the limit of minimum, maximum, lengths, pattern and format', async () => {
      assert.equal(
        await bodyError({ ...valid, timeoutSec: -1 }),
        'field "timeoutSec" must be >= 0, got -1',
      );
      assert.equal(
        await bodyError({ ...valid, timeoutSec: 90000 }),
        'field "timeoutSec" must be <= 86400, got 90000',
      );
      assert.equal(
        await bodyError({ ...valid, name: '' }),
        'field "name" must be at least 1 character long, got ""',
      );
      assert.equal(
        await bodyError({ ...valid, name: 'abcdefghijk' }),
        'field "name" must be at most 8 characters long',
      );
      assert.equal(
        await bodyError({ ...valid, name: 'Back Up' }),
        'field "name" must match the pattern ^[a-z-]+$, got "Back Up"',
      );
      assert.equal(
        await bodyError({ ...valid, at: 'tomorrow' }),
        'field "at" must be a valid date-time, got "tomorrow"',
      );
    });

    it('writes array positions as [i] and reports inside a tagged union', async () => {
      assert.equal(
        await bodyError({
          ...valid,
          schedules: [
            { kind: 'every', everySec: 5 },
            { kind: 'cron', expr: '* *' },
          ],
        }),
        'field "schedules[1].expr" must be at least 9 characters long, got "* *"',
      );
      assert.equal(
        await bodyError({ ...valid, schedules: [{ kind: 'hourly' }] }),
        'field "schedules[0].kind" must be one of cron, every; got "hourly"',
      );
      assert.equal(
        await bodyError({ ...valid, schedules: [{ kind: 'cron', expr: '* * * * *', tz: 'UTC' }] }),
        'unknown field "schedules[0].tz"; allowed: kind, expr',
      );
      assert.equal(
        await bodyError({ ...valid, schedules: [{}, {}, {}] }),
        'field "schedules" must have at most 2 items',
      );
    });

    it('says the body must be a JSON object when it is not one', async () => {
      assert.equal(await bodyError([1, 2]), 'the request body must be a JSON object');
      assert.equal(await bodyError('null'), 'the request body must be a JSON object');
      const res = await app.inject({ method: 'POST', url: '/jobs' });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /the request body must be a JSON object/);
    });

    it('prefixes query string problems with "query parameter"', async () => {
      assert.equal(
        await queryError('/runs?jobId=1&limit=many'),
        'query parameter "limit" must be an integer, got string',
      );
      assert.equal(
        await queryError('/runs?jobId=1&limit=0'),
        'query parameter "limit" must be >= 1, got 0',
      );
      assert.equal(await queryError('/runs'), 'missing query parameter "jobId" (required)');
      assert.equal(
        await queryError('/runs?jobId=1&limt=5'),
        'unknown query parameter "limt"; did you mean "limit"?',
      );
      assert.equal(
        await queryError('/runs?jobId=1&state=done'),
        'query parameter "state" must be one of queued, running; got "done"',
      );
      assert.equal(
        await queryError('/runs/abc'),
        'path parameter "id" must match the pattern ^\\d+$, got "abc"',
      );
    });

    it('still coerces query strings and applies defaults', async () => {
      const res = await app.inject({ method: 'GET', url: '/runs?jobId=7&limit=5' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { query: { jobId: '7', limit: 5 } });
      const defaulted = await app.inject({ method: 'GET', url: '/runs?jobId=7' });
      assert.deepEqual(defaulted.json(), { query: { jobId: '7', limit: 50 } });
    });

    it('accepts a valid body unchanged', async () => {
      const body = {
        ...valid,
        retry: { maxAttempts: 2 },
        schedules: [{ kind: 'every', everySec: 5 }],
      };
      const res = await app.inject({ method: 'POST', url: '/jobs', payload: body });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { got: body });
    });

    it('never answers 500 for any malformed body', async () => {
      const bodies: unknown[] = [
        {},
        [],
        'null',
        '"text"',
        '42',
        '{',
        { name: 1, cmd: {} },
        { ...valid, retry: [] },
        { ...valid, retry: null },
        { ...valid, schedules: {} },
        { ...valid, schedules: [null] },
        { ...valid, schedules: [{ kind: 3 }] },
        { ...valid, schedules: [{ kind: 'every' }] },
        { ...valid, env: 'A=1' },
        { ...valid, '': 1 },
        { ...valid, 'a/b~c': 1 },
      ];
      for (const body of bodies) {
        const res = await post(body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status}`);
        assert.equal(res.json.error.code, 'INVALID_INPUT');
        assert.ok(res.json.error.message.length > 0);
      }
    });
  });

  describe('helpers', () => {
    it('turns JSON pointers into dotted paths', () => {
      assert.equal(toFieldPath(''), '');
      assert.equal(toFieldPath('/schedules/0/expr'), 'schedules[0].expr');
      assert.equal(toFieldPath('/env', 'MY VAR'), 'env["MY VAR"]');
      assert.equal(toFieldPath('/a~1b'), '["a/b"]');
    });

    it('suggests by case or by at most two edits, scaled for short names', () => {
      assert.equal(levenshtein('maxatempts', 'maxattempts'), 1);
      assert.equal(suggest('maxAtempts', ['maxAttempts', 'backoffSec']), 'maxAttempts');
      assert.equal(suggest('CMD', ['cmd']), 'cmd');
      assert.equal(suggest('id', ['at', 'tz']), undefined);
      assert.equal(suggest('timout', ['timeoutSec', 'timeout']), 'timeout');
      assert.equal(suggest('zzzzzz', ['cmd']), undefined);
    });
  });
});
