// The OpenAPI document describes exactly the routes the app serves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

let agent: InProcessAgent;
before(async () => {
  agent = await startInProcessAgent();
});
after(async () => {
  await agent?.stop();
});

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document with the agent version', async () => {
    const res = await fetch(`${agent.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; info: { version: string }; paths: object };
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.version, '0.0.0-test');
  });

  it('describes every GET route the app serves, and no route it does not', async () => {
    const doc = (await (await fetch(`${agent.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    const documented = Object.keys(doc.paths).sort();
    // Probe each documented path: a 404 would mean the document names a route that does not exist.
    for (const path of documented) {
      const url = agent.url + path.replace('{id}', agent.agent.nodeId);
      const res = await fetch(url);
      assert.notEqual(res.status, 404, `${path} is documented but not served`);
      assert.ok(res.status < 500, `${path} answered ${res.status}`);
    }
    // And the reverse: the routes the vminfo, native and SeaTunnel surfaces register are all documented.
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
      '/ws',
      '/metrics',
      '/system-monitoring-information',
      '/hazelcast/rest/maps/system-monitoring-information',
    ]) {
      assert.ok(documented.includes(path), `${path} is served but not documented`);
    }
  });
});
