// GET /api/v1/history: the last hour of host samples kept in memory, for charts.
import type { FastifyInstance } from 'fastify';
import { AgentError } from '../../errors.ts';
import type { Monitor } from '../../monitor/monitor.ts';

export function registerHistoryRoutes(
  app: FastifyInstance,
  deps: { monitor: Monitor; intervalMs: number },
): void {
  app.get('/api/v1/history', async (request, reply) => {
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
