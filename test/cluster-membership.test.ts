// Membership from heartbeats on two real agents sharing one PostgreSQL: SeaTunnel tags set on one node
// are node labels every node filters /overview by, system-monitoring-information lists live members
// only and names a live master, and a restarted node keeps its tags. Heartbeats every second, so a
// SIGKILLed node drops out within about 3 s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAgent, type RunningAgent } from './support/agent.ts';
import { apiClient, waitFor } from './support/api.ts';
import { startCluster, type TestCluster } from './support/cluster.ts';

const HEARTBEAT = ['--heartbeat', '1s'];

type Member = Record<string, string>;

describe('cluster membership from heartbeats, two agents on one PostgreSQL', () => {
  let cluster: TestCluster | undefined;
  let restarted: RunningAgent | undefined;

  before(async () => {
    cluster = await startCluster(2, { args: HEARTBEAT });
  });
  after(async () => {
    await restarted?.stop();
    await cluster?.stop();
  });

  const port = (agent: RunningAgent): string => new URL(agent.url).port;
  const workers = async (agent: RunningAgent, query = ''): Promise<string> => {
    const { status, body } = await apiClient(agent.url)('GET', `/overview${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body.workers;
  };
  const monitoring = async (agent: RunningAgent, path = '/system-monitoring-information') => {
    const { status, body } = await apiClient(agent.url)('GET', path);
    assert.equal(status, 200, JSON.stringify(body));
    return body as Member[];
  };
  const masters = (members: Member[]): string[] =>
    members.filter((m) => m.isMaster === 'true').map((m) => m.port ?? '');

  it('shares tags as node labels, lists live members only and moves the master off a dead node', async () => {
    const [a, b] = cluster!.agents as [RunningAgent, RunningAgent];

    // Both members are seen from either node, and both name the same master: the older node, a.
    for (const agent of [a, b]) {
      const members = await waitFor('both members with a stored sample', async () => {
        const list = await monitoring(agent);
        return list.length === 2 ? list : undefined;
      });
      assert.deepEqual(masters(members), [port(a)]);
      assert.deepEqual(members.map((m) => m.port).sort(), [port(a), port(b)].sort());
      assert.equal(await workers(agent), '2');
    }

    // Tags set on a are a's labels in the store: b's overview filters by them.
    const set = await apiClient(a.url)('POST', '/update-tags', { tag1: 'dev_1', tag2: 'dev_2' });
    assert.deepEqual(set.body, { status: 'success' });
    assert.equal(await workers(b, '?tag1=dev_1'), '1');
    assert.equal(await workers(b, '?tag1=dev_1&tag2=dev_2'), '1');
    assert.equal(await workers(b, '?tag1=dev_2'), '0');
    assert.equal(await workers(b, '?node=b'), '0');
    assert.equal(await workers(b), '2');
    const nodes = (await apiClient(b.url)('GET', '/api/v1/nodes')).body.nodes as Member[];
    const nodeA = nodes.find((n) => !n.self);
    assert.deepEqual(nodeA?.labels, { tag1: 'dev_1', tag2: 'dev_2' });

    // The master dies without a word: b soon lists itself alone, as master.
    a.child.kill('SIGKILL');
    await new Promise((resolve) => a.child.once('exit', resolve));
    for (const path of [
      '/system-monitoring-information',
      '/hazelcast/rest/maps/system-monitoring-information',
    ]) {
      const alone = await waitFor(
        `${path} on b to list b alone`,
        async () => {
          const list = await monitoring(b, path);
          return list.length === 1 ? list : undefined;
        },
        20_000,
      );
      assert.deepEqual(masters(alone), [port(b)]);
    }
    assert.equal(await workers(b), '1');
    assert.equal(await workers(b, '?tag1=dev_1'), '0');
    const seen = (await apiClient(b.url)('GET', '/api/v1/nodes')).body.nodes as Member[];
    assert.equal(seen.find((n) => n.id === nodeA?.id)?.state, 'stale');

    // a comes back as the same node (its data dir keeps its id) with its tags; b stays master.
    restarted = await startAgent({
      dataDir: a.dataDir,
      args: ['--store', cluster!.storeUrl, ...HEARTBEAT],
    });
    assert.equal(
      await waitFor('the restarted node to count again', async () => {
        const n = await workers(b, '?tag1=dev_1');
        return n === '1' ? n : undefined;
      }),
      '1',
    );
    const both = await waitFor('both members again', async () => {
      const list = await monitoring(restarted!);
      return list.length === 2 ? list : undefined;
    });
    assert.deepEqual(masters(both), [port(b)], 'the restarted node is the youngest');
  });
});
