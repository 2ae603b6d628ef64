// A request schema marked notEnforced documents a route without changing what it accepts: the
// app's validator compiler (lazy-compilers.ts) passes that part as it came, while the same schema
// unmarked is checked (and coerced) as before.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { lazyCompilers } from './lazy-compilers.ts';
import { notEnforced } from './route-schema.ts';
import { AJV_OPTIONS } from './validation-error.ts';

const query = () => ({
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1 } },
});
const body = () => ({
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' } },
});

let app: FastifyInstance;
describe('route-schema', () => {
  before(async () => {
    app = Fastify({ ajv: AJV_OPTIONS, schemaController: { compilersFactory: lazyCompilers } });
    const echo = async (request: { query: unknown; body: unknown }) => ({
      query: request.query,
      body: request.body ?? null,
    });
    app.post('/checked', { schema: { querystring: query(), body: body() } }, echo);
    app.post(
      '/documented',
      { schema: { querystring: notEnforced(query()), body: notEnforced(body()) } },
      echo,
    );
    await app.ready();
  });
  after(() => app.close());

  const post = (url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, payload: payload as object });

  describe('notEnforced request schemas', () => {
    it('leave a documented query and body as they came, whatever they hold', async () => {
      const res = await post('/documented?limit=abc&other=1&limit=2', [1, 2]);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { query: { limit: ['abc', '2'], other: '1' }, body: [1, 2] });
    });

    it('do not coerce or default what they describe', async () => {
      const res = await post('/documented?limit=5', { name: 7 });
      assert.deepEqual(res.json(), { query: { limit: '5' }, body: { name: 7 } });
    });

    it('leave the same schemas unmarked enforced', async () => {
      assert.equal((await post('/checked?limit=abc', { name: 'a' })).statusCode, 400);
      assert.equal((await post('/checked?limit=5', { name: 7 })).statusCode, 200); // coerced
      assert.equal((await post('/checked?limit=5', [1, 2])).statusCode, 400);
      assert.deepEqual((await post('/checked?limit=5', { name: 'a' })).json().query, { limit: 5 });
    });
  });
});
