// GET /api/v1/history: the last hour of host samples kept in memory, for charts.
import type { FastifyInstance } from 'fastify';
import { AgentError } from '../../errors.ts';
import type { Monitor } from '../../monitor/monitor.ts';
import { notEnforced, int, num, obj, ref } from '../route-schema.ts';

// `since` is checked by the handler, with its own message: documented, not enforced.
const schema = {
  summary: 'The last hour of samples, kept in memory',
  tags: ['native'],
  querystring: notEnforced({
    type: 'object',
    properties: { since: { type: 'number', description: 'Unix time in seconds' } },
  }),
  responses: {
    200: obj({
      interval_sec: num,
      points: {
        type: 'array',
        description: 'oldest first',
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
    400: ref('Error'),
    401: ref('Error'),
  },
};

export function registerHistoryRoutes(
  app: FastifyInstance,
  deps: { monitor: Monitor; intervalMs: number },
): void {
  app.get('/api/v1/history', { schema }, async (request, reply) => {
    const { since } = request.query as { since?: unknown };
    let sinceMs: number | undefined;
    if (since !== undefined && since !== '') {
      if (typeof since !== 'string' || !/^\d+(\.\d+)?$/.test(since)) {
        throw new AgentError(
          'INVALID_INPUT',
          `invalid since "${String(since)}": must be a Unix time in seconds, e.g. since=${Math.floor(Date.now() / 1000) - 600}`,
        );
      }
      sinceMs = Number(since) * 1000;
    }
    return reply
      .header('cache-control', 'no-store')
      .send({ interval_sec: deps.intervalMs / 1000, points: deps.monitor.history(sinceMs) });
  });
}
