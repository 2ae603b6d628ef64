// `npm test`'s runner: starts one throwaway PostgreSQL for the whole run (tests isolate themselves by
// schema or database), runs the test files several at a time and, beside them, the few suites that
// assert deadlines one by one at a higher CPU priority, prints the slowest files and the CPU they
// spent, and stops the server.
// `node scripts/test.ts [files or globs…]` runs only those, split the same way.
import { globSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { finished } from 'node:stream/promises';
import { createFileDurations } from '../test/support/file-durations.ts';
import { startPostgres } from '../test/support/postgres.ts';

const ALL = ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts', 'scripts/**/*.test.ts'];

// Suites whose assertions are about timing under faults they inject themselves (failover deadlines,
// a SIGSTOPped agent, a PostgreSQL restart): they run one at a time from the start, beside the other
// files, at nice PRIORITY_NICE (test/support/test-priority.ts), so that the others' CPU does not
// stretch those deadlines. Raising a priority takes root (CAP_SYS_NICE) or an RLIMIT_NICE that allows
// it; without, they run alone after the rest, as they all used to: 85 s of a mostly idle machine.
const PRIORITY = new Set(['test/cluster-faults.test.ts']);
const PRIORITY_NICE = -10;

// Most files spend their time waiting on agents, child processes and PostgreSQL, so more files than
// cores run at once (on 2 cores, 4 at once beat 6; docs/development.md has the measurements).
const CONCURRENCY = Math.max(4, os.availableParallelism() * 2);
const TEST_TIMEOUT_MS = 120_000;
const COMPILE_CACHE = fileURLToPath(new URL('../test/support/compile-cache.ts', import.meta.url));
const FILE_CPU = fileURLToPath(new URL('../test/support/file-cpu.ts', import.meta.url));
const TEST_PRIORITY = fileURLToPath(new URL('../test/support/test-priority.ts', import.meta.url));
const SLOWEST_SHOWN = 15;

const patterns = process.argv.slice(2);
const matches = (patterns.length > 0 ? patterns : ALL).map((p) => ({ p, found: globSync(p) }));
const unmatched = matches.filter((m) => m.found.length === 0 && patterns.length > 0);
if (unmatched.length > 0) {
  // As `node --test` does: a misspelt file name is an error, not a green run of nothing.
  throw new Error(`no test file matches ${unmatched.map((m) => m.p).join(', ')}`);
}
const files = [
  ...new Set(matches.flatMap((m) => m.found).map((f) => path.relative('.', path.resolve(f)))),
];
// The longest files first, the short ones filling in at the end (a long file started last leaves the
// other slots idle meanwhile): those known to take most of a minute or more under load, longest first
// (the slowest-files list each run prints), then the end-to-end suites under test/ before the unit
// tests, larger before smaller.
const LONG = [
  'test/package.test.ts',
  'test/dashboard-jobs.test.ts',
  'test/cli-jobs.test.ts',
  'test/seatunnel-rest-it.test.ts',
  'src/store/jobs/jobs-contract.test.ts',
  'test/cli-pipeline.test.ts',
  'test/cli.test.ts',
  'test/shutdown.test.ts',
];
const weight = (f: string): number =>
  (LONG.includes(f)
    ? 2e9 + (LONG.length - LONG.indexOf(f)) * 1e8
    : f.startsWith('test/')
      ? 1e9
      : 0) + statSync(f).size;
const together = files.filter((f) => !PRIORITY.has(f)).sort((a, b) => weight(b) - weight(a));
const first = files.filter((f) => PRIORITY.has(f));

const started = Date.now();
const pg = await startPostgres();
process.stdout.write(`test: PostgreSQL ready in ${Date.now() - started} ms\n`);

const abort = new AbortController();
const stop = (): void => abort.abort();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

const durations = createFileDurations();
// Each file's process appends its CPU time here (test/support/file-cpu.ts); a caller's
// BOSUN_TEST_CPU_LOG is kept for study, the runner's own is removed.
const ownCpuDir = process.env.BOSUN_TEST_CPU_LOG
  ? undefined
  : mkdtempSync(path.join(os.tmpdir(), 'bosun-test-cpu-'));
const cpuLog =
  ownCpuDir === undefined ? process.env.BOSUN_TEST_CPU_LOG! : path.join(ownCpuDir, 'cpu.jsonl');
let failed = false;
const runFiles = async (
  phase: string[],
  concurrency: number,
  env: Record<string, string> = {},
): Promise<void> => {
  if (phase.length === 0 || abort.signal.aborted) return;
  const stream = run({
    files: phase,
    concurrency,
    timeout: TEST_TIMEOUT_MS,
    execArgv: ['--import', COMPILE_CACHE, '--import', FILE_CPU, '--import', TEST_PRIORITY],
    signal: abort.signal,
    env: { ...process.env, ...env, BOSUN_TEST_PG_URL: pg.url, BOSUN_TEST_CPU_LOG: cpuLog },
  });
  // A failing `todo` test is expected to fail, as with `node --test`.
  stream.on('test:fail', (data) => (failed ||= data.todo === undefined || data.todo === false));
  stream.on('test:complete', (data) => durations.observe({ type: 'test:complete', data }));
  const output = stream.compose(spec());
  output.pipe(process.stdout, { end: false });
  await finished(output);
};
try {
  if (first.length > 0 && together.length > 0 && mayRaisePriority()) {
    process.stdout.write(`test: ${first.join(', ')} beside the rest, at nice ${PRIORITY_NICE}\n`);
    await Promise.all([
      runFiles(first, 1, { BOSUN_TEST_NICE: String(PRIORITY_NICE) }),
      runFiles(together, CONCURRENCY),
    ]);
  } else {
    if (first.length > 0 && together.length > 0) {
      process.stdout.write(
        `test: ${first.join(', ')} after the rest (no raising a priority here)\n`,
      );
    }
    await runFiles(together, CONCURRENCY);
    await runFiles(first, 1);
  }
} finally {
  await pg.stop();
}
for (const line of readCpuLog(cpuLog)) durations.observeCpu(line.file, line.ms);
if (ownCpuDir !== undefined) rmSync(ownCpuDir, { recursive: true, force: true });

const seconds = ((Date.now() - started) / 1000).toFixed(0);
process.stdout.write(
  `\n${durations.summary(SLOWEST_SHOWN)}\ntest: ${files.length} files in ${seconds} s\n`,
);
process.exitCode = failed || abort.signal.aborted ? 1 : 0;

function readCpuLog(file: string): Array<{ file: string; ms: number }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return []; // no file wrote one (not Linux, or every file failed to start)
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { file: string; ms: number });
}

/** Whether this process may raise a CPU priority (root, CAP_SYS_NICE or RLIMIT_NICE): tried and undone. */
function mayRaisePriority(): boolean {
  const own = os.getPriority();
  try {
    os.setPriority(own - 1);
  } catch {
    return false;
  }
  os.setPriority(own);
  return true;
}
