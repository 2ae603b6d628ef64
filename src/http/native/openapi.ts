// GET /api/v1/openapi.json: the OpenAPI 3.1 description of every HTTP path this agent serves.
// Routes with a JSON Schema (the jobs API) are described from it by openapi-builder; the routes
// without one (vminfo, monitoring, metrics) are described here by hand. test/openapi.test.ts checks
// the document against the served routes, so the two cannot drift apart.
import type { FastifyInstance } from 'fastify';
import type { OpenApiBase, OpenApiCollector, PathItem } from '../openapi-builder.ts';

type Schema = Record<string, unknown>;

const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
/** An object schema whose properties are all required except those named in `optional`. */
const obj = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
});
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const ERROR = json(ref('Error'), 'An error, with a code and a message that names the fix');
const standardErrors = { '401': ERROR, '503': ERROR };

const schemas: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str, message: str }) }),
  SeatunnelError: obj({ status: { const: 'fail' }, message: str }),
  ProcessRow: obj({
    pid: int,
    ppid: int,
    name: str,
    user: str,
    cpu_percent: num,
    mem_percent: num,
    rss: { type: 'integer', description: 'bytes' },
    status: str,
    command: str,
    threads: int,
    nice: int,
    uptime: { type: 'integer', description: 'seconds' },
    started_at_unix: int,
  }),
  System: obj({
    hostname: str,
    os: str,
    kernel: str,
    arch: str,
    cpu_model: str,
    cores: int,
    uptime_seconds: int,
    uptime_human: str,
    agent: obj({ pid: int, version: str, rss: int, cpu_percent: num, uptime_seconds: num }),
  }),
  Cpu: obj({
    total_percent: num,
    avg_percent: num,
    max_percent: num,
    frequency_mhz: num,
    per_core: { type: 'array', items: num },
    history: { type: 'array', items: num, description: 'the last 200 total_percent values' },
    modes: { type: 'object', additionalProperties: num },
  }),
  Memory: obj({
    total: int,
    used: int,
    available: int,
    percent: num,
    swap_total: int,
    swap_used: int,
    swap_percent: num,
    free: int,
    buffers: int,
    cached: int,
  }),
  Disk: obj({
    filesystems: {
      type: 'array',
      description: 'every real mount; the first is /',
      items: obj(
        {
          mount: str,
          device: str,
          fstype: str,
          total: int,
          used: int,
          percent: num,
          available: int,
          inodes_total: int,
          inodes_used: int,
          inodes_percent: num,
          readonly: { type: 'boolean' },
          error: { type: 'string', description: 'set when statfs failed or timed out' },
        },
        ['error'],
      ),
    },
    io: {
      type: 'array',
      items: obj({
        device: str,
        read_bytes_sec: num,
        write_bytes_sec: num,
        iops: num,
        util_percent: num,
      }),
    },
  }),
  Network: obj({
    total_download_sec: num,
    total_upload_sec: num,
    tcp_connections: int,
    tcp_states: { type: 'object', additionalProperties: int },
    udp_connections: int,
    conntrack_count: int,
    conntrack_max: int,
    interfaces: {
      type: 'array',
      items: obj({
        name: str,
        download_sec: num,
        upload_sec: num,
        ipv4: str,
        rx_bytes: int,
        tx_bytes: int,
        rx_errors: int,
        tx_errors: int,
        rx_drops: int,
        tx_drops: int,
        rx_err_rate: num,
        tx_err_rate: num,
        rx_drop_rate: num,
        tx_drop_rate: num,
      }),
    },
  }),
  Health: obj({
    score: { type: 'integer', minimum: 0, maximum: 100 },
    warnings: {
      type: 'array',
      items: obj({ level: { enum: ['warning', 'critical'] }, code: str, message: str }),
    },
  }),
  Snapshot: obj({
    timestamp: { type: 'string', format: 'date-time' },
    seq: int,
    system: ref('System'),
    cpu: ref('Cpu'),
    memory: ref('Memory'),
    disk: ref('Disk'),
    network: ref('Network'),
    load: obj({ load1: num, load5: num, load15: num }),
    processes: obj({ total: int, list: { type: 'array', items: ref('ProcessRow') } }),
    health: ref('Health'),
  }),
  Node: obj({
    id: str,
    hostname: str,
    address: str,
    version: str,
    pid: int,
    labels: { type: 'object', additionalProperties: str },
    state: { enum: ['up', 'down', 'stale'] },
    self: { type: 'boolean' },
    registeredAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time' },
    heartbeatAt: { type: 'string', format: 'date-time' },
    sampleAt: { type: ['string', 'null'], format: 'date-time' },
  }),
};
const section = (name: string, schema: string, summary: string) => ({
  [`/api/v1/${name}`]: {
    get: {
      tags: ['monitoring'],
      summary,
      responses: { '200': json(ref(schema), summary), ...standardErrors },
    },
  },
});

const seatunnelMonitoring = {
  get: {
    tags: ['seatunnel'],
    summary: "SeaTunnel's cluster monitoring: one all-string object per member",
    responses: {
      '200': json(
        { type: 'array', items: { type: 'object', additionalProperties: str } },
        'Members',
      ),
      '401': json(ref('SeatunnelError'), 'Token required'),
    },
  },
};

