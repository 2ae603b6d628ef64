// The vminfo monitoring surface, history, nodes and SeaTunnel's monitoring endpoint against a real agent.
// Shapes go in-process (inject, the Fastify routes); the fast lane's reads (src/http/fast-lane.ts:
// /healthz, the snapshot and its sections), gzip on the wire and /ws are checked over loopback TCP.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

let agent: InProcessAgent;
before(async () => {
  agent = await startInProcessAgent();
});
after(async () => {
  await agent?.stop();
});

/** In-process: the Fastify route answers (a GET the fast lane would take included). */
const get = async (
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) => {
  const res = await injectClient(agent)(init.method ?? 'GET', path, init.body, init.headers);
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  return { status: res.status, headers: res.headers, body: res.body, text };
};

/** Over loopback TCP, where the fast lane answers the reads it takes. */
const wire = async (path: string) => {
  const res = await fetch(agent.url + path);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body: body as any, text };
};

const SNAPSHOT_KEYS = [
  'timestamp',
  'system',
  'cpu',
  'memory',
  'disk',
  'network',
  'load',
  'processes',
  'health',
];
const PROCESS_KEYS = [
  'pid',
  'ppid',
  'name',
  'user',
  'cpu_percent',
  'mem_percent',
  'rss',
  'status',
  'command',
  'threads',
  'nice',
  'uptime',
  'started_at_unix',
];

