// Starts the real agent (bin/bosun serve, as test/support/agent.ts does) for a benchmark: pinned to
// a CPU, on a free loopback port, with a fresh data dir, in its own process group.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, removeTempDir } from './cleanup.ts';
import { startPinned, stopGroup, waitForLine, type Started } from './spawn.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BOSUN = path.join(ROOT, 'bin', 'bosun');
export const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

export interface BenchAgent {
  url: string;
  /** The node process itself: bin/bosun execs node, and taskset execs bin/bosun. */
  pid: number;
  stop(): Promise<void>;
}

export interface AgentOptions {
  cpu?: number;
  args?: string[];
  /** NODE_OPTIONS for the agent only, to try runtime flags without touching bin/bosun. */
  nodeOptions?: string;
}

export async function startBosun(opts: AgentOptions): Promise<BenchAgent> {
  const dataDir = makeTempDir('agent');
  const args = ['serve', '--port', '0', '--data-dir', dataDir, '--log-format', 'json'];
  const started: Started = startPinned(opts.cpu, BOSUN, [...args, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: agentEnv(opts.nodeOptions),
  });
  const stop = async () => {
    await stopGroup(started);
    removeTempDir(dataDir);
  };
  try {
    const url = await waitForLine(started, listeningUrl, 30_000);
    return { url, pid: started.pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Starts and stops the agent once so Node's compile cache (NODE_COMPILE_CACHE, set by bin/bosun)
 * holds every module: measured agents then start as they do in production, without the TypeScript
 * stripper.
 */
export async function warmCompileCache(nodeOptions?: string): Promise<void> {
  const agent = await startBosun({ nodeOptions });
  // The first snapshot loads the lazily imported modules a measured run will use too.
  await fetch(`${agent.url}/api/v1/snapshot`).then((r) => r.arrayBuffer());
  await agent.stop();
}

/** The agent's URL from its "bosun listening" log line, if `line` is that line. */
export function listeningUrl(line: string): string | undefined {
  if (!line.includes('bosun listening')) return undefined;
  try {
    return (JSON.parse(line) as { url?: string }).url;
  } catch {
    return undefined;
  }
}

/** The caller's environment without BOSUN_* settings, so a developer's shell never skews a run. */
function agentEnv(nodeOptions: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('BOSUN_') && k !== 'NODE_OPTIONS') env[k] = v;
  }
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  return env;
}