/** The hand-written paths: routes registered without a schema. */
export const OPENAPI_PATHS: Record<string, PathItem> = {
  '/healthz': {
    get: {
      tags: ['monitoring'],
      summary: 'Liveness, and whether the store is reachable; public even in token mode',
      security: [],
      responses: {
        '200': json(
          obj({ status: { const: 'ok' }, ws_clients: int, store: { enum: ['ok', 'unreachable'] } }),
          'Alive',
        ),
      },
    },
  },
  '/readyz': {
    get: {
      tags: ['monitoring'],
      summary: 'Readiness: 503 while the store cannot be reached; public even in token mode',
      security: [],
      responses: {
        '200': json(obj({ status: { const: 'ready' }, store: { const: 'ok' } }), 'Ready'),
        '503': json(
          obj({ status: { const: 'not ready' }, store: { const: 'unreachable' } }),
          'The store cannot be reached',
        ),
      },
    },
  },
  '/api/v1/snapshot': {
    get: {
      tags: ['monitoring'],
      summary: 'The full host snapshot (vminfo), always with the process list; gzip on request',
      responses: { '200': json(ref('Snapshot'), 'The latest snapshot'), ...standardErrors },
    },
  },
  ...section('cpu', 'Cpu', 'CPU totals, per core, and a short history'),
  ...section('memory', 'Memory', 'Memory and swap'),
  ...section('disk', 'Disk', 'Filesystem usage per mount and disk I/O rates'),
  ...section('network', 'Network', 'Throughput, connection counts and interface counters'),
  ...section('system', 'System', 'Host metadata and the agent itself'),
  ...section('health', 'Health', 'The health score and its warnings'),
  '/api/v1/processes': {
    get: {
      tags: ['monitoring'],
      summary: 'The process list, filtered, sorted and limited',
      parameters: [
        {
          name: 'filter',
          in: 'query',
          schema: str,
          description: 'case-insensitive substring over pid, ppid, name, command, user and state',
        },
        { name: 'q', in: 'query', schema: str, description: 'alias of filter' },
        {
          name: 'sort',
          in: 'query',
          schema: { enum: ['cpu', 'mem', 'pid', 'name'], default: 'cpu' },
        },
        {
          name: 'limit',
          in: 'query',
          schema: { type: 'integer', minimum: 0, default: 0 },
          description: '0 = all',
        },
      ],
      responses: {
        '200': json(
          obj({ total: int, matched: int, list: { type: 'array', items: ref('ProcessRow') } }),
          '`total`: every process on the host; `matched`: after the filter, before the limit',
        ),
        '400': ERROR,
        ...standardErrors,
      },
    },
  },
  '/ws': {
    get: {
      tags: ['monitoring'],
      summary: 'WebSocket: the latest snapshot at once, then one per tick (Snapshot messages only)',
      responses: {
        '101': { description: 'Switching protocols' },
        '400': ERROR,
        '401': ERROR,
        '403': ERROR,
      },
    },
  },
  '/api/v1/history': {
    get: {
      tags: ['native'],
      summary: 'The last hour of samples, kept in memory',
      parameters: [
        { name: 'since', in: 'query', schema: num, description: 'Unix time in seconds' },
      ],
      responses: {
        '200': json(
          obj({
            interval_sec: num,
            points: {
              type: 'array',
              items: obj({
                t: int,
                cpu: num,
                mem: num,
                swap: num,
                load1: num,
                net_rx: num,
                net_tx: num,
                disk_r: num,
                disk_w: num,
                score: int,
              }),
            },
          }),
          'History points, oldest first',
        ),
        '400': ERROR,
        '401': ERROR,
      },
    },
  },
  '/api/v1/nodes': {
    get: {
      tags: ['native'],
      summary: 'The agents registered in the store',
      responses: {
        '200': json(obj({ nodes: { type: 'array', items: ref('Node') } }), 'Nodes'),
        '401': ERROR,
      },
    },
  },
  '/api/v1/nodes/{id}': {
    get: {
      tags: ['native'],
      summary: 'One node',
      parameters: [{ name: 'id', in: 'path', required: true, schema: str }],
      responses: { '200': json(ref('Node'), 'The node'), '401': ERROR, '404': ERROR },
    },
  },
  '/api/v1/nodes/{id}/snapshot': {
    get: {
      tags: ['native'],
      summary:
        "A node's latest snapshot (live for this node, as stored with the heartbeat for others)",
      parameters: [{ name: 'id', in: 'path', required: true, schema: str }],
      responses: {
        '200': json(ref('Snapshot'), 'The snapshot'),
        '401': ERROR,
        '404': ERROR,
        '503': ERROR,
      },
    },
  },
  '/api/v1/sessions': {
    get: {
      tags: ['native'],
      summary: 'The live console sessions: consumers, foreground job, ages (docs/console.md)',
      responses: {
        '200': json(
          obj({
            sessions: {
              type: 'array',
              items: obj({
                sessionId: str,
                createdAt: str,
                lastAccessAt: str,
                consumers: {
                  type: 'array',
                  items: obj({ consumerId: str, lastPullAt: str }),
                },
                foregroundJob: {
                  oneOf: [obj({ jobId: int, command: str, startedAt: str }), { type: 'null' }],
                },
                jobs: int,
              }),
            },
          }),
          'Sessions',
        ),
        '401': ERROR,
      },
    },
  },
  '/api/v1/dumps': {
    get: {
      tags: ['native'],
      summary: "Heap snapshots and CPU profiles written by the console's heapdump and profiler",
      responses: {
        '200': json(
          obj({
            dumps: { type: 'array', items: obj({ name: str, bytes: int, modifiedAt: str }) },
          }),
          'Dumps, newest first',
        ),
        '401': ERROR,
      },
    },
  },
  '/api/v1/dumps/{name}': {
    get: {
      tags: ['native'],
      summary: 'Download one dump (.heapsnapshot for Chrome DevTools, .cpuprofile)',
      parameters: [{ name: 'name', in: 'path', required: true, schema: str }],
      responses: {
        '200': {
          description: 'The file',
          content: { 'application/octet-stream': {} },
        },
        '401': ERROR,
        '404': ERROR,
      },
    },
  },
  '/api': {
    post: {
      tags: ['console'],
      summary:
        "Arthas's console API: exec, async_exec, pull_results, interrupt_job, init_session, join_session, close_session, session_info (docs/console.md)",
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: obj(
              {
                action: str,
                requestId: str,
                sessionId: str,
                consumerId: str,
                command: str,
                execTimeout: { oneOf: [int, str] },
                jobId: { oneOf: [int, str] },
              },
              ['requestId', 'sessionId', 'consumerId', 'command', 'execTimeout', 'jobId'],
            ),
          },
        },
      },
      responses: {
        '200': json(
          obj(
            {
              state: {
                type: 'string',
                enum: ['SCHEDULED', 'SUCCEEDED', 'INTERRUPTED', 'FAILED', 'REFUSED'],
              },
              message: str,
              requestId: str,
              sessionId: str,
              consumerId: str,
              body: { type: 'object' },
            },
            ['message', 'requestId', 'sessionId', 'consumerId', 'body'],
          ),
          'Every outcome, with its state (HTTP 200 also for FAILED and REFUSED, as Arthas)',
        ),
        '401': { description: 'Missing or wrong credentials (empty body, Basic challenge)' },
      },
    },
  },
  '/api/v1/openapi.json': {
    get: {
      tags: ['native'],
      summary: 'This document',
      responses: { '200': { description: 'OpenAPI 3.1' } },
    },
  },
  '/metrics': {
    get: {
      tags: ['metrics'],
      summary: "Prometheus exposition: node_exporter's host series and the agent's bosun_ series",
      responses: {
        '200': { description: 'text/plain; version=0.0.4', content: { 'text/plain': {} } },
        '401': ERROR,
      },
    },
  },
  '/hazelcast/rest/maps/system-monitoring-information': seatunnelMonitoring,
  '/system-monitoring-information': seatunnelMonitoring,
  '/': {
    get: {
      tags: ['dashboard'],
      summary: 'The web dashboard',
      responses: { '200': { description: 'HTML' } },
    },
  },
};

