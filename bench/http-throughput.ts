// HTTP throughput of bosun vs a bare node:http server answering the same bytes: wrk on GET
// /api/v1/snapshot and /healthz, servers on CPU 0, wrk on CPU 1, alternating runs, median of pairs.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RouteSpec } from './baseline-server.ts';
import { NODE, ROOT, startBosun, warmCompileCache, type BenchAgent } from './lib/agent.ts';
import { installCleanup, makeTempDir, runMain } from './lib/cleanup.ts';
import { cpuTicks, memory, mib, stealTicks, ticksToSeconds } from './lib/proc.ts';
import { sleep, startPinned, stopGroup, waitForLine, which } from './lib/spawn.ts';
import { markdownTable, median, positive, ratio, verdict } from './lib/table.ts';
import { runWrk, type WrkResult } from './lib/wrk.ts';

export const OPTIONS = {
  duration: { type: 'string' },
  connections: { type: 'string' },
  warmup: { type: 'string' },
  rounds: { type: 'string' },
  settle: { type: 'string' },
  'agent-node-options': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const USAGE = `usage: node bench/http-throughput.ts [flags]
  --duration            seconds per measured wrk run (default 10)
  --connections         wrk connections (default 50)
  --warmup              seconds of unmeasured wrk before each measured run (default 2)
  --rounds              bosun/baseline pairs per endpoint; the median is reported (default 3)
  --settle              seconds both servers stay idle after start before the first run (none
                        unless given); 180 measures a settled agent, whose young generation V8
                        has shrunk
  --agent-node-options  NODE_OPTIONS for the agent only, to try runtime flags (default none)`;

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
/** bosun must reach this share of the bare server's requests/s. */
const TARGET_RATIO = 0.8;
const ENDPOINTS = ['/api/v1/snapshot', '/healthz'] as const;

interface Settings {
  duration: number;
  connections: number;
  warmup: number;
  rounds: number;
  settle: number;
  nodeOptions: string | undefined;
}

interface Target {
  name: 'bosun' | 'baseline';
  url: string;
  pid: number;
}

interface Run extends WrkResult {
  /**
   * The server's CPU during the measured run, % of one core: ~100 % means the server was the limit.
   */
  serverCpu: number;
  /** Requests per second of server CPU: steadier than req/s when the VM's CPU 0 is stolen. */
  perCpuSecond: number;
  /** % of CPU 0 the hypervisor stole during the run. */
  steal: number;
}

function settingsFrom(argv: string[]): Settings | undefined {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) return undefined;
  return {
    duration: positive('duration', values.duration, 10),
    connections: Math.round(positive('connections', values.connections, 50)),
    warmup: positive('warmup', values.warmup, 2),
    rounds: Math.round(positive('rounds', values.rounds, 3)),
    settle: positive('settle', values.settle, 0),
    nodeOptions: values['agent-node-options'],
  };
}

/** Saves bosun's answers (bytes and headers) where the baseline server reads them. */
async function captureBodies(bosunUrl: string): Promise<string> {
  const dir = makeTempDir('bodies');
  const routes: RouteSpec[] = [];
  for (const [i, endpoint] of ENDPOINTS.entries()) {
    const res = await fetch(`${bosunUrl}${endpoint}`);
    if (!res.ok) throw new Error(`GET ${endpoint} answered ${res.status}`);
    const file = `body-${i}`;
    writeFileSync(path.join(dir, file), Buffer.from(await res.arrayBuffer()));
    routes.push({
      path: endpoint,
      body: file,
      contentType: res.headers.get('content-type') ?? 'application/octet-stream',
      cacheControl: res.headers.get('cache-control') ?? undefined,
    });
  }
  const routesFile = path.join(dir, 'routes.json');
  writeFileSync(routesFile, JSON.stringify(routes));
  return routesFile;
}

async function startBaseline(routesFile: string): Promise<Target & { stop(): Promise<void> }> {
  const server = startPinned(SERVER_CPU, NODE, [
    path.join(ROOT, 'bench', 'baseline-server.ts'),
    '--routes',
    routesFile,
  ]);
  const url = await waitForLine(
    server,
    (line) => (line.startsWith('{') ? (JSON.parse(line) as { url: string }).url : undefined),
    15_000,
  );
  return { name: 'baseline', url, pid: server.pid, stop: () => stopGroup(server) };
}

async function measureOnce(target: Target, endpoint: string, s: Settings): Promise<Run> {
  const wrk = { url: `${target.url}${endpoint}`, connections: s.connections, cpu: CLIENT_CPU };
  await runWrk({ ...wrk, seconds: s.warmup });
  const ticks0 = cpuTicks(target.pid);
  const steal0 = stealTicks(SERVER_CPU);
  const t0 = performance.now();
  const result = await runWrk({ ...wrk, seconds: s.duration });
  const wall = (performance.now() - t0) / 1000;
  const cpuSeconds = ticksToSeconds(cpuTicks(target.pid) - ticks0);
  return {
    ...result,
    serverCpu: (cpuSeconds / wall) * 100,
    perCpuSecond: (result.requestsPerSec * wall) / cpuSeconds,
    steal: (ticksToSeconds(stealTicks(SERVER_CPU) - steal0) / wall) * 100,
  };
}

