// `npm test`'s runner: starts one throwaway PostgreSQL for the whole run (tests isolate themselves by
// schema or database) and one Chromium for the browser tests (each in contexts of its own), runs the
// end-to-end files under test/ several at a time, each in a process of its own, and beside them the
// unit test files in a few shared processes and the few suites that assert deadlines one by one at a
// higher CPU priority, prints the slowest files and the CPU they spent, and stops the servers.
// `node scripts/test.ts [files or globs…]` runs only those, split the same way.
import { globSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { finished } from 'node:stream/promises';
import { createFileDurations } from '../test/support/file-durations.ts';
import type { TopLevelTest } from '../test/support/top-level-reporter.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { launchBrowserServer, SHARED_BROWSER_ENV, skipBrowser } from '../test/support/browser.ts';
import { runCaptured } from './run-captured.ts';

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
// The unit test files (under src/, web/ and scripts/) start in a few tenths of a second what they
// test in a few hundredths: one process for each file spent about as much CPU again as the tests
// themselves (73 s against 32 s for 124 files). So they share processes, one per core, in which they
// run one after another (node:test's isolation 'none'); a hook outside every describe would then
// apply to every file's tests, which eslint.config.js forbids in them.
const SHARED = /^(src|web|scripts)\//;
const SHARED_PROCESSES = Math.max(1, os.availableParallelism());
const TEST_TIMEOUT_MS = 120_000;
const COMPILE_CACHE = fileURLToPath(new URL('../test/support/compile-cache.ts', import.meta.url));
const FILE_CPU = fileURLToPath(new URL('../test/support/file-cpu.ts', import.meta.url));
const TEST_PRIORITY = fileURLToPath(new URL('../test/support/test-priority.ts', import.meta.url));
const TOP_LEVEL_REPORTER = fileURLToPath(
  new URL('../test/support/top-level-reporter.ts', import.meta.url),
);
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
// (the slowest-files list each run prints), then the larger before the smaller.
const LONG = [
  'test/package.test.ts',
  'test/dashboard-jobs.test.ts',
  'test/cli-jobs.test.ts',
  'test/seatunnel-rest-it.test.ts',
  'test/cli-pipeline.test.ts',
  'test/cli.test.ts',
  'test/shutdown.test.ts',
];
const weight = (f: string): number =>
  (LONG.includes(f) ? 2e9 + (LONG.length - LONG.indexOf(f)) * 1e8 : 0) + statSync(f).size;
const together = files
  .filter((f) => !PRIORITY.has(f) && !SHARED.test(f))
  .sort((a, b) => weight(b) - weight(a));
const first = files.filter((f) => PRIORITY.has(f));
const shared = shareOut(
  files.filter((f) => SHARED.test(f) && !PRIORITY.has(f)),
  SHARED_PROCESSES,
);

const started = Date.now();
const pg = await startPostgres();
process.stdout.write(`test: PostgreSQL ready in ${Date.now() - started} ms\n`);
// One Chromium for the files that drive a browser (test/support/browser.ts), which they connect to.
const browser =
  skipBrowser === false && files.some((f) => readFileSync(f, 'utf8').includes('support/browser.ts'))
    ? await launchBrowserServer()
    : undefined;

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
const testEnv = (env: Record<string, string> = {}): Record<string, string | undefined> => ({
  ...process.env,
  ...env,
  BOSUN_TEST_PG_URL: pg.url,
  BOSUN_TEST_CPU_LOG: cpuLog,
  [SHARED_BROWSER_ENV]: browser?.wsEndpoint(),
});
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
    env: testEnv(env),
  });
  // A failing `todo` test is expected to fail, as with `node --test`.
  stream.on('test:fail', (data) => (failed ||= data.todo === undefined || data.todo === false));
  stream.on('test:complete', (data) => durations.observe({ type: 'test:complete', data }));
  const output = stream.compose(spec());
  output.pipe(process.stdout, { end: false });
  await finished(output);
};
/**
 * Runs `group` in one process, the files one after another, and prints its spec output whole when it
 * ends (line by line it would interleave with the other files' output).
 */
