// Agents that share one fresh PostgreSQL database on a throwaway server, for the cluster tests.
import { startAgent, type RunningAgent } from './agent.ts';
import { createTestDatabase, startPostgres } from './postgres.ts';

export interface TestCluster {
  agents: RunningAgent[];
  /** The --store URL the agents share, to start another one on it. */
  storeUrl: string;
  /** Stops every agent still running, drops the database and stops the server. */
  stop(): Promise<void>;
}

/** `args` are given to every agent (e.g. a short `--heartbeat`). */
export async function startCluster(
  size: number,
  opts: { args?: string[] } = {},
): Promise<TestCluster> {
  const server = await startPostgres();
  const database = await createTestDatabase(server.url);
  const agents: RunningAgent[] = [];
  const stop = async (): Promise<void> => {
    for (const agent of agents) await agent.stop();
    await database.drop();
    await server.stop();
  };
  try {
    for (let i = 0; i < size; i += 1) {
      agents.push(await startAgent({ args: ['--store', database.url, ...(opts.args ?? [])] }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { agents, storeUrl: database.url, stop };
}
