// `npm test`'s runner: starts one throwaway PostgreSQL for the whole run (tests isolate themselves by
// schema), runs every unit and integration test with node:test, then stops the server.
import { spawn } from 'node:child_process';
import { startPostgres } from '../test/support/postgres.ts';

const patterns = process.argv.slice(2);
const files =
  patterns.length > 0
    ? patterns
    : ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts', 'scripts/**/*.test.ts'];

const started = Date.now();
const pg = await startPostgres();
process.stdout.write(`test: PostgreSQL ready in ${Date.now() - started} ms\n`);

const code = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    ['--test', '--test-reporter=spec', '--test-timeout=120000', ...files],
    {
      stdio: 'inherit',
      env: { ...process.env, BOSUN_TEST_PG_URL: pg.url },
    },
  );
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});

await pg.stop();
process.exit(code);
