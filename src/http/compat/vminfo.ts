// vminfo's monitoring API (specs/vminfo.md): /healthz, /api/v1/{snapshot,cpu,memory,disk,network,
// processes,system,health} and the /ws snapshot stream, with vminfo's paths, field names and shapes.
import { gzipSync } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { AgentError } from '../../errors.ts';
import type { Monitor, Sample } from '../../monitor/monitor.ts';
import { parseProcessQuery, queryProcesses } from '../../monitor/process-query.ts';
import type { Snapshot } from '../../monitor/snapshot.ts';
import type { FastLane, LaneAnswer, LaneRoute } from '../fast-lane.ts';
import type { RouteRules } from '../request-rules.ts';
import { described, notEnforced, int, obj, ref, type JsonSchema } from '../route-schema.ts';
import type { SnapshotHub } from '../stream.ts';
import { SECTION_SCHEMAS } from './vminfo-schemas.ts';

const SECTIONS = ['cpu', 'memory', 'disk', 'network', 'system', 'health'] as const;
type Section = (typeof SECTIONS)[number];

const JSON_HEADERS = {
  'cache-control': 'no-store',
  'content-type': 'application/json; charset=utf-8',
};

/** Bodies worth compressing; smaller ones cost more to gzip than they save. */
const GZIP_MIN_BYTES = 2048;

const ERROR = ref('Error');
/** What a read answers: its JSON, 503 before the first sample, and the request rules' refusals. */
const readSchema = (
  summary: string,
  answer: JsonSchema,
  more: Record<number, JsonSchema> = {},
) => ({
  summary,
  tags: ['monitoring'],
  responses: { 200: answer, ...more, 401: ERROR, 403: ERROR, 503: ERROR },
});
/** Public even in token mode (request-rules.ts). */
const PUBLIC: ReadonlyArray<Record<string, readonly string[]>> = [];

