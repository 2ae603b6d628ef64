// GET /api/v1/nodes[/:id[/snapshot]]: the agents registered in the store, with their liveness (as the
// cluster membership judges it) and latest host snapshot, so any node can show every node.
import type { FastifyInstance } from 'fastify';
import type { Member, Membership } from '../../cluster/membership.ts';
import { AgentError } from '../../errors.ts';
import type { NodeRegistration } from '../../model/nodes.ts';
import type { Monitor } from '../../monitor/monitor.ts';
import { notEnforced, int, obj, ref, str } from '../route-schema.ts';

const ERROR = ref('Error');
const time = { type: 'string', format: 'date-time' } as const;
const nodeSchema = obj({
  id: str,
  hostname: str,
  address: str,
  version: str,
  pid: int,
  labels: { type: 'object', additionalProperties: str },
  state: { enum: ['up', 'down', 'stale'] },
  self: { type: 'boolean' },
  registeredAt: time,
  startedAt: time,
  heartbeatAt: time,
  sampleAt: { type: ['string', 'null'], format: 'date-time' },
});
// Any id is looked up, an unknown one is a 404 of the handler's: documented, not enforced.
const idParams = () => notEnforced(obj({ id: str }));

export interface NodeView extends NodeRegistration {
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

  const list = {
    summary: 'The agents registered in the store',
    tags: ['native'],
    responses: { 200: obj({ nodes: { type: 'array', items: nodeSchema } }), 401: ERROR },
  };
  app.get('/api/v1/nodes', { schema: list }, async () => ({
    nodes: (await deps.membership.members()).map(view),
  }));

  const one = {
    summary: 'One node',
    tags: ['native'],
    params: idParams(),
    responses: { 200: nodeSchema, 401: ERROR, 404: ERROR },
  };
  app.get('/api/v1/nodes/:id', { schema: one }, async (request) => {
    const { id } = request.params as { id: string };
    return view(await find(id));
  });

  const snapshot = {
    summary:
      "A node's latest snapshot (live for this node, as stored with the heartbeat for others)",
    tags: ['native'],
    params: idParams(),
    responses: { 200: ref('Snapshot'), 401: ERROR, 404: ERROR, 503: ERROR },
  };
  app.get('/api/v1/nodes/:id/snapshot', { schema: snapshot }, async (request, reply) => {
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
