// Pipeline throughput: FakeSource (no pacing, 5 columns) → LocalFile json and csv through the agent
// (a pipeline job run by its engine process), rows/s against a bare Node script writing the same rows
// in the same format (target ≥ 0.6), also with parallelism 2; and the engine's RSS, sampled while it
// runs, at a tenth of the rows and at all of them (it must not grow with the rows).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NODE, startBosun, warmCompileCache } from './lib/agent.ts';
import { installCleanup, makeTempDir, runMain } from './lib/cleanup.ts';
import { markdownTable, median, positive, ratio, verdict } from './lib/table.ts';

export const OPTIONS = {
  rows: { type: 'string' },
  rounds: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const USAGE = `usage: node bench/pipeline.ts [--rows N] [--rounds N]
  --rows    rows per run (default 2000000)
  --rounds  interleaved rounds: the bare script, then each parallelism, per format (default 3)`;
const TARGET = 0.6;

/** What the benchmark reads of the API's jobs and runs. */
type ApiObject = {
  id?: string;
  state?: string;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
};

/** Runs made so far: each is a job of its own, named after its place. */
let runs = 0;

interface AgentRun {
  rowsPerSec: number;
  maxRssMiB: number;
}

async function runThroughAgent(
  url: string,
  dir: string,
  format: string,
  rows: number,
  parallelism: number,
): Promise<AgentRun> {
  const name = `bench-${format}-p${parallelism}-${rows}-${++runs}`;
  const config = {
    env: { 'job.mode': 'BATCH', parallelism },
    source: [
      {
        plugin_name: 'FakeSource',
        result_table_name: 'fake',
        'row.num': Math.ceil(rows / parallelism),
        'split.read-interval': 0,
        schema: {
          fields: { id: 'bigint', name: 'string', age: 'int', score: 'double', city: 'string' },
        },
      },
    ],
    sink: [
      {
        plugin_name: 'LocalFile',
        path: path.join(dir, name),
        tmp_path: path.join(dir, 'tmp'),
        file_format_type: format,
      },
    ],
  };
  const post = async (p: string, body?: unknown) =>
    (await (
      await fetch(url + p, {
        method: 'POST',
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      })
    ).json()) as ApiObject;
  const job = await post('/api/v1/jobs', { name, kind: 'pipeline', pipeline: { config } });
  if (!job.id) throw new Error(`could not create the job: ${JSON.stringify(job)}`);
  const run = await post(`/api/v1/jobs/${job.id}/run`);
  let maxRss = 0;
  for (;;) {
    const r = (await (await fetch(`${url}/api/v1/runs/${run.id}`)).json()) as ApiObject;
    if (r.state !== 'queued' && r.state !== 'running') {
      if (r.state !== 'succeeded') throw new Error(`run ${r.id} ${r.state}: ${r.error}`);
      rmSync(path.join(dir, name), { recursive: true, force: true });
      const seconds = (Date.parse(r.finishedAt ?? '') - Date.parse(r.startedAt ?? '')) / 1000;
      return { rowsPerSec: rows / seconds, maxRssMiB: maxRss / 1024 };
    }
    const pid = enginePid(String(run.id));
    if (pid !== undefined) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        maxRss = Math.max(maxRss, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // ended between two looks
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The engine process of a run: the one whose command line names the run's file. */
function enginePid(runId: string): string | undefined {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`.bosun-run-${runId}.json`)) {
        return pid;
      }
    } catch {
      // gone
    }
  }
  return undefined;
}

function runBare(dir: string, format: string, rows: number): number {
  const file = path.join(dir, `bare.${format}`);
  const out = execFileSync(
    NODE,
    [path.join(import.meta.dirname, 'lib', 'bare-pipeline.ts'), format, String(rows), file],
    {
      encoding: 'utf8',
    },
  );
  rmSync(file, { force: true });
  const { ms } = JSON.parse(out) as { ms: number };
  return rows / (ms / 1000);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const rows = positive('rows', values.rows, 2_000_000);
  const rounds = positive('rounds', values.rounds, 3);
  installCleanup(1800);
  const dir = makeTempDir('pipeline');
  await warmCompileCache();
  const agent = await startBosun({});
  try {
    // The host's speed drifts within minutes: each round runs the bare script and then the agent,
    // and the verdict reads the median of the rounds' ratios.
    const sides = ['json', 'csv'].flatMap((format) =>
      [1, 2].map((parallelism) => ({
        format,
        parallelism,
        bosun: [] as number[],
        bare: [] as number[],
        ratios: [] as number[],
        rss: 0,
      })),
    );
    for (let round = 1; round <= rounds; round++) {
      for (const format of ['json', 'csv']) {
        const bare = runBare(dir, format, rows);
        for (const side of sides.filter((x) => x.format === format)) {
          const r = await runThroughAgent(agent.url, dir, format, rows, side.parallelism);
          side.bosun.push(r.rowsPerSec);
          side.bare.push(bare);
          side.ratios.push(r.rowsPerSec / bare);
          side.rss = Math.max(side.rss, r.maxRssMiB);
          process.stdout.write(
            `  round ${round} ${format} p${side.parallelism}: bosun ${Math.round(r.rowsPerSec)} rows/s, bare ${Math.round(bare)} rows/s (${ratio(r.rowsPerSec, bare)}), engine RSS max ${r.maxRssMiB.toFixed(0)} MiB\n`,
          );
        }
      }
    }
    const rowsPerSec = (x: number) => Math.round(x).toLocaleString('en-US');
    const table = sides.map((side) => {
      const r = median(side.ratios);
      return [
        `FakeSource → LocalFile ${side.format}, parallelism ${side.parallelism}`,
        rowsPerSec(median(side.bosun)),
        rowsPerSec(median(side.bare)),
        `${r.toFixed(2)}× (${Math.min(...side.ratios).toFixed(2)}–${Math.max(...side.ratios).toFixed(2)})`,
        side.rss.toFixed(0),
        `${verdict(r >= TARGET)} (≥ ${TARGET})`,
      ];
    });
    const small = await runThroughAgent(agent.url, dir, 'json', Math.ceil(rows / 10), 1);
    process.stdout.write(
      `\n${markdownTable(['pipeline', 'bosun rows/s', 'bare script rows/s', 'ratio (rounds)', 'engine RSS max MiB', 'target'], table)}\n\n` +
        `engine RSS max with ${Math.ceil(rows / 10).toLocaleString('en-US')} rows (json, p1): ${small.maxRssMiB.toFixed(0)} MiB\n`,
    );
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) runMain(() => main(process.argv.slice(2)));