export function registerVminfoRoutes(
  app: FastifyInstance,
  deps: { monitor: Monitor; hub: SnapshotHub; lane: FastLane; storeReachable: () => boolean },
): void {
  const { monitor, hub, lane, storeReachable } = deps;
  // Per-sample caches: each section is serialised and compressed at most once per tick.
  const encoded = new WeakMap<Sample, Map<string, { body: Buffer; gzip?: Buffer }>>();

  const cached = (
    sample: Sample,
    key: string,
    make: () => string,
  ): { body: Buffer; gzip?: Buffer } => {
    let bySample = encoded.get(sample);
    if (!bySample) encoded.set(sample, (bySample = new Map()));
    let entry = bySample.get(key);
    if (!entry) bySample.set(key, (entry = { body: Buffer.from(make()) }));
    return entry;
  };

  const notReady = (): AgentError =>
    new AgentError(
      'NOT_READY',
      'no data yet: the first sample is being collected; retry in a moment',
    );

  const json = (
    headers: IncomingHttpHeaders,
    entry: { body: Buffer; gzip?: Buffer },
  ): LaneAnswer => {
    if (entry.body.length >= GZIP_MIN_BYTES && /\bgzip\b/.test(headers['accept-encoding'] ?? '')) {
      entry.gzip ??= gzipSync(entry.body, { level: 1 });
      return {
        headers: { ...JSON_HEADERS, vary: 'accept-encoding', 'content-encoding': 'gzip' },
        body: entry.gzip,
      };
    }
    return { headers: JSON_HEADERS, body: entry.body };
  };

  // One definition per read: the fast lane answers it when it can, Fastify otherwise, under the
  // same rules (request-rules.ts) read from the same route config.
  const read = (path: string, schema: FastifySchema, route: LaneRoute): void => {
    const config: RouteRules = {};
    lane.get(path, config, route);
    app.get(path, { config, schema }, async (request, reply) => {
      const answer = route(request.headers);
      if (answer === undefined) throw notReady();
      return reply.headers(answer.headers).send(answer.body);
    });
  };

  // Liveness: the agent answers, whatever the store does (vminfo's fields, and the store's state).
  const healthz = {
    summary: 'Liveness, and whether the store is reachable; public even in token mode',
    tags: ['monitoring'],
    security: PUBLIC,
    responses: {
      200: obj({
        status: { const: 'ok' },
        ws_clients: int,
        store: { enum: ['ok', 'unreachable'] },
      }),
    },
  };
  read('/healthz', healthz, () => ({
    headers: JSON_HEADERS,
    body: JSON.stringify({
      status: 'ok',
      ws_clients: hub.size(),
      store: storeReachable() ? 'ok' : 'unreachable',
    }),
  }));
  // Readiness, for a load balancer: 503 while the store cannot be reached.
  const readyz = {
    summary: 'Readiness: 503 while the store cannot be reached; public even in token mode',
    tags: ['monitoring'],
    security: PUBLIC,
    responses: {
      200: obj({ status: { const: 'ready' }, store: { const: 'ok' } }),
      503: {
        description: 'The store cannot be reached',
        ...obj({ status: { const: 'not ready' }, store: { const: 'unreachable' } }),
      },
    },
  };
  app.get('/readyz', { schema: readyz }, async (_request, reply) => {
    const ready = storeReachable();
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'not ready', store: ready ? 'ok' : 'unreachable' });
  });

  const snapshot = readSchema(
    'The full host snapshot (vminfo), always with the process list; gzip on request',
    ref('Snapshot'),
  );
  read('/api/v1/snapshot', snapshot, (headers) => {
    const sample = monitor.latestWithProcesses();
    return (
      sample &&
      json(
        headers,
        cached(sample, 'snapshot', () => sample.json),
      )
    );
  });

  for (const section of SECTIONS) {
    const schema = readSchema(SECTION_SUMMARIES[section], ref(SECTION_SCHEMAS[section]));
    // Health as vminfo's handleHealth scores it: over a sample with the process list, so a process
    // at 90 % CPU raises process_cpu_high even when nobody else asked for the processes.
    const latest =
      section === 'health' ? () => monitor.latestWithProcesses() : () => monitor.latest();
    read(`/api/v1/${section}`, schema, (headers) => {
      const sample = latest();
      return (
        sample &&
        json(
          headers,
          cached(sample, section, () => JSON.stringify(sectionOf(sample.snapshot, section))),
        )
      );
    });
  }

  // The query is read by parseProcessQuery, with its own messages: documented, not enforced.
  const processes = {
    ...readSchema(
      'The process list, filtered, sorted and limited',
      described(
        '`total`: every process on the host; `matched`: after the filter, before the limit',
        obj({ total: int, matched: int, list: { type: 'array', items: ref('ProcessRow') } }),
      ),
      { 400: ERROR },
    ),
    querystring: notEnforced({
      type: 'object',
      properties: {
        filter: {
          type: 'string',
          description: 'case-insensitive substring over pid, ppid, name, command, user and state',
        },
        q: { type: 'string', description: 'alias of filter' },
        sort: {
          enum: ['cpu', 'mem', 'pid', 'name'],
          default: 'cpu',
          description:
            'cpu and mem (memory percent) descending, pid and name (case-insensitive) ascending, ' +
            'ties by pid; any case; an unknown value sorts by cpu, as vminfo does',
        },
        limit: { type: 'integer', minimum: 0, default: 0, description: '0 = all' },
      },
    }),
  };
  app.get('/api/v1/processes', { schema: processes }, async (request, reply) => {
    const query = parseProcessQuery(request.query as Record<string, unknown>);
    const sample = monitor.latestWithProcesses();
    if (!sample) throw notReady();
    const { matched, list } = queryProcesses(sample.snapshot.processes.list, query);
    return reply
      .header('cache-control', 'no-store')
      .send({ total: sample.snapshot.processes.total, matched, list });
  });

  app.route({
    method: 'GET',
    url: '/ws',
    schema: {
      summary:
        'WebSocket: the latest snapshot at once, then one per sample (Snapshot messages only)',
      tags: ['monitoring'],
      responses: {
        101: { description: 'Switching protocols', type: 'null' },
        400: described('Not a WebSocket upgrade', ERROR),
        401: ERROR,
        403: ERROR,
      },
    },
    // Auth and the cross-site rules (site-guard.ts) have already passed the upgrade.
    handler: async (_request, reply) => {
      reply.header('upgrade', 'websocket');
      throw new AgentError(
        'INVALID_INPUT',
        '/ws is a WebSocket endpoint: connect with a WebSocket client',
      );
    },
    wsHandler: (socket) => {
      hub.add(socket);
    },
  });
}

const SECTION_SUMMARIES: Record<Section, string> = {
  cpu: 'CPU totals, per core, and a short history',
  memory: 'Memory and swap',
  disk: 'Filesystem usage per mount and disk I/O rates',
  network: 'Throughput, connection counts and interface counters',
  system: 'Host metadata and the agent itself',
  health: 'The health score and its warnings',
};

function sectionOf(snapshot: Snapshot, section: Section): unknown {
  return snapshot[section];
}
