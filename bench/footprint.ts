// The agent's CPU and memory idle, with one dashboard client and with 200 /ws clients, next to
// prometheus-node-exporter measured the same way in the same run. Only the daemons' PIDs are read.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NODE, ROOT, startBosun, warmCompileCache } from './lib/agent.ts';
import { installCleanup, runMain } from './lib/cleanup.ts';
import { measure, mib, MIB, type Footprint } from './lib/proc.ts';
import {
  freePort,
  sleep,
  startPinned,
  stopGroup,
  waitForHttp,
  waitForLine,
  which,
  type Started,
} from './lib/spawn.ts';
import { markdownTable, positive, ratio, verdict } from './lib/table.ts';

export const OPTIONS = {
  window: { type: 'string' },
  warmup: { type: 'string' },
  sample: { type: 'string' },
  phases: { type: 'string' },
  clients: { type: 'string' },
  'agent-node-options': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const USAGE = `usage: node bench/footprint.ts [flags]
  --window              measured seconds per phase (default 60)
  --warmup              seconds between start (clients connected) and the window (default 10)
  --sample              seconds between memory samples (default 3)
  --phases              any of idle, dashboard, ws200 (default all)
  --clients             /ws clients in the ws200 phase (default 200)
  --agent-node-options  NODE_OPTIONS for the agent only, to try runtime flags (default none)`;

const PHASES = ['idle', 'dashboard', 'ws200'] as const;
type Phase = (typeof PHASES)[number];

const DAEMON_CPU = 0;
const CLIENT_CPU = 1;
/** Steady RSS: the median over the window, so one heap growth inside it does not decide. */
const RSS_TARGET = 90 * MIB;
/** % of one core, per phase. */
const CPU_TARGETS: Record<Phase, number> = { idle: 0.3, dashboard: 1, ws200: 5 };

interface Settings {
  window: number;
  warmup: number;
  sample: number;
  phases: Phase[];
  clients: number;
  nodeOptions: string | undefined;
}

/** A running daemon under test. */
interface Subject {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** One measured process in one phase. */
interface Result {
  phase: Phase;
  label: string;
  process: 'bosun' | 'node_exporter';
  footprint: Footprint;
  /** % of one core; undefined for baseline rows, which have no target. */
  cpuTarget?: number;
  /** Messages per client during the window: "min–max (expected N)". */
  delivery?: string;
}

interface ClientCounters {
  perClient: number[];
  bytes: number;
  errors: number;
}

function settingsFrom(argv: string[]): Settings | undefined {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) return undefined;
  const phases = (values.phases ?? PHASES.join(',')).split(',').map((p) => p.trim());
  for (const p of phases) {
    if (!(PHASES as readonly string[]).includes(p)) {
      throw new Error(`unknown phase "${p}": use ${PHASES.join(', ')}`);
    }
  }
  return {
    window: positive('window', values.window, 60),
    warmup: positive('warmup', values.warmup, 10),
    sample: positive('sample', values.sample, 3),
    phases: phases as Phase[],
    clients: Math.round(positive('clients', values.clients, 200)),
    nodeOptions: values['agent-node-options'],
  };
}

async function startAgent(s: Settings, intervalS: number): Promise<Subject> {
  const args = intervalS === 3 ? [] : ['--interval', `${intervalS}s`];
  return startBosun({ cpu: DAEMON_CPU, args, nodeOptions: s.nodeOptions });
}

async function startNodeExporter(binary: string): Promise<Subject> {
  const port = await freePort();
  const daemon = startPinned(DAEMON_CPU, binary, [`--web.listen-address=127.0.0.1:${port}`]);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(daemon);
  try {
    // The landing page, not /metrics: waiting must not count as a scrape.
    await waitForHttp(`${url}/`, 15_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${daemon.tail()}`, { cause: err });
  }
  return { url, pid: daemon.pid, stop };
}

/** The load-client process on the other core; `ask` sends a command and reads its counters. */
async function startLoad(args: string[]) {
  const script = path.join(ROOT, 'bench', 'load-client.ts');
  const load: Started = startPinned(CLIENT_CPU, NODE, [script, ...args], { stdin: 'pipe' });
  const json = (line: string) => (line.startsWith('{') ? (JSON.parse(line) as object) : undefined);
  await waitForLine(load, json, 30_000);
  const ask = async (command: 'mark' | 'stats'): Promise<ClientCounters> => {
    const reply = waitForLine(load, json, 10_000);
    load.child.stdin!.write(`${command}\n`);
    return (await reply) as ClientCounters;
  };
  return { ask, stop: () => stopGroup(load) };
}

function delivery(counters: ClientCounters, expected: number): string {
  const min = Math.min(...counters.perClient);
  const max = Math.max(...counters.perClient);
  const errors = counters.errors > 0 ? `, ${counters.errors} errors` : '';
  return `${min === max ? min : `${min}–${max}`} (expected ~${Math.round(expected)}${errors})`;
}

/** Starts a subject (and its clients), warms up, measures one window, stops everything. */
async function run(
  s: Settings,
  start: () => Promise<Subject>,
  loadArgs: ((url: string) => string[]) | undefined,
  expectedPerClient: number,
): Promise<{ footprint: Footprint; delivery?: string }> {
  const subject = await start();
  let load: Awaited<ReturnType<typeof startLoad>> | undefined;
  try {
    if (loadArgs) load = await startLoad(loadArgs(subject.url));
    await sleep(s.warmup * 1000);
    await load?.ask('mark');
    const footprint = await measure(subject.pid, s.window, s.sample);
    const counters = await load?.ask('stats');
    return { footprint, delivery: counters && delivery(counters, expectedPerClient) };
  } finally {
    await load?.stop();
    await subject.stop();
  }
}

const wsUrl = (url: string) => `${url.replace(/^http/, 'ws')}/ws`;

type Measured = Awaited<ReturnType<typeof run>>;

/**
 * A measurement to make: what is started and under which load, with its CPU target if it has one.
 */
interface Planned extends Omit<Result, 'footprint' | 'delivery'> {
  go(): Promise<Measured>;
}

function bosunRun(s: Settings, phase: Phase, intervalS: number, clients: number): Planned {
  const load =
    clients > 0 ? (u: string) => ['--ws', wsUrl(u), '--clients', String(clients)] : undefined;
  const label =
    clients === 0
      ? `idle, ${intervalS} s interval`
      : `${clients} /ws client${clients > 1 ? 's' : ''}, ${intervalS} s interval`;
  return {
    phase,
    label,
    process: 'bosun',
    cpuTarget: CPU_TARGETS[phase],
    go: () => run(s, () => startAgent(s, intervalS), load, s.window / intervalS),
  };
}

function exporterRun(s: Settings, exporter: string, phase: Phase, scrape: boolean): Planned {
  const load = scrape ? (u: string) => ['--get', `${u}/metrics`, '--every', '1'] : undefined;
  return {
    phase,
    label: scrape ? '1 scraper of /metrics at 1 Hz' : 'idle',
    process: 'node_exporter',
    go: () => run(s, () => startNodeExporter(exporter), load, s.window),
  };
}

/** Groups of runs; the runs of one group go side by side, through the same window of time. */
function plan(s: Settings, exporter: string | undefined): Planned[][] {
  const baseline = (phase: Phase, scrape: boolean) =>
    exporter ? [exporterRun(s, exporter, phase, scrape)] : [];
  return s.phases.flatMap((phase): Planned[][] => {
    switch (phase) {
      case 'idle':
        return [[bosunRun(s, phase, 3, 0), ...baseline(phase, false)]];
      case 'dashboard':
        return [[bosunRun(s, phase, 1, 1), ...baseline(phase, true)]];
      case 'ws200':
        // The default interval is the target; 1 s shows what a faster dashboard costs.
        return [[bosunRun(s, phase, 3, s.clients)], [bosunRun(s, phase, 1, s.clients)]];
    }
  });
}

function detailTable(results: Result[]): string {
  const rows = results.map((r) => {
    const f = r.footprint;
    const cpu =
      r.cpuTarget === undefined
        ? '—'
        : `≤ ${r.cpuTarget} % ${verdict(f.cpuPercent <= r.cpuTarget)}`;
    const rss = r.process === 'bosun' ? verdict(f.rssMedian <= RSS_TARGET) : '—';
    return [
      r.phase,
      r.process,
      r.label,
      f.cpuPercent.toFixed(2),
      cpu,
      mib(f.rssMax),
      mib(f.rssMedian),
      mib(f.pss),
      mib(f.pssAnon),
      rss,
      r.delivery ?? '—',
    ];
  });
  const header = [
    'phase',
    'process',
    'load',
    'CPU %',
    'CPU target',
    'RSS max MiB',
    'RSS median MiB',
    'Pss MiB',
    'Pss_Anon MiB',
    'steady RSS ≤ 90 MiB',
    'msgs per client',
  ];
  return markdownTable(header, rows);
}

function comparisonTable(results: Result[]): string {
  const rows: string[][] = [];
  for (const phase of ['idle', 'dashboard'] as const) {
    const b = results.find((r) => r.phase === phase && r.process === 'bosun')?.footprint;
    const n = results.find((r) => r.phase === phase && r.process === 'node_exporter')?.footprint;
    if (!b || !n) continue;
    rows.push([
      phase === 'idle' ? 'idle' : '1 client at 1 Hz',
      b.cpuPercent.toFixed(2),
      n.cpuPercent.toFixed(2),
      ratio(b.cpuPercent, n.cpuPercent),
      mib(b.rssMedian),
      mib(n.rssMedian),
      ratio(b.rssMedian, n.rssMedian),
      mib(b.pss),
      mib(n.pss),
      ratio(b.pss, n.pss),
    ]);
  }
  const header = [
    'phase',
    'bosun CPU %',
    'node_exporter CPU %',
    'ratio',
    'bosun RSS MiB',
    'node_exporter RSS MiB',
    'ratio',
    'bosun Pss MiB',
    'node_exporter Pss MiB',
    'ratio',
  ];
  return rows.length > 0 ? markdownTable(header, rows) : '';
}

function findExporter(): string | undefined {
  const found = which('prometheus-node-exporter') ?? which('node_exporter');
  if (!found) {
    process.stdout.write(
      'footprint: prometheus-node-exporter is not installed, so there is no baseline this run.\n' +
        '  Install it with: apt-get install -y --no-install-recommends prometheus-node-exporter\n',
    );
  }
  return found;
}

export async function main(argv: string[]): Promise<void> {
  const s = settingsFrom(argv);
  if (!s) return void process.stdout.write(`${USAGE}\n`);
  const exporter = findExporter();
  const groups = plan(s, exporter);
  installCleanup(groups.length * (s.warmup + s.window + 60) + 120);
  process.stdout.write(
    `footprint: ${s.window} s windows after ${s.warmup} s warm-up, memory every ${s.sample} s; ` +
      `daemons on CPU ${DAEMON_CPU}, clients on CPU ${CLIENT_CPU}` +
      (s.nodeOptions ? `; agent NODE_OPTIONS=${s.nodeOptions}` : '') +
      '\n',
  );
  // Measured agents start from a warm compile cache, as every start after the first one does.
  await warmCompileCache(s.nodeOptions);
  const results: Result[] = [];
  for (const group of groups) {
    process.stdout.write(
      `  measuring: ${group.map((r) => `${r.process} ${r.label}`).join(' | ')}\n`,
    );
    const measured = await Promise.all(group.map((r) => r.go()));
    group.forEach(({ go: _go, ...planned }, i) => results.push({ ...planned, ...measured[i]! }));
  }
  process.stdout.write(`\n${detailTable(results)}\n`);
  const comparison = comparisonTable(results);
  if (comparison) process.stdout.write(`\nbosun vs node_exporter\n\n${comparison}\n`);
}

if (import.meta.main) runMain(() => main(process.argv.slice(2)));
