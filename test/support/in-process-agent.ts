// An agent started in this test process (the real createAgent on a free port, SQLite in a temp dir),
// for HTTP tests that want real components without a child process: `inject` hands a request to its
// HTTP app with no socket (shapes: status, headers, body), `url` is there for what needs the wire
// (sockets, streams, the fast lane, Host and Origin as a client sends them).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAgent, type Agent } from '../../src/agent.ts';
import { loadConfig, type RawSettings } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';

export interface InProcessAgent {
  url: string;
  agent: Agent;
  dataDir: string;
  /** Fastify's inject() on the agent's HTTP app (the Fastify routes; the fast lane is not on it). */
  inject: Agent['inject'];
  stop(): Promise<void>;
}

export async function startInProcessAgent(flags: RawSettings = {}): Promise<InProcessAgent> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-http-'));
  const config = loadConfig({
    flags: { port: '0', 'data-dir': dataDir, interval: '250ms', ...flags },
    env: { BOSUN_CONFIG: '' }, // not an installed agent's /etc/bosun/bosun.yaml
    cwd: dataDir,
  });
  const agent = createAgent(config, {
    logger: silentLogger(),
    version: '0.0.0-test',
    env: process.env,
  });
  const url = await agent.start();
  return {
    url,
    agent,
    dataDir,
    inject: (options) => agent.inject(options),
    async stop() {
      await agent.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
