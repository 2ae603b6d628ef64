// createOpenApiCollector against a tiny Fastify app: what a route schema becomes in the document.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createOpenApiCollector, toOpenApiPath, type OpenApiDocument } from './openapi-builder.ts';
import { AJV_OPTIONS } from './validation-error.ts';

const ok = async () => ({});
const base = { info: { title: 't', version: '1.2.3' } };

async function build(
  register: (app: FastifyInstance) => void | Promise<void>,
  handWritten: OpenApiDocument['paths'] = {},
): Promise<{ app: FastifyInstance; doc: OpenApiDocument }> {
  const app = Fastify({ ajv: AJV_OPTIONS });
  const collector = createOpenApiCollector();
  app.addHook('onRoute', collector.onRoute);
  await register(app);
  await app.ready();
  return { app, doc: collector.document({ ...base, paths: handWritten }) };
}

/** Every $ref in the document points at an existing components entry. */
function unresolvedRefs(doc: OpenApiDocument): string[] {
  const missing: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') {
        const name = /^#\/components\/schemas\/([^/]+)/.exec(v)?.[1];
        if (name === undefined || doc.components?.schemas?.[name] === undefined) missing.push(v);
      } else walk(v);
    }
  };
  walk(doc.paths);
  walk(doc.components);
  return missing;
}