const runShared = async (group: string[], index: number): Promise<void> => {
  const label = `shared process ${index + 1} of ${shared.length}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-test-shared-'));
  const topLevel = path.join(dir, 'top-level.jsonl');
  const started = Date.now();
  const { code, output } = await runCaptured(
    process.execPath,
    [
      '--import',
      COMPILE_CACHE,
      '--import',
      FILE_CPU,
      '--test',
      '--test-isolation=none',
      `--test-timeout=${TEST_TIMEOUT_MS}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${TOP_LEVEL_REPORTER}`,
      `--test-reporter-destination=${topLevel}`,
      ...group,
    ],
    { env: testEnv({ BOSUN_TEST_CPU_AS: label }), signal: abort.signal },
  );
  process.stdout.write(`\n# the unit test files in ${label} (${group.length})\n`);
  process.stdout.write(output);
  if (code !== 0) {
    failed = true;
    process.stdout.write(`test: ${label} exited with ${code ?? 'an error'}\n`);
  }
  for (const line of readLines(topLevel)) durations.observeShared(JSON.parse(line) as TopLevelTest);
  durations.observeProcess(label, Date.now() - started, group.length);
  rmSync(dir, { recursive: true, force: true });
};
const runAllShared = (): Promise<unknown> => Promise.all(shared.map(runShared));
try {
  if (first.length > 0 && together.length > 0 && mayRaisePriority()) {
    process.stdout.write(`test: ${first.join(', ')} beside the rest, at nice ${PRIORITY_NICE}\n`);
    await Promise.all([
      runFiles(first, 1, { BOSUN_TEST_NICE: String(PRIORITY_NICE) }),
      runFiles(together, CONCURRENCY),
      runAllShared(),
    ]);
  } else {
    if (first.length > 0 && together.length > 0) {
      process.stdout.write(
        `test: ${first.join(', ')} after the rest (no raising a priority here)\n`,
      );
    }
    await Promise.all([runFiles(together, CONCURRENCY), runAllShared()]);
    await runFiles(first, 1);
  }
} finally {
  await browser?.close();
  await pg.stop();
}
// No log at all: not Linux, or every file failed to start.
for (const line of readLines(cpuLog)) {
  const { file, ms } = JSON.parse(line) as { file: string; ms: number };
  durations.observeCpu(file, ms);
}
if (ownCpuDir !== undefined) rmSync(ownCpuDir, { recursive: true, force: true });

const seconds = ((Date.now() - started) / 1000).toFixed(0);
process.stdout.write(
  `\n${durations.summary(SLOWEST_SHOWN)}\ntest: ${files.length} files in ${seconds} s\n`,
);
const failedFiles = durations.failed();
if (failedFiles.length > 0) {
  process.stdout.write(`test: failed in ${failedFiles.join(', ')} (✖ above)\n`);
}
process.exitCode = failed || abort.signal.aborted ? 1 : 0;

/** The non-empty lines of a file that may not exist. */
function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line !== '');
}

/**
 * `files` split into at most `count` groups of about the same size, in bytes of source: the file
 * sizes stand in for their run times, which they follow well enough to keep the processes even.
 */
function shareOut(files: string[], count: number): string[][] {
  const groups = Array.from({ length: Math.min(count, files.length) }, () => ({
    bytes: 0,
    files: [] as string[],
  }));
  const sized = files
    .map((f) => ({ f, bytes: statSync(f).size }))
    .sort((a, b) => b.bytes - a.bytes);
  for (const { f, bytes } of sized) {
    const lightest = groups.reduce((min, g) => (g.bytes < min.bytes ? g : min));
    lightest.bytes += bytes;
    lightest.files.push(f);
  }
  return groups.map((g) => g.files.sort());
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
