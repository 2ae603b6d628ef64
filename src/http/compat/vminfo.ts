// vminfo's monitoring API (specs/vminfo.md): /healthz, /api/v1/{snapshot,cpu,memory,disk,network,
// processes,system,health} and the /ws snapshot stream, with vminfo's paths, field names and shapes.
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AgentError } from '../../errors.ts';
import type { Monitor, Sample } from '../../monitor/monitor.ts';
import { parseProcessQuery, queryProcesses } from '../../monitor/process-query.ts';
import type { Snapshot } from '../../monitor/snapshot.ts';
import type { Auth } from '../auth.ts';
import { replyError } from '../reply-error.ts';
import type { SnapshotHub } from '../stream.ts';

const SECTIONS = ['cpu', 'memory', 'disk', 'network', 'system', 'health'] as const;
type Section = (typeof SECTIONS)[number];

/** Bodies worth compressing; smaller ones cost more to gzip than they save. */
const GZIP_MIN_BYTES = 2048;

export function registerVminfoRoutes(
  app: FastifyInstance,
  deps: { monitor: Monitor; hub: SnapshotHub; auth: Auth },
): void {
  const { monitor, hub, auth } = deps;
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

  const sendJson = (
    request: FastifyRequest,
    reply: FastifyReply,
    entry: { body: Buffer; gzip?: Buffer },
  ) => {
    reply.header('cache-control', 'no-store').type('application/json; charset=utf-8');
    if (
      entry.body.length >= GZIP_MIN_BYTES &&
      /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
    ) {
      entry.gzip ??= gzipSync(entry.body, { level: 1 });
      reply.header('vary', 'accept-encoding').header('content-encoding', 'gzip');
      return reply.send(entry.gzip);
    }
    return reply.send(entry.body);
  };

  const requireSample = (sample: Sample | undefined): Sample => {
    if (!sample) {
      throw new AgentError(
        'NOT_READY',
        'no data yet: the first sample is being collected; retry in a moment',
      );
    }
    return sample;
  };

  app.get('/healthz', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok', ws_clients: hub.size() }),
  );

  app.get('/api/v1/snapshot', async (request, reply) => {
    const sample = requireSample(await monitor.latestWithProcesses());
    return sendJson(
      request,
      reply,
      cached(sample, 'snapshot', () => sample.json),
    );
  });

  for (const section of SECTIONS) {
    app.get(`/api/v1/${section}`, async (request, reply) => {
      const sample = requireSample(monitor.latest());
      return sendJson(
        request,
        reply,
        cached(sample, section, () => JSON.stringify(sectionOf(sample.snapshot, section))),
      );
    });
  }

  app.get('/api/v1/processes', async (request, reply) => {
    const query = parseProcessQuery(request.query as Record<string, unknown>);
    const sample = requireSample(await monitor.latestWithProcesses());
    const { matched, list } = queryProcesses(sample.snapshot.processes.list, query);
    return reply
      .header('cache-control', 'no-store')
      .send({ total: sample.snapshot.processes.total, matched, list });
  });

  app.route({
    method: 'GET',
    url: '/ws',
    // In token mode the upgrade has already passed the auth hook; browsers must also be same-origin.
    preValidation: async (request, reply) => {
      if (!auth.sameOrigin(request)) {
        return replyError(
          request,
          reply,
          new AgentError(
            'FORBIDDEN',
            'cross-origin WebSocket refused: open the dashboard from this agent',
          ),
        );
      }
    },
    handler: async (request, reply) =>
      replyError(
        request,
        reply.header('upgrade', 'websocket'),
        new AgentError(
          'INVALID_INPUT',
          '/ws is a WebSocket endpoint: connect with a WebSocket client',
        ),
      ),
    wsHandler: (socket) => {
      hub.add(socket);
    },
  });
}

function sectionOf(snapshot: Snapshot, section: Section): unknown {
  return snapshot[section];
}