describe('vminfo surface', () => {
  it('answers /healthz with status and ws_clients (vminfo), and the store’s state', async () => {
    const { status, body } = await get('/healthz');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ['status', 'store', 'ws_clients']);
    assert.equal(body.status, 'ok');
    assert.equal(typeof body.ws_clients, 'number');
    assert.equal(body.store, 'ok');
    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', store: 'ok' });
  });

  it('serves the full snapshot with vminfo field names and complete process rows', async () => {
    const { status, body, headers } = await get('/api/v1/snapshot');
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /application\/json/);
    for (const key of SNAPSHOT_KEYS) assert.ok(key in body, `snapshot.${key}`);
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
    for (const key of [
      'hostname',
      'os',
      'kernel',
      'arch',
      'cpu_model',
      'cores',
      'uptime_seconds',
      'uptime_human',
    ]) {
      assert.ok(key in body.system, `system.${key}`);
    }
    for (const key of [
      'total_percent',
      'avg_percent',
      'max_percent',
      'frequency_mhz',
      'per_core',
      'history',
    ]) {
      assert.ok(key in body.cpu, `cpu.${key}`);
    }
    for (const key of [
      'total',
      'used',
      'available',
      'percent',
      'swap_total',
      'swap_used',
      'swap_percent',
    ]) {
      assert.ok(key in body.memory, `memory.${key}`);
    }
    for (const key of ['load1', 'load5', 'load15']) assert.equal(typeof body.load[key], 'number');
    assert.equal(body.disk.filesystems[0].mount, '/');
    assert.ok(Array.isArray(body.processes.list) && body.processes.list.length > 0);
    assert.ok(body.processes.total >= body.processes.list.length);
    for (const row of body.processes.list) {
      assert.deepEqual(Object.keys(row).sort(), [...PROCESS_KEYS].sort());
    }
    assert.ok(body.processes.list.some((r: { pid: number }) => r.pid === process.pid));
  });

  it('gzips the snapshot when the client accepts it', async () => {
    const res = await fetch(agent.url + '/api/v1/snapshot', {
      headers: { 'accept-encoding': 'gzip' },
    });
    // fetch decodes transparently; the header proves the bytes on the wire were compressed.
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.ok(
      Array.isArray(((await res.json()) as { processes: { list: unknown[] } }).processes.list),
    );
  });

  it('answers the same headers and bytes on the direct path and through Fastify', async () => {
    // A query string sends a read through Fastify instead of the fast lane (src/http/fast-lane.ts).
    const pair = async (path: string, headers: Record<string, string> = {}) => {
      const raw = async (url: string) => {
        const res = await fetch(agent.url + url, { headers });
        const head = Object.fromEntries(res.headers);
        delete head.date;
        return { status: res.status, head, bytes: (await res.arrayBuffer()).byteLength };
      };
      return [await raw(path), await raw(path + '?via=fastify')];
    };
    const [directHealth, fastifyHealth] = await pair('/healthz');
    assert.deepEqual(directHealth, fastifyHealth);
    for (const path of ['/api/v1/cpu', '/api/v1/snapshot']) {
      for (const headers of [{}, { 'accept-encoding': 'gzip' }] as Record<string, string>[]) {
        const [direct, viaFastify] = await pair(path, headers);
        assert.equal(direct?.status, 200);
        // Bodies may differ by a tick; the headers may not (content-length aside).
        const { 'content-length': _a, ...directHead } = direct?.head ?? {};
        const { 'content-length': _b, ...fastifyHead } = viaFastify?.head ?? {};
        assert.deepEqual(directHead, fastifyHead, `${path} ${JSON.stringify(headers)}`);
      }
    }
  });

  it('serves each section on its own path, over the wire (the fast lane)', async () => {
    const cpu = await wire('/api/v1/cpu');
    assert.equal(cpu.status, 200);
    assert.equal(cpu.body.per_core.length, (await wire('/api/v1/system')).body.cores);
    const memory = await wire('/api/v1/memory');
    assert.ok(memory.body.total > 0 && memory.body.percent >= 0 && memory.body.percent <= 100);
    const disk = await wire('/api/v1/disk');
    assert.ok(Array.isArray(disk.body.filesystems) && Array.isArray(disk.body.io));
    const network = await wire('/api/v1/network');
    for (const key of [
      'total_download_sec',
      'total_upload_sec',
      'tcp_connections',
      'tcp_states',
      'udp_connections',
      'conntrack_count',
      'conntrack_max',
      'interfaces',
    ]) {
      assert.ok(key in network.body, `network.${key}`);
    }
    const health = await wire('/api/v1/health');
    assert.ok(health.body.score >= 0 && health.body.score <= 100);
    assert.ok(Array.isArray(health.body.warnings));
  });

  it('filters, sorts and limits processes', async () => {
    const own = await get(`/api/v1/processes?filter=${process.pid}&sort=pid`);
    assert.equal(own.status, 200);
    assert.ok(own.body.list.some((r: { pid: number }) => r.pid === process.pid));
    assert.equal(own.body.matched, own.body.list.length);
    assert.ok(own.body.total > own.body.matched);

    const byMem = await get('/api/v1/processes?sort=mem&limit=5');
    assert.equal(byMem.body.list.length, Math.min(5, byMem.body.matched));
    const rss = byMem.body.list.map((r: { rss: number }) => r.rss);
    assert.deepEqual(
      rss,
      [...rss].sort((a: number, b: number) => b - a),
    );

    const alias = await get('/api/v1/processes?q=NODE&limit=0');
    assert.ok(alias.body.list.length > 0);
    assert.ok(alias.body.list.some((r: { pid: number }) => r.pid === process.pid));

    const none = await get('/api/v1/processes?filter=no-such-process-anywhere-42');
    assert.deepEqual([none.body.matched, none.body.list], [0, []]);
  });

  it('sorts by cpu for an unknown sort, as vminfo does, and answers a bad limit with 400', async () => {
    const sort = await get('/api/v1/processes?sort=size');
    assert.equal(sort.status, 200);
    const cpu = sort.body.list.map((r: { cpu_percent: number }) => r.cpu_percent);
    assert.ok(
      cpu.every((v: number, i: number) => i === 0 || v <= cpu[i - 1]),
      'cpu descending',
    );
    for (const limit of ['-1', 'abc', '2.5']) {
      const res = await get(`/api/v1/processes?limit=${limit}`);
      assert.equal(res.status, 400, limit);
      assert.match(res.body.error.message, /limit/);
    }
    const since = await get('/api/v1/history?since=yesterday');
    assert.equal(since.status, 400);
    assert.match(since.body.error.message, /since/);
  });

  it('answers unknown routes with 404 and wrong methods with 405, in the native error shape', async () => {
    const missing = await get('/api/v1/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
    const post = await get('/api/v1/snapshot', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('survives malformed requests without a 500', async () => {
    const badJson = await get('/api/v1/nope', {
      method: 'POST',
      body: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    assert.ok(badJson.status >= 400 && badJson.status < 500);
    const weird = await get('/api/v1/processes?filter=%E0%A4%A&sort=cpu');
    assert.ok(weird.status < 500);
    const plainWs = await get('/ws');
    assert.equal(plainWs.status, 400);
    assert.match(plainWs.body.error.message, /WebSocket/);
  });

  it('streams a snapshot at once on /ws, then one per tick, and counts the client', async () => {
    const ws = new WebSocket(agent.url.replace('http', 'ws') + '/ws');
    const messages: any[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        messages.push(JSON.parse(String(data)));
        if (messages.length === 3) resolve();
      });
      ws.on('error', reject);
    });
    for (const m of messages) {
      for (const key of SNAPSHOT_KEYS) assert.ok(key in m);
      assert.ok(m.processes.list.length > 0);
    }
    assert.ok(messages[2].seq > messages[0].seq);
    assert.equal((await get('/healthz')).body.ws_clients, 1);
    ws.close();
    await new Promise((r) => ws.once('close', r));
  });

  it('keeps an hour of history in memory', async () => {
    const { body } = await get('/api/v1/history');
    assert.equal(body.interval_sec, 0.25);
    assert.ok(body.points.length >= 1);
    const last = body.points.at(-1);
    for (const key of [
      't',
      'cpu',
      'mem',
      'load1',
      'net_rx',
      'net_tx',
      'disk_r',
      'disk_w',
      'score',
    ]) {
      assert.ok(key in last, key);
    }
    const future = await get(`/api/v1/history?since=${Math.floor(Date.now() / 1000) + 3600}`);
    assert.deepEqual(future.body.points, []);
  });
});

describe('nodes', () => {
  it('lists this node as up, with its stored sample', async () => {
    const { body } = await get('/api/v1/nodes');
    assert.equal(body.nodes.length, 1);
    const [node] = body.nodes;
    assert.equal(node.id, agent.agent.nodeId);
    assert.equal(node.state, 'up');
    assert.equal(node.self, true);
    const snap = await get(`/api/v1/nodes/${node.id}/snapshot`);
    assert.equal(snap.status, 200);
    assert.ok('cpu' in snap.body);
    const missing = await get('/api/v1/nodes/12345');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /node "12345" not found/);
  });
});

