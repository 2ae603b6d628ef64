// `npm test`'s runner: starts one throwaway PostgreSQL for the whole run (tests isolate themselves by
// schema or database), runs the test files several at a time, then the few suites that need the
// machine to themselves one by one, prints the slowest files and stops the server.
// `node scripts/test.ts [files or globs…]` runs only those, split the same way.
import { globSync, statSync } from 'node:fs';
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
// a SIGSTOPped agent, a PostgreSQL restart): they run after the rest, alone, so that other files'
// CPU does not stretch those deadlines.
const ALONE = new Set(['test/cluster-faults.test.ts']);

// Most files spend their time waiting on agents, child processes and PostgreSQL, so more files than
// cores run at once (on 2 cores, 4 at once beat 6; docs/development.md has the measurements).
const CONCURRENCY = Math.max(4, os.availableParallelism() * 2);
const TEST_TIMEOUT_MS = 120_000;
const COMPILE_CACHE = fileURLToPath(new URL('../test/support/compile-cache.ts', import.meta.url));
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
// other slots idle meanwhile): those known to take a minute or more (the slowest-files list each run
// prints), then the end-to-end suites under test/ before the unit tests, larger before smaller.
const LONG = new Set([
  'test/package.test.ts',
  'test/cli-jobs.test.ts',
  'test/seatunnel-rest-it.test.ts',
  'test/dashboard-jobs.test.ts',
]);
const weight = (f: string): number =>
  (LONG.has(f) ? 2e9 : f.startsWith('test/') ? 1e9 : 0) + statSync(f).size;
const together = files.filter((f) => !ALONE.has(f)).sort((a, b) => weight(b) - weight(a));
const alone = files.filter((f) => ALONE.has(f));

const started = Date.now();
const pg = await startPostgres();
process.stdout.write(`test: PostgreSQL ready in ${Date.now() - started} ms\n`);

const abort = new AbortController();
const stop = (): void => abort.abort();
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

const durations = createFileDurations();
let failed = false;
try {
  for (const [phase, concurrency] of [
    [together, CONCURRENCY],
    [alone, 1],
  ] as const) {
    if (phase.length === 0 || abort.signal.aborted) continue;
    const stream = run({
      files: phase,
      concurrency,
      timeout: TEST_TIMEOUT_MS,
      execArgv: ['--import', COMPILE_CACHE],
      signal: abort.signal,
      env: { ...process.env, BOSUN_TEST_PG_URL: pg.url },
    });
    // A failing `todo` test is expected to fail, as with `node --test`.
    stream.on('test:fail', (data) => (failed ||= data.todo === undefined || data.todo === false));
    stream.on('test:complete', (data) => durations.observe({ type: 'test:complete', data }));
    const output = stream.compose(spec());
    output.pipe(process.stdout, { end: false });
    await finished(output);
  }
} finally {
  await pg.stop();
}

const seconds = ((Date.now() - started) / 1000).toFixed(0);
process.stdout.write(
  `\n${durations.summary(SLOWEST_SHOWN)}\ntest: ${files.length} files in ${seconds} s\n`,
);
process.exitCode = failed || abort.signal.aborted ? 1 : 0;
