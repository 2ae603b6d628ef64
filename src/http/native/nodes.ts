// GET /api/v1/nodes[/:id[/snapshot]]: the agents registered in the store, with their liveness (as the
// cluster membership judges it) and latest host snapshot, so any node can show every node.
import type { FastifyInstance } from 'fastify';
import type { Member, Membership } from '../../cluster/membership.ts';
import { AgentError } from '../../errors.ts';
import type { Monitor } from '../../monitor/monitor.ts';

export interface NodeView {
  id: string;
  hostname: string;
  address: string;
  version: string;
  pid: number;
  labels: Record<string, string>;
  state: 'up' | 'down' | 'stale';
  self: boolean;
  registeredAt: string;
  startedAt: string;
  heartbeatAt: string;
  sampleAt: string | null;
}

export function registerNodeRoutes(
  app: FastifyInstance,
  deps: { membership: Membership; monitor: Monitor; nodeId: string },
): void {
  const view = (node: Member): NodeView => ({
    id: node.id,
    hostname: node.hostname,
    address: node.address,
    version: node.version,
    pid: node.pid,
    labels: node.labels,
    state: node.status,
    self: node.id === deps.nodeId,
    registeredAt: new Date(node.registeredAt).toISOString(),
    startedAt: new Date(node.startedAt).toISOString(),
    heartbeatAt: new Date(node.heartbeatAt).toISOString(),
    sampleAt: node.sampleAt === undefined ? null : new Date(node.sampleAt).toISOString(),
  });

  const find = async (id: string): Promise<Member> => {
    const node = await deps.membership.member(id);
    if (!node) {
      throw new AgentError(
        'NOT_FOUND',
        `node "${id}" not found; GET /api/v1/nodes lists the nodes`,
      );
    }
    return node;
  };

  app.get('/api/v1/nodes', async () => ({
    nodes: (await deps.membership.members()).map(view),
  }));

  app.get('/api/v1/nodes/:id', async (request) => {
    const { id } = request.params as { id: string };
    return view(await find(id));
  });

  app.get('/api/v1/nodes/:id/snapshot', async (request, reply) => {
    const { id } = request.params as { id: string };
    reply.header('cache-control', 'no-store').type('application/json; charset=utf-8');
    if (id === deps.nodeId) {
      const sample = deps.monitor.latest();
      if (sample) return reply.send(sample.json);
    }
    const node = await find(id);
    if (node.sampleJson === undefined) {
      throw new AgentError('NOT_READY', `node "${id}" has not reported a sample yet`);
    }
    return reply.send(node.sampleJson);
  });
}
