// Jobs and scheduling: (1) how late a scheduled run's process starts (200 one-shot schedules due at
// 40/s), (2) runs/s through the agent with 10 slots, (3) the idle agent's CPU and memory holding
// 10,000 scheduled jobs. (1) and (2) measure a bare Node loop spawning the same processes and an
// agent on each store (SQLite, and PostgreSQL on a throwaway server) in the same run, rounds
// interleaved (bare, sqlite, postgres; the next round starts one further on), and print each
// store's ratio to the bare loop and PostgreSQL's to SQLite. (3) compares the agent with the same
// agent holding no job. The agents, their runs and the bare loop are on CPU 0; this process (the
// API client) and the PostgreSQL server, which stands for a database on another machine, on CPU 1.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TestPostgres } from '../test/support/postgres.ts';
import { NODE, ROOT, startBosun, warmCompileCache, type BenchAgent } from './lib/agent.ts';
import type {
  LatencyJob,
  LatencyResult,
  ThroughputJob,
  ThroughputResult,
} from './lib/bare-spawner.ts';
import { installCleanup, makeTempDir, removeTempDir, runMain } from './lib/cleanup.ts';
import { describeLoad, watchHostLoad, type HostLoad } from './lib/host-load.ts';
import {
  allRuns,
  busy,
  call,
  ms,
  pool,
  TERMINAL,
  type ApiJob,
  type ApiRun,
} from './lib/jobs-api.ts';
import {
  childrenCpuTicks,
  cpuTicks,
  liveChildren,
  measure,
  memory,
  mib,
  ticksToSeconds,
  type Footprint,
} from './lib/proc.ts';
import { canPin, sleep, startPinned, stopGroup, waitForLine } from './lib/spawn.ts';
import { markdownTable, median, positive, ratio, verdict } from './lib/table.ts';

export const OPTIONS = {
  phases: { type: 'string' },
  stores: { type: 'string' },
  rounds: { type: 'string' },
  variants: { type: 'string' },
  fires: { type: 'string' },
  rate: { type: 'string' },
  lead: { type: 'string' },
  runs: { type: 'string' },
  concurrency: { type: 'string' },
  jobs: { type: 'string' },
  window: { type: 'string' },
  warmup: { type: 'string' },
  sample: { type: 'string' },
  unpinned: { type: 'boolean' },
  'agent-node-options': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const USAGE = `usage: node bench/scheduling.ts [flags]
  --phases              any of latency, throughput, idle (default all)
  --stores              sqlite and/or postgres, for latency and throughput (default both); postgres
                        starts a throwaway server (test/support/postgres.ts)
  --rounds              interleaved rounds (bare, each store) for latency and throughput (default 3
                        and 5)
  --variants            latency commands: true and/or self-timed (default both)
  --fires               one-shot schedules per latency round (default 200)
  --rate                fires per second (default 40)
  --lead                seconds from creating the jobs to the first fire (default 3)
  --runs                runs per throughput round (default 2000)
  --concurrency         POST /run requests in flight (default 16)
  --jobs                scheduled jobs in the idle phase (default 10000)
  --window              measured idle seconds (default 60)
  --warmup              seconds between the last job created and the idle window (default 10)
  --sample              seconds between memory samples (default 3)
  --unpinned            no taskset: the agents, their runs, the bare loop, PostgreSQL and the client
                        share both CPUs
  --agent-node-options  NODE_OPTIONS for the agents only, e.g. '--cpu-prof --cpu-prof-dir=/tmp/p'`;

const PHASES = ['latency', 'throughput', 'idle'] as const;
type Phase = (typeof PHASES)[number];
const STORES = ['sqlite', 'postgres'] as const;
type StoreKind = (typeof STORES)[number];
/** Who spawns the processes in a round: the bare loop, or an agent on one of the stores. */
type Side = 'bare' | StoreKind;
const VARIANTS = ['true', 'self-timed'] as const;
type Variant = (typeof VARIANTS)[number];

const AGENT_CPU = 0;
const CLIENT_CPU = 1;
const SLOTS = 10;
/** Issue 22's targets for PostgreSQL, against the bare loop and SQLite in the same run. */
const PG_P99_TARGET = 1.5;
const THROUGHPUT_TARGET = 0.7;
/** The standing target for the embedded store, against the bare loop in the same run. */
const SQLITE_P99_TARGET = 1.2;
/** The command that records its own start, as ns since the epoch, in $OUT/$BOSUN_RUN_ID. */
const SELF_TIMED = 'date +%s%N > "$OUT/$BOSUN_RUN_ID"';
const BARE = path.join(ROOT, 'bench', 'lib', 'bare-spawner.ts');

interface Settings {
  phases: Phase[];
  stores: StoreKind[];
  variants: Variant[];
  latencyRounds: number;
  throughputRounds: number;
  fires: number;
  rate: number;
  lead: number;
  runs: number;
  concurrency: number;
  jobs: number;
  window: number;
  warmup: number;
  sample: number;
  nodeOptions: string | undefined;
  /** The agents (with their runs) and the bare loop on AGENT_CPU, this process and PostgreSQL on CLIENT_CPU. */
  pinned: boolean;
}

function list<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').map((p) => p.trim());
  for (const p of items) {
    if (!(allowed as readonly string[]).includes(p)) {
      throw new Error(`unknown ${name} "${p}": use ${allowed.join(', ')}`);
    }
  }
  return items as T[];
}

