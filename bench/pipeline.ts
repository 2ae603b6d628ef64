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
import { markdownTable, positive, ratio, verdict } from './lib/table.ts';

export const OPTIONS = {
  rows: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const USAGE = `usage: node bench/pipeline.ts [--rows N]
  --rows  rows per run (default 2000000)`;
const TARGET = 0.6;

/** What the benchmark reads of the API's jobs and runs. */
type ApiObject = {
  id?: string;
  state?: string;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
};

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
  const name = `bench-${format}-p${parallelism}-${rows}`;
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
  installCleanup(1800);
  const dir = makeTempDir('pipeline');
  await warmCompileCache();
  const agent = await startBosun({});
  try {
    const table: string[][] = [];
    for (const format of ['json', 'csv']) {
      const bare = runBare(dir, format, rows);
      for (const parallelism of [1, 2]) {
        const r = await runThroughAgent(agent.url, dir, format, rows, parallelism);
        process.stdout.write(
          `  ${format} p${parallelism}: bosun ${Math.round(r.rowsPerSec)} rows/s, bare ${Math.round(bare)} rows/s, engine RSS max ${r.maxRssMiB.toFixed(0)} MiB\n`,
        );
        table.push([
          `FakeSource → LocalFile ${format}, parallelism ${parallelism}`,
          Math.round(r.rowsPerSec).toLocaleString('en-US'),
          Math.round(bare).toLocaleString('en-US'),
          ratio(r.rowsPerSec, bare),
          r.maxRssMiB.toFixed(0),
          `${verdict(r.rowsPerSec / bare >= TARGET)} (≥ ${TARGET})`,
        ]);
      }
    }
    const small = await runThroughAgent(agent.url, dir, 'json', Math.ceil(rows / 10), 1);
    process.stdout.write(
      `\n${markdownTable(['pipeline', 'bosun rows/s', 'bare script rows/s', 'ratio', 'engine RSS max MiB', 'target'], table)}\n\n` +
        `engine RSS max with ${Math.ceil(rows / 10).toLocaleString('en-US')} rows (json, p1): ${small.maxRssMiB.toFixed(0)} MiB\n`,
    );
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) runMain(() => main(process.argv.slice(2)));
