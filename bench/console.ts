// The console (POST /api): (1) requests/s and latency of a one-time `exec version` at 50 concurrent
// clients against bosun's own GET /healthz in the same run (target ≥ 0.5 of it); (2) how long a
// result item waits between being produced and a waiting pull_results returning it (target p99 ≤ 120
// ms, bounded by the 100 ms batching window). Agent on CPU 0, clients on CPU 1.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBosun, warmCompileCache, type BenchAgent } from './lib/agent.ts';
import { installCleanup, makeTempDir, runMain } from './lib/cleanup.ts';
import { canPin, which } from './lib/spawn.ts';
import { markdownTable, median, positive, verdict } from './lib/table.ts';
import { runWrk, type WrkResult } from './lib/wrk.ts';

export const OPTIONS = {
  duration: { type: 'string' },
  connections: { type: 'string' },
  rounds: { type: 'string' },
  items: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const USAGE = `usage: node bench/console.ts [flags]
  --duration     seconds per measured wrk run (default 5)
  --connections  concurrent clients (default 50)
  --rounds       exec/healthz pairs, run back to back; the ratio is the median of the pairs' (default 7)
  --items        result items timed for the pull delay (default 200)`;

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const TARGET_RATIO = 0.5;
const TARGET_PULL_P99_MS = 120;
const EXEC_BODY = JSON.stringify({ action: 'exec', command: 'version' });

interface Settings {
  duration: number;
  connections: number;
  rounds: number;
  items: number;
}

type Reply = {
  state: string;
  sessionId?: string;
  consumerId?: string;
  body?: { results?: Array<{ type: string; time?: number }> };
};

async function call(url: string, body: unknown): Promise<Reply> {
  const res = await fetch(`${url}/api`, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Reply;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

async function throughput(agent: BenchAgent, s: Settings): Promise<string[][]> {
  const script = path.join(makeTempDir('wrk'), 'exec.lua');
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = '${EXEC_BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  // What wrk will send must succeed, or the run measures errors.
  const probe = await call(agent.url, JSON.parse(EXEC_BODY));
  if (probe.state !== 'SUCCEEDED') {
    throw new Error(`exec version answered ${JSON.stringify(probe)}`);
  }

  const runs = { exec: [] as WrkResult[], healthz: [] as WrkResult[] };
  const wrk = (url: string, seconds: number, withScript: boolean) =>
    runWrk({
      url,
      seconds,
      connections: s.connections,
      cpu: CLIENT_CPU,
      ...(withScript ? { script } : {}),
    });
  for (let round = 0; round < s.rounds; round++) {
    const order = round % 2 === 0 ? (['exec', 'healthz'] as const) : (['healthz', 'exec'] as const);
    for (const which of order) {
      const url = which === 'exec' ? `${agent.url}/api` : `${agent.url}/healthz`;
      await wrk(url, 2, which === 'exec');
      const r = await wrk(url, s.duration, which === 'exec');
      if (r.errors > 0) throw new Error(`${which}: ${r.errors} errors in the wrk run`);
      runs[which].push(r);
      process.stdout.write(
        `  ${which.padEnd(8)} round ${round + 1}  ${Math.round(r.requestsPerSec)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms\n`,
      );
    }
  }
  const exec = median(runs.exec.map((r) => r.requestsPerSec));
  const healthz = median(runs.healthz.map((r) => r.requestsPerSec));
  // The host's speed drifts by up to 2× within minutes; a pair's two runs are seconds apart, so the
  // median of the pairs' ratios is steadier than the ratio of the medians.
  const pairs = runs.exec.map(
    (r, i) => r.requestsPerSec / (runs.healthz[i] as WrkResult).requestsPerSec,
  );
  const pairRatio = median(pairs);
  process.stdout.write(`  pair ratios: ${pairs.map((x) => x.toFixed(2)).join(', ')}\n`);
  const p = (rs: WrkResult[]) =>
    `${median(rs.map((r) => r.p50)).toFixed(2)} / ${median(rs.map((r) => r.p99)).toFixed(2)}`;
  return [
    [
      'one-time `exec version`',
      Math.round(exec).toString(),
      Math.round(healthz).toString(),
      `${pairRatio.toFixed(2)}×`,
      p(runs.exec),
      p(runs.healthz),
      `${verdict(pairRatio >= TARGET_RATIO)} (≥ ${TARGET_RATIO})`,
    ],
  ];
}

/** Item produced (its own `time`, the agent's clock on this host) → the pull that returned it. */
async function pullDelay(agent: BenchAgent, s: Settings): Promise<number[]> {
  const { sessionId, consumerId } = await call(agent.url, { action: 'init_session' });
  const delays: number[] = [];
  // Drain the welcome, then start a job producing an item every 150 ms.
  await call(agent.url, { action: 'pull_results', sessionId, consumerId });
  const started = await call(agent.url, {
    action: 'async_exec',
    sessionId,
    command: `dashboard -i 150 -n ${s.items}`,
  });
  if (started.state !== 'SCHEDULED') throw new Error(`dashboard: ${JSON.stringify(started)}`);
  for (;;) {
    const reply = await call(agent.url, { action: 'pull_results', sessionId, consumerId });
    const at = Date.now();
    const results = (reply.body?.results ?? []) as Array<{ type: string; time?: number }>;
    for (const item of results) {
      if (item.type === 'dashboard' && typeof item.time === 'number') delays.push(at - item.time);
    }
    if (results.some((i) => i.type === 'status')) break;
  }
  await call(agent.url, { action: 'close_session', sessionId });
  return delays;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const s: Settings = {
    duration: positive('duration', values.duration, 5),
    connections: positive('connections', values.connections, 50),
    rounds: positive('rounds', values.rounds, 7),
    items: positive('items', values.items, 200),
  };
  if (!which('wrk')) throw new Error('wrk is needed: apt-get install -y wrk');
  installCleanup(60 + s.rounds * 2 * (s.duration + 6) + s.items * 0.2 + 60);
  if (canPin(CLIENT_CPU)) {
    execFileSync('taskset', ['-a', '-p', '-c', String(CLIENT_CPU), String(process.pid)], {
      stdio: 'ignore',
    });
  }
  process.stdout.write(
    `console: wrk -t1 -c${s.connections} -d${s.duration}s (CPU ${CLIENT_CPU}), agent on CPU ${SERVER_CPU}, ${s.rounds} pairs\n`,
  );
  await warmCompileCache();
  const agent = await startBosun({ cpu: SERVER_CPU });
  try {
    const rows = await throughput(agent, s);
    process.stdout.write(
      `\n${markdownTable(
        [
          'request',
          'req/s',
          'GET /healthz req/s',
          'ratio (median of pairs)',
          'p50 / p99 ms',
          'healthz p50 / p99 ms',
          'target',
        ],
        rows,
      )}\n\n`,
    );
    const delays = await pullDelay(agent, s);
    const p50 = quantile(delays, 0.5);
    const p99 = quantile(delays, 0.99);
    process.stdout.write(
      `${markdownTable(
        ['result item → pull_results', 'items', 'p50 ms', 'p99 ms', 'max ms', 'target'],
        [
          [
            '`dashboard -i 150` items, one consumer waiting',
            String(delays.length),
            p50.toFixed(1),
            p99.toFixed(1),
            Math.max(...delays).toFixed(1),
            `${verdict(p99 <= TARGET_PULL_P99_MS)} (p99 ≤ ${TARGET_PULL_P99_MS})`,
          ],
        ],
      )}\n`,
    );
  } finally {
    await agent.stop();
  }
}

if (import.meta.main) runMain(() => main(process.argv.slice(2)));