function settingsFrom(argv: string[]): Settings | undefined {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) return undefined;
  const rounds = values.rounds === undefined ? undefined : positive('rounds', values.rounds, 1);
  return {
    phases: list('phase', values.phases ?? PHASES.join(','), PHASES),
    // In STORES order whatever the flag's: SQLite first in each round, and as the reference.
    stores: STORES.filter((k) =>
      list('store', values.stores ?? STORES.join(','), STORES).includes(k),
    ),
    variants: VARIANTS.filter((v) =>
      list('variant', values.variants ?? VARIANTS.join(','), VARIANTS).includes(v),
    ),
    latencyRounds: Math.round(rounds ?? 3),
    throughputRounds: Math.round(rounds ?? 5),
    fires: Math.round(positive('fires', values.fires, 200)),
    rate: positive('rate', values.rate, 40),
    lead: positive('lead', values.lead, 3),
    runs: Math.round(positive('runs', values.runs, 2000)),
    concurrency: Math.round(positive('concurrency', values.concurrency, 16)),
    jobs: Math.round(positive('jobs', values.jobs, 10_000)),
    window: positive('window', values.window, 60),
    warmup: positive('warmup', values.warmup, 10),
    sample: positive('sample', values.sample, 3),
    nodeOptions: values['agent-node-options'],
    pinned: values.unpinned !== true,
  };
}

const log = (line: string) => process.stdout.write(`  ${line}\n`);

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: p99 of 600 samples is the 594th, an observed value.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

/** `sides` rotated left by `round`: each side goes first in turn, and the cycle stays interleaved. */
function rotate<T>(sides: readonly T[], round: number): T[] {
  const k = round % sides.length;
  return [...sides.slice(k), ...sides.slice(0, k)];
}

// ---------------------------------------------------------------------------------------------
// Stores and agents

interface StoreHandle {
  kind: StoreKind;
  /** Extra `bosun serve` flags for a fresh, empty store. */
  args(): Promise<string[]>;
}

let postgres: TestPostgres | undefined;
/** The PostgreSQL server's processes (postmaster and its children), counted as the benchmark's own. */
let postmasterPid: number | undefined;

async function storeHandle(kind: StoreKind, s: Settings): Promise<StoreHandle> {
  if (kind === 'sqlite') return { kind, args: async () => [] };
  // Loaded only when asked for: the SQLite runs (and bench/run.ts, which imports OPTIONS) need neither.
  const { startPostgres } = await import('../test/support/postgres.ts');
  const { default: pg } = await import('pg');
  if (postgres === undefined) {
    // Its own server even under `npm test`'s BOSUN_TEST_PG_URL: nothing else shares it.
    postgres = await startPostgres({ own: true });
    postmasterPid = findPostmaster(new URL(postgres.url).port);
    if (s.pinned && postmasterPid !== undefined) pinTree(postmasterPid, CLIENT_CPU);
  }
  const server = postgres;
  let n = 0;
  return {
    kind,
    args: async () => {
      // A database per agent, so every agent starts on an empty store.
      const db = `bench_${process.pid}_${n++}`;
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await client.query(`create database ${db}`);
      } finally {
        await client.end();
      }
      return ['--store', server.url.replace(/\/postgres$/, `/${db}`)];
    },
  };
}