describe('createOpenApiCollector', () => {
  it('turns a route schema into an operation with parameters, body and responses', async () => {
    const { app, doc } = await build((app) => {
      app.post(
        '/api/v1/jobs/:id/run',
        {
          schema: {
            summary: 'Run a job now',
            description: 'Queues a manual run',
            tags: ['jobs'],
            params: {
              type: 'object',
              properties: { id: { type: 'string', description: 'id or name' } },
            },
            querystring: {
              type: 'object',
              required: ['why'],
              properties: { why: { type: 'string' }, dry: { type: 'boolean' } },
            },
            headers: {
              type: 'object',
              properties: { 'idempotency-key': { type: 'string' } },
            },
            body: { type: 'object', properties: { env: { type: 'object' } } },
            response: {
              202: {
                description: 'The run',
                type: 'object',
                properties: { id: { type: 'string' } },
              },
              '4xx': { type: 'object' },
            },
          },
        },
        ok,
      );
    });
    const op = doc.paths['/api/v1/jobs/{id}/run']?.post as Record<string, unknown>;
    assert.equal(op.summary, 'Run a job now');
    assert.equal(op.description, 'Queues a manual run');
    assert.deepEqual(op.tags, ['jobs']);
    assert.deepEqual(op.parameters, [
      {
        name: 'id',
        in: 'path',
        required: true,
        description: 'id or name',
        schema: { type: 'string', description: 'id or name' },
      },
      { name: 'why', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'dry', in: 'query', schema: { type: 'boolean' } },
      { name: 'idempotency-key', in: 'header', schema: { type: 'string' } },
    ]);
    assert.deepEqual(op.requestBody, {
      required: true,
      content: {
        'application/json': { schema: { type: 'object', properties: { env: { type: 'object' } } } },
      },
    });
    assert.deepEqual(op.responses, {
      '202': {
        description: 'The run',
        content: {
          'application/json': {
            schema: {
              description: 'The run',
              type: 'object',
              properties: { id: { type: 'string' } },
            },
          },
        },
      },
      '4XX': {
        description: 'Response',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
    });
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.version, '1.2.3');
    assert.deepEqual(doc.tags, [{ name: 'jobs' }]);
    await app.close();
  });

  it('lists every method of a multi-method route, and drops the implied HEAD of a GET', async () => {
    const { app, doc } = await build((app) => {
      app.route({ method: ['GET', 'DELETE'], url: '/a/:x', schema: {}, handler: ok });
      app.get('/b', { schema: {} }, ok);
    });
    assert.deepEqual(Object.keys(doc.paths['/a/{x}'] ?? {}).sort(), ['delete', 'get']);
    assert.deepEqual(Object.keys(doc.paths['/b'] ?? {}), ['get']);
    assert.deepEqual((doc.paths['/a/{x}']?.get as { parameters: unknown }).parameters, [
      { name: 'x', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    await app.close();
  });

  it('skips routes without a schema and routes with hide: true', async () => {
    const { app, doc } = await build((app) => {
      app.get('/plain', ok);
      app.get('/hidden', { schema: { hide: true } }, ok);
      app.get('/shown', { schema: { summary: 'shown' } }, ok);
    });
    assert.deepEqual(Object.keys(doc.paths), ['/shown']);
    assert.deepEqual(doc.paths['/shown']?.get, {
      summary: 'shown',
      responses: { '200': { description: 'OK' } },
    });
    await app.close();
  });

  it('honours consumes for the request body and contentMediaType for responses', async () => {
    const { app, doc } = await build((app) => {
      app.addContentTypeParser('application/gzip', { parseAs: 'buffer' }, (_r, body, done) =>
        done(null, body),
      );
      app.put(
        '/pkg/:id',
        { schema: { consumes: ['application/gzip'], response: { 204: { type: 'null' } } } },
        async (_request, reply) => reply.code(204).send(),
      );
      app.get(
        '/log',
        { schema: { response: { 200: { type: 'string', contentMediaType: 'text/plain' } } } },
        async (_request, reply) => reply.type('text/plain').send('line 1\n'),
      );
    });
    const put = doc.paths['/pkg/{id}']?.put as Record<string, unknown>;
    assert.deepEqual(put.requestBody, { required: true, content: { 'application/gzip': {} } });
    assert.deepEqual(put.responses, { '204': { description: 'No Content' } });
    const get = doc.paths['/log']?.get as Record<string, unknown>;
    assert.deepEqual(get.responses, {
      '200': {
        description: 'OK',
        content: { 'text/plain': { schema: { type: 'string', contentMediaType: 'text/plain' } } },
      },
    });
    // The marker does not upset the serializer: the text goes out as text.
    const res = await app.inject({ method: 'GET', url: '/log' });
    assert.equal(res.body, 'line 1\n');
    await app.close();
  });

  it('moves shared schemas to components and rewrites their refs', async () => {
    const { app, doc } = await build(async (app) => {
      app.addSchema({
        $id: 'Run',
        type: 'object',
        properties: { id: { type: 'string' }, tags: { $ref: '#/definitions/tags' } },
        definitions: { tags: { type: 'array', items: { type: 'string' } } },
      });
      app.addSchema({
        $id: 'Job',
        type: 'object',
        properties: { id: { type: 'string' }, lastRun: { $ref: 'Run#' } },
      });
      app.addSchema({
        $id: 'IdParams',
        type: 'object',
        properties: { id: { type: 'string', pattern: '^\\d+$' } },
      });
      // Routes in an encapsulated plugin see the same hook and their own schemas.
      await app.register(async (child) => {
        child.addSchema({ $id: 'Page', type: 'object', properties: { next: { type: 'string' } } });
        child.get(
          '/jobs',
          {
            schema: {
              response: {
                200: {
                  type: 'object',
                  properties: {
                    jobs: { type: 'array', items: { $ref: 'Job#' } },
                    page: { $ref: 'Page#' },
                    firstId: { $ref: 'Job#/properties/id' },
                  },
                },
              },
            },
          },
          ok,
        );
      });
      app.get(
        '/jobs/:id',
        { schema: { params: { $ref: 'IdParams#' }, response: { 200: { $ref: 'Job#' } } } },
        ok,
      );
      app.post('/jobs', { schema: { body: { $ref: 'Job#' } } }, ok);
    });
    const schemas = doc.components?.schemas ?? {};
    assert.deepEqual(Object.keys(schemas).sort(), ['IdParams', 'Job', 'Page', 'Run']);
    assert.deepEqual(schemas.Job, {
      type: 'object',
      properties: { id: { type: 'string' }, lastRun: { $ref: '#/components/schemas/Run' } },
    });
    assert.deepEqual((schemas.Run as { properties: { tags: unknown } }).properties.tags, {
      $ref: '#/components/schemas/Run/definitions/tags',
    });
    const list = doc.paths['/jobs']?.get as any;
    const props = list.responses['200'].content['application/json'].schema.properties;
    assert.deepEqual(props.jobs.items, { $ref: '#/components/schemas/Job' });
    assert.deepEqual(props.page, { $ref: '#/components/schemas/Page' });
    assert.deepEqual(props.firstId, { $ref: '#/components/schemas/Job/properties/id' });
    const one = doc.paths['/jobs/{id}']?.get as any;
    assert.deepEqual(one.parameters, [
      { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
    ]);
    assert.deepEqual(one.responses['200'].content['application/json'].schema, {
      $ref: '#/components/schemas/Job',
    });
    assert.deepEqual(unresolvedRefs(doc), []);
    await app.close();
  });

  it('takes shared schemas given to addSchema', async () => {
    const app = Fastify();
    const collector = createOpenApiCollector();
    app.addHook('onRoute', collector.onRoute);
    collector.addSchema({ $id: 'Thing', type: 'object' });
    app.get('/t', { schema: { hide: false } }, ok);
    await app.ready();
    const doc = collector.document(base);
    assert.deepEqual(doc.components?.schemas, { Thing: { type: 'object' } });
    assert.throws(() => collector.addSchema({ type: 'object' }), /needs an \$id/);
    await app.close();
  });

  it('merges hand-written paths, the generated operation winning per method', async () => {
    const handWritten = {
      '/healthz': { get: { summary: 'hand' } },
      '/jobs': { get: { summary: 'hand list' }, options: { summary: 'hand options' } },
    };
    const { app, doc } = await build((app) => {
      app.get('/jobs', { schema: { summary: 'generated list' } }, ok);
    }, handWritten);
    assert.deepEqual(doc.paths['/healthz'], { get: { summary: 'hand' } });
    assert.equal((doc.paths['/jobs']?.get as { summary: string }).summary, 'generated list');
    assert.deepEqual(doc.paths['/jobs']?.options, { summary: 'hand options' });
    await app.close();
  });

  it('keeps the base frame and its component schemas', async () => {
    const app = Fastify();
    const collector = createOpenApiCollector();
    app.addHook('onRoute', collector.onRoute);
    app.addSchema({ $id: 'Job', type: 'object' });
    app.get('/j', { schema: { tags: ['jobs'] } }, ok);
    await app.ready();
    const doc = collector.document({
      ...base,
      security: [{ bearer: [] }],
      tags: [{ name: 'jobs', description: 'Jobs' }],
      components: { schemas: { Error: { type: 'object' } }, securitySchemes: { bearer: {} } },
    });
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    assert.deepEqual(doc.tags, [{ name: 'jobs', description: 'Jobs' }]);
    assert.deepEqual(doc.components, {
      schemas: { Error: { type: 'object' }, Job: { type: 'object' } },
      securitySchemes: { bearer: {} },
    });
    await app.close();
  });
});

describe('toOpenApiPath', () => {
  it("turns Fastify's path syntax into OpenAPI templates", () => {
    assert.equal(toOpenApiPath('/api/v1/jobs/:id'), '/api/v1/jobs/{id}');
    assert.equal(toOpenApiPath('/a/:from-:to/b'), '/a/{from}-{to}/b');
    assert.equal(toOpenApiPath('/a/:id(^\\d+)/b'), '/a/{id}/b');
    assert.equal(toOpenApiPath('/a/:id(^(x|y)$).png'), '/a/{id}.png');
    assert.equal(toOpenApiPath('/time::now'), '/time:now');
    assert.equal(toOpenApiPath('/files/*'), '/files/{*}');
  });
});
