// The OpenAPI document describes exactly the routes the app serves: hand-written entries for the
// routes without schemas, generated ones (with parameters and bodies) for the routes with schemas.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
}
interface Doc {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

let agent: InProcessAgent;
let doc: Doc;
before(async () => {
  agent = await startInProcessAgent();
  doc = (await (await fetch(`${agent.url}/api/v1/openapi.json`)).json()) as Doc;
});
after(async () => {
  await agent?.stop();
});

/** The operations of the document as [path, method, operation]. */
function operations(): Array<[string, string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]): [string, string, Operation] => [path, method, op]),
  );
}

/**
 * Whether the app has a route for this method and path: anything but the app's own "no route"
 * 404 or its 405. Path templates get a dummy id (this node's id for /nodes), bodies an empty
 * object, so a served route answers 2xx, 400 or a 404 of its own, and nothing is changed.
 */
async function isServed(method: string, path: string, bodyType?: string): Promise<boolean> {
  const url = path.replace(/\{(\w+)\}/g, () =>
    path.startsWith('/api/v1/nodes') ? agent.agent.nodeId : '0',
  );
  const abort = new AbortController();
  const res = await fetch(agent.url + url, {
    method: method.toUpperCase(),
    signal: abort.signal,
    ...(bodyType === undefined
      ? {}
      : {
          headers: { 'content-type': bodyType },
          body: bodyType.includes('json') ? '{}' : new Uint8Array(0),
        }),
  });
  assert.ok(res.status < 500, `${method.toUpperCase()} ${path} answered ${res.status}`);
  // Streams (log follow, SSE) answer with headers and then never end: stop reading.
  const text = res.status === 404 || res.status === 405 ? await res.text() : '';
  abort.abort();
  if (res.status === 405) return false;
  return !(res.status === 404 && /"no route /.test(text));
}

/** The endpoint table of docs/api.md's "Jobs and runs" section: call, method, path and row. */
function documentedJobEndpoints(): Array<{ method: string; path: string; row: string }> {
  const md = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
  const section = md.slice(
    md.indexOf('## Jobs and runs'),
    md.indexOf('\n## ', md.indexOf('## Jobs and runs') + 1),
  );
  return [...section.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) ([^`?]+)[^`]*` *\|.*$/gm)].map(
    (m) => ({
      method: (m[1] ?? '').toLowerCase(),
      path: (m[2] ?? '').replace(/:(\w+)/g, '{$1}'),
      row: m[0],
    }),
  );
}

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document with the agent version', async () => {
    const res = await fetch(`${agent.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.version, '0.0.0-test');
  });

  it('names only routes the app serves, with the documented methods', async () => {
    for (const [path, method, op] of operations()) {
      if (method === 'head' || method === 'options') continue;
      const bodyType = op.requestBody ? Object.keys(op.requestBody.content)[0] : undefined;
      assert.ok(
        await isServed(method, path, bodyType),
        `${method.toUpperCase()} ${path} is documented but not served`,
      );
    }
  });

  it('describes the routes the vminfo, native and SeaTunnel surfaces register', () => {
    for (const path of [
      '/healthz',
      '/api/v1/snapshot',
      '/api/v1/cpu',
      '/api/v1/memory',
      '/api/v1/disk',
      '/api/v1/network',
      '/api/v1/system',
      '/api/v1/health',
      '/api/v1/processes',
      '/api/v1/history',
      '/api/v1/nodes',
      '/api/v1/sessions',
      '/api/v1/dumps',
      '/api/v1/dumps/{name}',
      '/ws',
      '/metrics',
      '/system-monitoring-information',
      '/hazelcast/rest/maps/system-monitoring-information',
    ]) {
      assert.ok(doc.paths[path]?.get, `GET ${path} is served but not documented`);
    }
    assert.ok(doc.paths['/api']?.post, 'POST /api (the console) is served but not documented');
  });

  it('describes every jobs endpoint of docs/api.md the app serves, with its inputs', async () => {
    const endpoints = documentedJobEndpoints();
    assert.ok(endpoints.length >= 10, 'the endpoint table of docs/api.md was not found');
    for (const { method, path, row } of endpoints) {
      const op = doc.paths[path]?.[method];
      const name = `${method.toUpperCase()} ${path}`;
      if (op === undefined) {
        // Not documented: then it must not be served either (the jobs API may not be wired yet).
        assert.ok(!(await isServed(method, path)), `${name} is served but not documented`);
        continue;
      }
      const params = op.parameters ?? [];
      for (const m of row.matchAll(/[?&](\w+)=/g)) {
        assert.ok(
          params.some((p) => p.in === 'query' && p.name === m[1]),
          `${name}: query parameter ${m[1]} is in docs/api.md but not in the document`,
        );
      }
      for (const m of row.matchAll(/header `([\w-]+)`/g)) {
        const header = (m[1] ?? '').toLowerCase();
        assert.ok(
          params.some((p) => p.in === 'header' && p.name.toLowerCase() === header),
          `${name}: header ${m[1]} is in docs/api.md but not in the document`,
        );
      }
      if (
        /body|same body as create|top-level fields/.test(row) ||
        (method === 'post' && path === '/api/v1/jobs')
      ) {
        assert.ok(op.requestBody, `${name} takes a body but documents none`);
      }
      const type = /content-type: ([\w/.+-]+)/.exec(row)?.[1];
      if (type !== undefined) {
        assert.ok(op.requestBody?.content[type], `${name}: the body should be ${type}`);
      }
    }
  });

  it('declares every path template parameter and gives every operation a response', () => {
    for (const [path, method, op] of operations()) {
      for (const m of path.matchAll(/\{(\w+)\}/g)) {
        assert.ok(
          op.parameters?.some((p) => p.in === 'path' && p.name === m[1] && p.required === true),
          `${method.toUpperCase()} ${path} does not declare the path parameter ${m[1]}`,
        );
      }
      assert.ok(Object.keys(op.responses ?? {}).length > 0, `${method} ${path} has no responses`);
      if (op.requestBody) {
        assert.ok(Object.keys(op.requestBody.content).length > 0, `${method} ${path}: empty body`);
      }
    }
  });

  it('resolves every $ref to a component schema', () => {
    const refs: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (typeof value !== 'object' || value === null) return;
      for (const [key, v] of Object.entries(value)) {
        if (key === '$ref' && typeof v === 'string') refs.push(v);
        else walk(v);
      }
    };
    walk(doc);
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const name = /^#\/components\/schemas\/([\w.-]+)(\/|$)/.exec(ref)?.[1];
      assert.ok(name !== undefined, `${ref} does not point into #/components/schemas`);
      assert.ok(doc.components.schemas[name], `${ref}: no component ${name}`);
    }
  });
});