/** The pid of the postgres server listening on `port` (its command line names the port). */
function findPostmaster(port: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0] ?? '') === 'postgres' && argv.includes(port)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Pins a process and its live descendants; children it forks later inherit the CPU. */
function pinTree(pid: number, cpu: number): void {
  if (!canPin(cpu)) return;
  for (const p of [pid, ...liveChildren(pid)]) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(p)], { stdio: 'ignore' });
    } catch {
      // exited meanwhile, or not ours to pin: only noisier
    }
  }
}

async function agent(s: Settings, store: StoreHandle): Promise<BenchAgent> {
  const args = ['--slots', String(SLOTS), ...(await store.args())];
  return startBosun({ cpu: s.pinned ? AGENT_CPU : undefined, args, nodeOptions: s.nodeOptions });
}

/** One agent per store, started and stopped together. */
async function startAgents(
  s: Settings,
  stores: StoreHandle[],
): Promise<Map<StoreKind, BenchAgent>> {
  const agents = new Map<StoreKind, BenchAgent>();
  try {
    for (const store of stores) agents.set(store.kind, await agent(s, store));
  } catch (err) {
    await stopAgents(agents);
    throw err;
  }
  return agents;
}

async function stopAgents(agents: Map<StoreKind, BenchAgent>): Promise<void> {
  await Promise.all([...agents.values()].map((a) => a.stop()));
}

/** The processes whose CPU is the benchmark's own: the agents and the PostgreSQL server. */
function ownPids(agents: Map<StoreKind, BenchAgent>): number[] {
  return [...[...agents.values()].map((a) => a.pid), ...(postmasterPid ? [postmasterPid] : [])];
}

async function bare<T>(s: Settings, arg: '--latency' | '--throughput', job: object): Promise<T> {
  const child = startPinned(s.pinned ? AGENT_CPU : undefined, NODE, [
    BARE,
    arg,
    JSON.stringify(job),
  ]);
  try {
    const json = (line: string) => (line.startsWith('{') ? (JSON.parse(line) as T) : undefined);
    return await waitForLine(child, json, 300_000);
  } finally {
    await stopGroup(child);
  }
}

// ---------------------------------------------------------------------------------------------
// (1) Latency

interface LatencySamples {
  /** Process started (startedAt, or spawn() returned) − due time, ms. */
  start: number[];
  /** The command's own clock at its start − due time, ms (self-timed variant only). */
  self: number[];
  failed: number;
  /** Runs that never started or never ended within the bound. */
  missing: number;
  /** Other processes' CPU during each of this side's rounds. */
  loads: HostLoad[];
}

const emptySamples = (): LatencySamples => ({
  start: [],
  self: [],
  failed: 0,
  missing: 0,
  loads: [],
});

function selfStart(dir: string, id: string): number {
  try {
    const ns = BigInt(readFileSync(path.join(dir, id), 'utf8').trim());
    return Number(ns / 1000n) / 1000;
  } catch {
    return NaN;
  }
}

function dueTimes(s: Settings, first: number): number[] {
  const step = 1000 / s.rate;
  return Array.from({ length: s.fires }, (_, i) => Math.round(first + i * step));
}

