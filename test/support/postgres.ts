// A throwaway PostgreSQL for tests: initdb + pg_ctl on a free loopback port in a temp dir, as the
// postgres OS user when run as root (initdb refuses root). BOSUN_TEST_PG_URL reuses a server instead.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

const PG_ROOT = '/usr/lib/postgresql';
const PG_USER = 'postgres';
const START_ATTEMPTS = 5;
// Trust auth over loopback only; C locale and no fsync at init keep it at about a second.
const INITDB_ARGS = ['-U', PG_USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'];

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth, no password). */
  readonly url: string;
  /** True when BOSUN_TEST_PG_URL supplied the server and this process did not start one. */
  readonly shared: boolean;
  /** Stops the server and removes its files; a no-op when BOSUN_TEST_PG_URL supplied the server. */
  stop(): Promise<void>;
  /** A fast restart (clients disconnected, same port), as an operator's `pg_ctl restart`; private servers only. */
  restart(): Promise<void>;
  /** Stops the server (fast) until `up()` starts it again on the same port; private servers only. */
  down(): Promise<{ up(): Promise<void> }>;
}

export interface TestSchema {
  /** A fresh random lowercase schema name, already created and empty. */
  readonly schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * Starts a private PostgreSQL server (~1 s), or reuses the one named by BOSUN_TEST_PG_URL unless
 * `own` asks for a server of its own (to restart it).
 */
export async function startPostgres(opts: { own?: boolean } = {}): Promise<TestPostgres> {
  const shared = process.env.BOSUN_TEST_PG_URL;
  if (shared !== undefined && shared !== '' && opts.own !== true) {
    const refuse = () => Promise.reject(new Error('the shared test server is not restarted'));
    return { url: shared, shared: true, stop: async () => {}, restart: refuse, down: refuse };
  }

  const bin = findPgBin();
  const owner = await ensureOwner();
  const dir = mkdtempSync(join(tmpdir(), 'bosun-pg-'));
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const server = { bin, dir, owner };
  // If the test process dies before stop(), do not leave a server behind.
  const onExit = (): void => stopSync(server);
  process.once('exit', onExit);
  try {
    await runPg(server, 'initdb', ['-D', `${dir}/data`, ...INITDB_ARGS]);
    const { port, start } = await startOnFreePort(server);
    return {
      url: `postgres://${PG_USER}@127.0.0.1:${port}/postgres`,
      shared: false,
      stop: async () => {
        process.removeListener('exit', onExit);
        await runPg(server, 'pg_ctl', stopArgs(server));
        rmSync(dir, { recursive: true, force: true });
      },
      // pg_ctl restart starts the server again with the options it was started with.
      down: async () => {
        await runPg(server, 'pg_ctl', ['-D', `${dir}/data`, '-m', 'fast', '-w', 'stop']);
        return { up: () => runPg(server, 'pg_ctl', start) };
      },
      restart: () =>
        runPg(server, 'pg_ctl', [
          '-D',
          `${dir}/data`,
          '-l',
          `${dir}/server.log`,
          '-m',
          'fast',
          '-w',
          'restart',
        ]),
    };
  } catch (err) {
    process.removeListener('exit', onExit);
    stopSync(server);
    throw err;
  }
}

/** Creates a fresh, randomly named schema for one test file (or one test) on the server at `url`. */
export async function createTestSchema(url: string): Promise<TestSchema> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await withClient(url, (client) => client.query(`create schema "${schema}"`));
  return {
    schema,
    drop: async () => {
      await withClient(url, (client) => client.query(`drop schema if exists "${schema}" cascade`));
    },
  };
}

/** Creates a fresh, randomly named database (for agents, which take a URL) and returns its URL. */
export async function createTestDatabase(
  url: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withClient(url, (client) => client.query(`create database "${name}"`));
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    url: dbUrl.toString(),
    drop: async () => {
      await withClient(url, (client) =>
        client.query(`drop database if exists "${name}" with (force)`),
      );
    },
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface Server {
  bin: string;
  dir: string;
  owner: Owner | undefined;
}

interface Owner {
  uid: number;
  gid: number;
}

/** The newest installed PostgreSQL's bin directory. */
function findPgBin(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      `PostgreSQL not installed (no ${PG_ROOT}/*/bin/initdb): apt-get install -y postgresql`,
    );
  }
  return join(PG_ROOT, newest, 'bin');
}

/** As root, the postgres OS user (created if missing) that will own the server; otherwise ourselves. */
async function ensureOwner(): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    await run('id', ['-u', PG_USER]);
  } catch {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      PG_USER,
    ]);
  }
  const uid = Number((await run('id', ['-u', PG_USER])).stdout.trim());
  const gid = Number((await run('id', ['-g', PG_USER])).stdout.trim());
  return { uid, gid };
}

/** The command line for a PostgreSQL program, under runuser when we are root. */
function pgCommand(server: Server, program: string, args: string[]): [string, string[]] {
  const path = join(server.bin, program);
  return server.owner === undefined
    ? [path, args]
    : ['runuser', ['-u', PG_USER, '--', path, ...args]];
}

/** Runs a PostgreSQL program from the temp dir (a cwd the postgres user can read). */
async function runPg(server: Server, program: string, args: string[]): Promise<void> {
  const [file, argv] = pgCommand(server, program, args);
  await run(file, argv, { cwd: server.dir });
}

/** Starts the server on a free loopback port, trying another if a different process takes it first. */
async function startOnFreePort(server: Server): Promise<{ port: number; start: string[] }> {
  const log = `${server.dir}/server.log`;
  const data = `${server.dir}/data`;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const settings = [
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${server.dir}`,
      // Durability is worthless for a throwaway server; these make it several times faster.
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    ].join(' ');
    const start = ['-D', data, '-l', log, '-w', '-t', '30', '-o', settings, 'start'];
    const logStart = existsSync(log) ? readFileSync(log, 'utf8').length : 0;
    try {
      await runPg(server, 'pg_ctl', start);
      return { port, start };
    } catch (err) {
      // Only this attempt's part of the log says why this attempt failed.
      const output = existsSync(log) ? readFileSync(log, 'utf8').slice(logStart) : '';
      if (attempt < START_ATTEMPTS && /could not bind|already in use/i.test(output)) continue;
      const reason = err instanceof Error ? err.message : String(err);
      const message = `PostgreSQL did not start on port ${port}: ${reason}\n${output.slice(-2000)}`;
      throw new Error(message, { cause: err });
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Immediate shutdown: the data is thrown away, so there is nothing to flush. */
function stopArgs(server: Server): string[] {
  return ['-D', `${server.dir}/data`, '-m', 'immediate', '-w', 'stop'];
}

/** Last-resort cleanup at process exit, where only synchronous calls run. */
function stopSync(server: Server): void {
  const [file, argv] = pgCommand(server, 'pg_ctl', stopArgs(server));
  try {
    if (existsSync(`${server.dir}/data/postmaster.pid`)) {
      execFileSync(file, argv, { cwd: server.dir, stdio: 'ignore' });
    }
  } catch {
    // Nothing more can be done while exiting.
  }
  rmSync(server.dir, { recursive: true, force: true });
}
