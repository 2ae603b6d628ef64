// The scheduling benchmark's baseline: a bare Node loop that does what the agent does for a run and
// nothing else, in a process of its own (pinned where the agent is, so it gets the same core).
//   --latency '{"due":[ms…],"cmd":"true","out":"/dir"}': arms one setTimeout per due time and spawns
//     `/bin/sh -c cmd` (detached) when it fires, recording Date.now() right after spawn() returns.
//   --throughput '{"count":2000,"concurrency":10,"warmup":100}': spawns `/bin/sh -c true` `count`
//     times, `concurrency` at a time, and times the first spawn to the last exit.
// Prints one JSON line with the result and exits.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

export interface LatencyJob {
  /** Due times, epoch ms. */
  due: number[];
  cmd: string;
  /** $OUT for the command; each run gets BOSUN_RUN_ID = "bare-<index>". */
  out: string;
}

export interface LatencyResult {
  /** Date.now() right after spawn() returned, per due time, epoch ms. */
  spawnedAt: number[];
  /** Runs that exited non-zero or could not start. */
  failed: number;
}

export interface ThroughputJob {
  count: number;
  concurrency: number;
  warmup: number;
}

export interface ThroughputResult {
  count: number;
  ms: number;
  failed: number;
  /** Mean time the event loop was blocked in spawn() (fork until the child's exec), ms. */
  spawnMs: number;
}

let spawnBlockedMs = 0;

function spawnOne(cmd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn('/bin/sh', ['-c', cmd], { detached: true, stdio: 'ignore', env });
    spawnBlockedMs += performance.now() - t0;
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

async function latency(job: LatencyJob): Promise<LatencyResult> {
  const spawnedAt: number[] = new Array<number>(job.due.length).fill(NaN);
  let failed = 0;
  const exits: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    let left = job.due.length;
    job.due.forEach((due, i) => {
      setTimeout(
        () => {
          const env = { ...process.env, OUT: job.out, BOSUN_RUN_ID: `bare-${i}` };
          const exited = spawnOne(job.cmd, env);
          spawnedAt[i] = Date.now();
          exits.push(exited.then((ok) => void (ok || failed++)));
          if (--left === 0) resolve();
        },
        Math.max(0, due - Date.now()),
      );
    });
  });
  await Promise.all(exits);
  return { spawnedAt, failed };
}

async function loop(count: number, concurrency: number): Promise<{ ms: number; failed: number }> {
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      if (!(await spawnOne('true', process.env))) failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { ms: performance.now() - t0, failed };
}

async function throughput(job: ThroughputJob): Promise<ThroughputResult> {
  if (job.warmup > 0) await loop(job.warmup, job.concurrency);
  spawnBlockedMs = 0;
  const { ms, failed } = await loop(job.count, job.concurrency);
  return { count: job.count, ms, failed, spawnMs: spawnBlockedMs / job.count };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { latency: { type: 'string' }, throughput: { type: 'string' } },
    strict: true,
  });
  const result = values.latency
    ? await latency(JSON.parse(values.latency) as LatencyJob)
    : values.throughput
      ? await throughput(JSON.parse(values.throughput) as ThroughputJob)
      : undefined;
  if (result === undefined) throw new Error('use --latency JSON or --throughput JSON');
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bare-spawner: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