async function bosunLatency(
  s: Settings,
  a: BenchAgent,
  variant: Variant,
  tag: string,
  into: LatencySamples,
): Promise<void> {
  const out = makeTempDir('out');
  const cmd = variant === 'true' ? 'true' : SELF_TIMED;
  const due = dueTimes(s, Date.now() + s.lead * 1000);
  const t0 = Date.now();
  const jobs = await pool(8, s.fires, (i) =>
    call<ApiJob>(a.url, 'POST', '/api/v1/jobs', {
      name: `lat-${tag}-${i}`,
      cmd,
      env: { OUT: out },
      overlap: 'allow',
      schedules: [{ kind: 'at', at: new Date(due[i]!).toISOString() }],
    }),
  );
  const created = Date.now();
  // Fires become runs up to 1 s ahead; creating jobs after that would load the agent at fire time.
  if (created > due[0]! - 1000) {
    log(
      `warning: creating ${s.fires} jobs took ${created - t0} ms, past the first fire's lookahead`,
    );
  }
  const ids = new Set(jobs.map((j) => j.id));
  await sleep(due.at(-1)! - Date.now() + 1000);
  let runs: ApiRun[] = [];
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(250)) {
    runs = (await allRuns(a.url)).filter((r) => ids.has(r.jobId));
    if (runs.length >= s.fires && runs.every((r) => TERMINAL.has(r.state))) break;
  }
  into.missing += s.fires - runs.filter((r) => r.startedAt !== null).length;
  for (const r of runs) {
    if (r.state !== 'succeeded') into.failed++;
    const scheduled = ms(r.scheduledFor);
    if (r.startedAt !== null) into.start.push(ms(r.startedAt) - scheduled);
    if (variant === 'self-timed') into.self.push(selfStart(out, r.id) - scheduled);
  }
  removeTempDir(out);
}

async function bareLatency(s: Settings, variant: Variant, into: LatencySamples): Promise<void> {
  const out = makeTempDir('out');
  const cmd = variant === 'true' ? 'true' : SELF_TIMED;
  // The bare loop needs no jobs created: a shorter lead, ample for Node to start.
  const due = dueTimes(s, Date.now() + 1500);
  const job: LatencyJob = { due, cmd, out };
  const result = await bare<LatencyResult>(s, '--latency', job);
  into.failed += result.failed;
  result.spawnedAt.forEach((t, i) => {
    if (!Number.isFinite(t)) return void into.missing++;
    into.start.push(t - due[i]!);
    if (variant === 'self-timed') into.self.push(selfStart(out, `bare-${i}`) - due[i]!);
  });
  removeTempDir(out);
}

type LatencyResults = Map<Side, Record<Variant, LatencySamples>>;