/** The document's frame and its hand-written paths; the collector merges the generated ones in. */
export function createOpenApiBase(version: string): OpenApiBase {
  return {
    info: {
      title: 'bosun',
      version,
      description:
        "bosun's HTTP API: vminfo's monitoring API, bosun's native API, Prometheus metrics and SeaTunnel's monitoring endpoint, on one port.",
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { basic: [] }, { cookie: [] }],
    tags: [
      {
        name: 'monitoring',
        description: "vminfo's API: field names and shapes as vminfo serves them",
      },
      { name: 'native', description: "bosun's own API" },
      { name: 'jobs', description: 'Jobs, their schedules and their runs' },
      { name: 'metrics', description: 'Prometheus' },
      { name: 'seatunnel', description: "Apache SeaTunnel's REST API (v1 and v2 paths)" },
      { name: 'dashboard', description: 'The web dashboard' },
    ],
    paths: OPENAPI_PATHS,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'the token given with --token' },
        basic: {
          type: 'http',
          scheme: 'basic',
          description: 'any user name, the token as password',
        },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'bosun_session',
          description: 'set by a /?token= page visit',
        },
      },
    },
  };
}

/**
 * Serves the document. With a collector (registered as the app's onRoute hook) the routes' schemas
 * are merged in; the document is built on the first request, when every route and shared schema
 * is known, and kept.
 */
export function registerOpenApiRoute(
  app: FastifyInstance,
  version: string,
  collector?: OpenApiCollector,
): void {
  let body: string | undefined;
  app.get('/api/v1/openapi.json', async (_request, reply) => {
    body ??= JSON.stringify(
      collector
        ? collector.document(createOpenApiBase(version))
        : { openapi: '3.1.0', ...createOpenApiBase(version) },
    );
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