describe('SeaTunnel system-monitoring-information', () => {
  for (const path of [
    '/hazelcast/rest/maps/system-monitoring-information',
    '/system-monitoring-information',
  ]) {
    it(`answers ${path} with one all-string object per member`, async () => {
      const { status, body } = await get(path);
      assert.equal(status, 200);
      assert.ok(Array.isArray(body) && body.length === 1);
      const [member] = body;
      for (const value of Object.values(member)) assert.equal(typeof value, 'string');
      for (const key of [
        'isMaster',
        'host',
        'port',
        'processors',
        'physical.memory.total',
        'physical.memory.free',
        'swap.space.total',
        'swap.space.free',
        'heap.memory.used',
        'heap.memory.total',
        'heap.memory.max',
        'heap.memory.used/total',
        'heap.memory.used/max',
        'minor.gc.count',
        'minor.gc.time',
        'major.gc.count',
        'major.gc.time',
        'load.process',
        'load.system',
        'load.systemAverage',
        'thread.count',
        'thread.peakCount',
        'cluster.timeDiff',
      ]) {
        assert.ok(key in member, key);
      }
      assert.equal(member.isMaster, 'true');
      assert.equal(member.port, new URL(agent.url).port);
      assert.match(member['physical.memory.total'], /^\d+\.\d[KMGTPE]$/);
      assert.match(member['heap.memory.used/total'], /^\d+\.\d\d%$/);
      assert.match(member['minor.gc.time'], /^\d+ms$/);
      assert.match(member['load.systemAverage'], /^\d+\.\d\d$/);
    });
  }

  it('answers unknown SeaTunnel paths in its own error shape', async () => {
    const { status, body } = await get('/hazelcast/rest/maps/no-such-thing');
    assert.equal(status, 404);
    assert.equal(body.status, 'fail');
    assert.equal(typeof body.message, 'string');
  });
});

describe('/metrics', () => {
  it('exposes node_exporter names and bosun_ series', async () => {
    const { status, text, headers } = await get('/metrics');
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /text\/plain/);
    for (const name of [
      'node_cpu_seconds_total{cpu="0",mode="user"}',
      'node_load1 ',
      'node_memory_MemTotal_bytes ',
      'node_memory_MemAvailable_bytes ',
      'node_filesystem_size_bytes{device=',
      'mountpoint="/"',
      'node_network_receive_bytes_total{device="lo"}',
      'node_boot_time_seconds ',
      'bosun_health_score ',
      'bosun_build_info{',
      'bosun_process_resident_memory_bytes ',
      'bosun_process_cpu_seconds_total ',
      'bosun_nodejs_gc_duration_seconds_total{kind="minor"}',
    ]) {
      assert.ok(text.includes(name), `missing ${name}`);
    }
    assert.ok(!/\bpid="/.test(text), 'no per-pid labels');
  });

  it("passes promtool check metrics, apart from node_exporter's own camelCase meminfo names", async () => {
    const { text } = await get('/metrics');
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.ok(
      !result.error,
      'promtool is missing: apt-get install -y prometheus (.ci/run does this)',
    );
    const problems = (result.stdout + result.stderr)
      .split('\n')
      .filter((line) => line.trim() !== '')
      // node_exporter names its meminfo series node_memory_MemTotal_bytes etc.; Grafana dashboards
      // depend on exactly those names, and promtool says the same of node_exporter itself.
      .filter(
        (line) =>
          !/^node_memory_\w+ metric names should be written in 'snake_case' not 'camelCase'$/.test(
            line,
          ),
      );
    assert.deepEqual(problems, []);
    assert.ok(result.status === 0 || result.status === 3, `promtool exit ${result.status}`);
  });
});