async function latencyPhase(s: Settings, stores: StoreHandle[]): Promise<LatencyResults> {
  const sides: Side[] = ['bare', ...stores.map((store) => store.kind)];
  const res: LatencyResults = new Map(
    sides.map((side) => [side, { true: emptySamples(), 'self-timed': emptySamples() }]),
  );
  const agents = await startAgents(s, stores);
  try {
    for (let round = 0; round < s.latencyRounds; round++) {
      for (const variant of s.variants) {
        const order = rotate(sides, round);
        for (const side of order) {
          const into = res.get(side)![variant];
          const w = watchHostLoad(() => ownPids(agents));
          if (side === 'bare') await bareLatency(s, variant, into);
          else await bosunLatency(s, agents.get(side)!, variant, `${round}-${variant}`, into);
          into.loads.push(w.end());
        }
        const so = (side: Side) => {
          const b = res.get(side)![variant];
          return `${side} ${f1(quantile(b.start, 0.5))} / ${f1(quantile(b.start, 0.99))}`;
        };
        log(
          `latency round ${round + 1} ${variant} (${order.join(', ')}): p50 / p99 ms so far ` +
            `${sides.map(so).join('; ')}`,
        );
      }
    }
  } finally {
    await stopAgents(agents);
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// (2) Throughput

interface ThroughputSide {
  rps: number;
  /** First POST to the last POST answered, ms (agents). */
  postMs: number;
  /** Agent CPU (utime+stime, not its children) per run, ms. */
  agentCpuPerRun: number;
  /** CPU of the agent's live children (its spawn helper, not the runs) per run, ms. */
  helperCpuPerRun: number;
  /** The bare loop's mean time blocked in spawn(), ms. */
  bareSpawnMs: number;
  failed: number;
  /** Other processes' CPU during this side's batch. */
  load: HostLoad;
}

type ThroughputRound = Map<Side, ThroughputSide>;

async function runBatch(a: BenchAgent, jobId: string, count: number, concurrency: number) {
  const t0 = Date.now();
  const ticks0 = cpuTicks(a.pid);
  const helperTicks0 = childrenCpuTicks(a.pid);
  const runs = await pool(concurrency, count, () =>
    call<ApiRun>(a.url, 'POST', `/api/v1/jobs/${jobId}/run`),
  );
  const posted = Date.now();
  for (const deadline = Date.now() + 300_000; ; await sleep(100)) {
    if (!(await busy(a.url, jobId))) break;
    if (Date.now() > deadline) throw new Error(`runs still not finished after 300 s`);
  }
  const cpuS = ticksToSeconds(cpuTicks(a.pid) - ticks0);
  const helperCpuS = ticksToSeconds(childrenCpuTicks(a.pid) - helperTicks0);
  const ids = new Set(runs.map((r) => r.id));
  const done = (await allRuns(a.url, jobId)).filter((r) => ids.has(r.id));
  const end = Math.max(...done.map((r) => ms(r.finishedAt)));
  const failed = count - done.filter((r) => r.state === 'succeeded').length;
  return { ms: end - t0, postMs: posted - t0, cpuS, helperCpuS, failed };
}

async function throughputPhase(s: Settings, stores: StoreHandle[]): Promise<ThroughputRound[]> {
  const sides: Side[] = ['bare', ...stores.map((store) => store.kind)];
  const rounds: ThroughputRound[] = [];
  const agents = await startAgents(s, stores);
  const warm = Math.min(200, s.runs);
  try {
    const jobs = new Map<StoreKind, string>();
    for (const [kind, a] of agents) {
      const job = await call<ApiJob>(a.url, 'POST', '/api/v1/jobs', {
        name: 'throughput',
        cmd: 'true',
        overlap: 'allow',
      });
      jobs.set(kind, job.id);
      await runBatch(a, job.id, warm, s.concurrency);
    }
    for (let round = 0; round < s.throughputRounds; round++) {
      const r: ThroughputRound = new Map();
      for (const side of rotate(sides, round)) {
        const w = watchHostLoad(() => ownPids(agents));
        if (side === 'bare') {
          const bareJob: ThroughputJob = { count: s.runs, concurrency: SLOTS, warmup: warm };
          const b = await bare<ThroughputResult>(s, '--throughput', bareJob);
          r.set(side, {
            rps: (s.runs / b.ms) * 1000,
            postMs: NaN,
            agentCpuPerRun: NaN,
            helperCpuPerRun: NaN,
            bareSpawnMs: b.spawnMs,
            failed: b.failed,
            load: w.end(),
          });
        } else {
          const b = await runBatch(agents.get(side)!, jobs.get(side)!, s.runs, s.concurrency);
          r.set(side, {
            rps: (s.runs / b.ms) * 1000,
            postMs: b.postMs,
            agentCpuPerRun: (b.cpuS * 1000) / s.runs,
            helperCpuPerRun: (b.helperCpuS * 1000) / s.runs,
            bareSpawnMs: NaN,
            failed: b.failed,
            load: w.end(),
          });
        }
      }
      rounds.push(r);
      const bareRps = r.get('bare')!.rps;
      const parts = sides.map((side) => {
        const x = r.get(side)!;
        if (side === 'bare') {
          return `bare ${f0(x.rps)} runs/s (spawn() ${x.bareSpawnMs.toFixed(2)} ms)`;
        }
        return (
          `${side} ${f0(x.rps)} runs/s (${ratio(x.rps, bareRps)}, agent CPU ` +
          `${x.agentCpuPerRun.toFixed(2)} + helper ${x.helperCpuPerRun.toFixed(2)} ms/run, ` +
          `failed ${x.failed})`
        );
      });
      log(`throughput round ${round + 1}: ${parts.join('; ')}`);
    }
  } finally {
    await stopAgents(agents);
  }
  return rounds;
}

// ---------------------------------------------------------------------------------------------
// (3) Idle with many scheduled jobs

interface IdleResults {
  jobs: number;
  createMs: number;
  /** Jobs/s over the first and the last 10 % of the creations. */
  createRateFirst: number;
  createRateLast: number;
  rssAfterCreate: number;
  loaded: Footprint;
  empty: Footprint;
  /** Runs the loaded agent made during the phase: must be 0. */
  runsMade: number;
  earliestFire: string;
  listMs: number;
  listBytes: number;
  load: HostLoad;
}

/** A minute of the hour (UTC) at least `minAhead` minutes from now, spread over `span` values. */
function spreadMinute(i: number, now: Date, minAhead: number, span: number): number {
  return (now.getUTCMinutes() + minAhead + (i % span)) % 60;
}

async function idlePhase(s: Settings): Promise<IdleResults> {
  const sqlite = await storeHandle('sqlite', s);
  const loaded = await agent(s, sqlite);
  const empty = await agent(s, sqlite);
  try {
    // Every job fires hourly at a minute ≥ 20 minutes away: nothing fires during the phase, which is
    // bounded below that (creation is aborted past 10 minutes).
    const now = new Date();
    const minAhead = 20;
    const finishBy = now.getTime() + (minAhead - 1) * 60_000;
    const stamps: number[] = new Array<number>(s.jobs);
    const t0 = performance.now();
    const jobs = await pool(8, s.jobs, async (i) => {
      if (Date.now() > now.getTime() + 600_000) {
        throw new Error('creating the jobs took over 10 min');
      }
      const job = await call<ApiJob>(loaded.url, 'POST', '/api/v1/jobs', {
        name: `idle-${i}`,
        cmd: 'true',
        schedules: [
          { kind: 'cron', expr: `${spreadMinute(i, now, minAhead, 40)} * * * *`, tz: 'UTC' },
        ],
      });
      stamps[i] = performance.now();
      if ((i + 1) % 2000 === 0) log(`created ${i + 1} jobs in ${f0(performance.now() - t0)} ms`);
      return job;
    });
    const createMs = performance.now() - t0;
    const tenth = Math.max(1, Math.floor(s.jobs / 10));
    const sorted = [...stamps].sort((a, b) => a - b);
    const rate = (from: number, to: number, n: number) => (n / (to - from)) * 1000;
    const earliest = Math.min(...jobs.map((j) => ms(j.nextRunAt)));
    if (!(earliest > finishBy)) {
      throw new Error(`a job fires at ${new Date(earliest).toISOString()}`);
    }
    const rssAfterCreate = memory(loaded.pid).rss;
    log(`created ${s.jobs} jobs in ${f0(createMs)} ms; warming up ${s.warmup} s`);
    await sleep(s.warmup * 1000);
    const w = watchHostLoad(() => [loaded.pid, empty.pid]);
    const [fl, fe] = await Promise.all([
      measure(loaded.pid, s.window, s.sample),
      measure(empty.pid, s.window, s.sample),
    ]);
    const load = w.end();
    if (Date.now() > finishBy) throw new Error('the idle phase ran into the jobs’ fire times');
    const runsMade = (await allRuns(loaded.url)).length;
    const t1 = performance.now();
    const res = await fetch(`${loaded.url}/api/v1/jobs`);
    const listBytes = (await res.arrayBuffer()).byteLength;
    const listMs = performance.now() - t1;
    return {
      jobs: s.jobs,
      createMs,
      createRateFirst: rate(t0, sorted[tenth - 1]!, tenth),
      createRateLast: rate(sorted[s.jobs - tenth - 1]!, sorted[s.jobs - 1]!, tenth),
      rssAfterCreate,
      loaded: fl,
      empty: fe,
      runsMade,
      earliestFire: new Date(earliest).toISOString(),
      listMs,
      listBytes,
      load,
    };
  } finally {
    await Promise.all([loaded.stop(), empty.stop()]);
  }
}

// ---------------------------------------------------------------------------------------------
// Tables

/** The target a side's latency is held to, and whether it is met. */
function latencyTarget(side: Side, p99: number, bareP99: number, sqliteP99: number): string {
  if (side === 'sqlite') {
    return `≤ ${SQLITE_P99_TARGET}× bare: ${verdict(p99 <= SQLITE_P99_TARGET * bareP99)}`;
  }
  if (side !== 'postgres') return '';
  const vsBare = `≤ ${PG_P99_TARGET}× bare: ${verdict(p99 <= PG_P99_TARGET * bareP99)}`;
  if (!Number.isFinite(sqliteP99)) return vsBare;
  return `${vsBare}; ≤ ${PG_P99_TARGET}× sqlite: ${verdict(p99 <= PG_P99_TARGET * sqliteP99)}`;
}

function latencyTable(s: Settings, res: LatencyResults): string {
  const rows: string[][] = [];
  const measures: { variant: Variant; label: string; pick: (x: LatencySamples) => number[] }[] = [];
  if (s.variants.includes('true')) {
    measures.push({ variant: 'true', label: '`true`: start − due', pick: (x) => x.start });
  }
  if (s.variants.includes('self-timed')) {
    measures.push(
      { variant: 'self-timed', label: 'self-timed: start − due', pick: (x) => x.start },
      { variant: 'self-timed', label: 'self-timed: own clock − due', pick: (x) => x.self },
    );
  }
  for (const m of measures) {
    const of = (side: Side) => {
      const x = res.get(side)?.[m.variant];
      const values = x === undefined ? [] : m.pick(x);
      return { x, p50: quantile(values, 0.5), p99: quantile(values, 0.99), values };
    };
    const bare = of('bare');
    const sqlite = of('sqlite');
    for (const side of res.keys()) {
      const v = of(side);
      const x = v.x!;
      const o = x.loads.map((l) => l.otherPercent);
      const vs = (ref: { p50: number; p99: number }) =>
        side === 'bare' || (side === 'sqlite' && ref === sqlite)
          ? '—'
          : `${ratio(v.p50, ref.p50)} / ${ratio(v.p99, ref.p99)}`;
      rows.push([
        m.label,
        side,
        String(v.values.length),
        `${f1(v.p50)} / ${f1(v.p99)}`,
        f1(Math.max(...v.values)),
        vs(bare),
        res.has('sqlite') ? vs(sqlite) : '—',
        `${x.failed} / ${x.missing}`,
        `${f0(median(o))} (max ${f0(Math.max(...o))})`,
        m.label.startsWith('`true`') ? latencyTarget(side, v.p99, bare.p99, sqlite.p99) : '',
      ]);
    }
  }
  return markdownTable(
    [
      'measure',
      'side',
      'runs',
      'p50 / p99 ms',
      'max ms',
      '× bare p50 / p99',
      '× sqlite p50 / p99',
      'failed / missing',
      'other CPU %',
      'target (p99)',
    ],
    rows,
  );
}

function throughputTable(s: Settings, rounds: ThroughputRound[]): string {
  const sides = [...(rounds[0]?.keys() ?? [])];
  // Each round measures every side back to back; the median of the rounds' own ratios is what the
  // verdict reads, since the host's speed drifts between rounds (the ratio of medians mixes them).
  const perRound = (side: Side, ref: Side) => rounds.map((r) => r.get(side)!.rps / r.get(ref)!.rps);
  const rows = sides.map((side) => {
    const of = (f: (x: ThroughputSide) => number) => median(rounds.map((r) => f(r.get(side)!)));
    const vsBare = perRound(side, 'bare');
    const vsSqlite = sides.includes('sqlite') ? perRound(side, 'sqlite') : [];
    const isAgent = side !== 'bare';
    return [
      side,
      String(rounds.length),
      f0(of((x) => x.rps)),
      isAgent ? `${median(vsBare).toFixed(2)}×` : '—',
      isAgent ? `${Math.min(...vsBare).toFixed(2)}–${Math.max(...vsBare).toFixed(2)}` : '—',
      side === 'postgres' && vsSqlite.length > 0 ? `${median(vsSqlite).toFixed(2)}×` : '—',
      isAgent ? f0(of((x) => x.postMs)) : '—',
      isAgent
        ? `${of((x) => x.agentCpuPerRun).toFixed(2)} + ${of((x) => x.helperCpuPerRun).toFixed(2)}`
        : `spawn() ${of((x) => x.bareSpawnMs).toFixed(2)}`,
      String(rounds.reduce((t, r) => t + r.get(side)!.failed, 0)),
      f0(of((x) => x.load.otherPercent)),
      isAgent ? verdict(median(vsBare) >= THROUGHPUT_TARGET) : '',
    ];
  });
  return markdownTable(
    [
      'side',
      'rounds',
      `runs/s (${s.runs}, ${SLOTS} at a time)`,
      '× bare (median of rounds)',
      '× bare range',
      '× sqlite',
      'POSTs done ms',
      'agent + helper CPU ms/run',
      'failed',
      'other CPU %',
      `≥ ${THROUGHPUT_TARGET}× bare`,
    ],
    rows,
  );
}

function idleTable(r: IdleResults): string {
  const row = (label: string, f: Footprint) => [
    label,
    f.cpuPercent.toFixed(2),
    mib(f.rssMax),
    mib(f.rssMedian),
    mib(f.pssAnon),
  ];
  const table = markdownTable(
    ['agent', 'CPU %', 'RSS max MiB', 'RSS median MiB', 'Pss_Anon MiB'],
    [
      row(`${f0(r.jobs)} scheduled jobs`, r.loaded),
      row('0 jobs', r.empty),
      [
        'ratio',
        ratio(r.loaded.cpuPercent, r.empty.cpuPercent),
        ratio(r.loaded.rssMax, r.empty.rssMax),
        ratio(r.loaded.rssMedian, r.empty.rssMedian),
        ratio(r.loaded.pssAnon, r.empty.pssAnon),
      ],
    ],
  );
  return (
    `${table}\n\n` +
    `created ${f0(r.jobs)} jobs in ${(r.createMs / 1000).toFixed(1)} s ` +
    `(${f0((r.jobs / r.createMs) * 1000)} jobs/s; first 10 % ${f0(r.createRateFirst)}/s, ` +
    `last 10 % ${f0(r.createRateLast)}/s); RSS right after ${mib(r.rssAfterCreate)} MiB; ` +
    `runs made during the phase: ${r.runsMade} (earliest fire ${r.earliestFire}); ` +
    `GET /api/v1/jobs: ${f0(r.listMs)} ms, ${mib(r.listBytes)} MiB; during the window ` +
    describeLoad(r.load)
  );
}

// ---------------------------------------------------------------------------------------------

/** Moves this process (every thread) to the client CPU, away from the agents'. */
function pinSelf(): void {
  if (!canPin(CLIENT_CPU)) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(CLIENT_CPU), String(process.pid)], {
      stdio: 'ignore',
    });
  } catch {
    // unpinned: still correct, only noisier
  }
}