function describe(name: string, endpoint: string, round: number, run: Run): string {
  const errors = run.errors > 0 ? `  ERRORS ${run.errors}` : '';
  const rps = run.requestsPerSec.toFixed(0).padStart(7);
  const latency = `p50 ${run.p50.toFixed(2)} ms  p99 ${run.p99.toFixed(2)} ms`;
  const cpu = `server CPU ${run.serverCpu.toFixed(0)} %  ${run.perCpuSecond.toFixed(0)} req/CPU-s`;
  const steal = `steal ${run.steal.toFixed(1)} %${errors}`;
  const who = `${endpoint} round ${round} ${name.padEnd(8)}`;
  return `  ${who} ${rps} req/s  ${latency}  ${cpu}  ${steal}`;
}

/**
 * Alternates bosun and the baseline, flipping who goes first each round so neither always runs
 * warm.
 */
async function benchEndpoint(
  endpoint: string,
  targets: readonly [Target, Target],
  s: Settings,
): Promise<Record<Target['name'], Run[]>> {
  const runs: Record<Target['name'], Run[]> = { bosun: [], baseline: [] };
  for (let round = 1; round <= s.rounds; round += 1) {
    const order = round % 2 === 1 ? targets : ([targets[1], targets[0]] as const);
    for (const target of order) {
      const run = await measureOnce(target, endpoint, s);
      runs[target.name].push(run);
      process.stdout.write(`${describe(target.name, endpoint, round, run)}\n`);
    }
  }
  return runs;
}

function summaryRow(endpoint: string, runs: Record<Target['name'], Run[]>): string[] {
  const med = (name: Target['name'], key: keyof Run) => median(runs[name].map((r) => r[key]));
  const bosun = med('bosun', 'requestsPerSec');
  const bare = med('baseline', 'requestsPerSec');
  const errors = [...runs.bosun, ...runs.baseline].reduce((sum, r) => sum + r.errors, 0);
  return [
    endpoint,
    bosun.toFixed(0),
    bare.toFixed(0),
    ratio(bosun, bare),
    `${med('bosun', 'p50').toFixed(2)} / ${med('bosun', 'p99').toFixed(2)}`,
    `${med('baseline', 'p50').toFixed(2)} / ${med('baseline', 'p99').toFixed(2)}`,
    `${med('bosun', 'serverCpu').toFixed(0)} / ${med('baseline', 'serverCpu').toFixed(0)}`,
    ratio(med('bosun', 'perCpuSecond'), med('baseline', 'perCpuSecond')),
    verdict(bosun / bare >= TARGET_RATIO && errors === 0) +
      (errors > 0 ? ` (${errors} errors)` : ''),
  ];
}

export async function main(argv: string[]): Promise<void> {
  const s = settingsFrom(argv);
  if (!s) return void process.stdout.write(`${USAGE}\n`);
  const perRun = s.warmup + s.duration + 1;
  installCleanup(ENDPOINTS.length * s.rounds * 2 * perRun * 2 + s.settle + 120);
  if (!which('wrk')) throw new Error('wrk is not installed: apt-get install -y wrk');

  process.stdout.write(
    `http-throughput: wrk -t1 -c${s.connections} -d${s.duration}s --latency (CPU ${CLIENT_CPU}), ` +
      `servers on CPU ${SERVER_CPU}, ${s.warmup} s warm-up per run, median of ${s.rounds} pairs` +
      (s.settle > 0 ? `, after ${s.settle} s idle` : '') +
      (s.nodeOptions ? `; agent NODE_OPTIONS=${s.nodeOptions}` : '') +
      '\n',
  );
  await warmCompileCache(s.nodeOptions);
  let bosun: BenchAgent | undefined;
  let baseline: (Target & { stop(): Promise<void> }) | undefined;
  try {
    bosun = await startBosun({ cpu: SERVER_CPU, nodeOptions: s.nodeOptions });
    baseline = await startBaseline(await captureBodies(bosun.url));
    const targets = [{ name: 'bosun', url: bosun.url, pid: bosun.pid }, baseline] as const;
    // An agent that has run a while idle is the one users have (docs/performance.md).
    if (s.settle > 0) await sleep(s.settle * 1000);
    const rssBefore = memory(bosun.pid).rss;
    const rows: string[][] = [];
    for (const endpoint of ENDPOINTS) {
      rows.push(summaryRow(endpoint, await benchEndpoint(endpoint, targets, s)));
    }
    const header = [
      'endpoint',
      'bosun req/s',
      'bare node:http req/s',
      'ratio',
      'bosun p50 / p99 ms',
      'bare p50 / p99 ms',
      'server CPU % bosun / bare',
      'ratio per CPU-s',
      `target ≥ ${TARGET_RATIO.toFixed(2)}`,
    ];
    process.stdout.write(`\n${markdownTable(header, rows)}\n`);
    // A settled agent is smaller; its RSS says whether V8 had given back the young generation.
    const rssAfter = memory(bosun.pid).rss;
    process.stdout.write(
      `\nbosun RSS: ${mib(rssBefore)} MiB before the runs, ${mib(rssAfter)} MiB after\n`,
    );
  } finally {
    await baseline?.stop();
    await bosun?.stop();
  }
}

if (import.meta.main) runMain(() => main(process.argv.slice(2)));
