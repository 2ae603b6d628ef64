// Agents that share one fresh PostgreSQL database on a throwaway server, for the cluster tests.
import { startAgent, type RunningAgent } from './agent.ts';
import { createTestDatabase, startPostgres } from './postgres.ts';

export interface TestCluster {
  agents: RunningAgent[];
  /** Stops every agent still running, drops the database and stops the server. */
  stop(): Promise<void>;
}

export async function startCluster(size: number): Promise<TestCluster> {
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
      agents.push(await startAgent({ args: ['--store', database.url] }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { agents, stop };
}