export async function main(argv: string[]): Promise<void> {
  const s = settingsFrom(argv);
  if (!s) return void process.stdout.write(`${USAGE}\n`);
  installCleanup(40 * 60);
  if (s.pinned) pinSelf();
  process.stdout.write(
    `scheduling: phases ${s.phases.join(', ')}; stores ${s.stores.join(', ')}; agent --slots ` +
      `${SLOTS}, ` +
      (s.pinned
        ? `agents and bare loop on CPU ${AGENT_CPU}, API client and PostgreSQL on CPU ${CLIENT_CPU}`
        : 'nothing pinned') +
      (s.nodeOptions ? `; agent NODE_OPTIONS=${s.nodeOptions}` : '') +
      '\n',
  );
  await warmCompileCache(s.nodeOptions);
  let latency: LatencyResults | undefined;
  let throughput: ThroughputRound[] | undefined;
  let idle: IdleResults | undefined;
  try {
    const stores: StoreHandle[] = [];
    if (s.phases.includes('latency') || s.phases.includes('throughput')) {
      for (const kind of s.stores) stores.push(await storeHandle(kind, s));
    }
    if (s.phases.includes('latency')) latency = await latencyPhase(s, stores);
    if (s.phases.includes('throughput')) throughput = await throughputPhase(s, stores);
    if (s.phases.includes('idle')) idle = await idlePhase(s);
  } finally {
    await postgres?.stop();
  }
  if (latency) {
    process.stdout.write(
      `\n(1) scheduling latency: ${s.fires} one-shot schedules at ${s.rate}/s per round and side, ` +
        `${s.latencyRounds} interleaved rounds pooled\n\n${latencyTable(s, latency)}\n`,
    );
  }
  if (throughput) {
    process.stdout.write(
      `\n(2) throughput: ${s.throughputRounds} interleaved rounds\n\n${throughputTable(s, throughput)}\n`,
    );
  }
  if (idle) {
    process.stdout.write(
      `\n(3) idle with scheduled jobs: ${s.window} s window after ${s.warmup} s, side by side\n\n` +
        `${idleTable(idle)}\n`,
    );
  }
}

if (import.meta.main) runMain(() => main(process.argv.slice(2)));
