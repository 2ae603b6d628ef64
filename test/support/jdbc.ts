// Test helpers for the Jdbc connectors: the two databases they run against (a SQLite file in a temp
// dir; a fresh schema on the test PostgreSQL), connector contexts, a registry with Jdbc in it, and a
// loop that drains a source the way the engine does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { createTestSchema, startPostgres, type TestPostgres } from './postgres.ts';
import {
  readPipelineConfig,
  type PipelineConfig,
} from '../../src/pipeline/config/pipeline-config.ts';
import type { ConnectorContext, Source } from '../../src/pipeline/connectors/connector.ts';
import { connectors, type ConnectorRegistry } from '../../src/pipeline/connectors/registry.ts';
import { jdbcSink } from '../../src/pipeline/connectors/sinks/jdbc-sink.ts';
import { jdbcSource } from '../../src/pipeline/connectors/sources/jdbc-source.ts';

export interface TestDatabase {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** The Jdbc options that reach it: url, driver, user. */
  readonly options: Record<string, string>;
  /** A table's name as table_path/table want it (schema-qualified on PostgreSQL). */
  table(name: string): string;
  readonly blobType: string;
  /** A blob literal from hex digits. */
  blob(hex: string): string;
  exec(sql: string): Promise<void>;
  /** Rows as arrays, in the order the query gives. */
  rows(sql: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-jdbc-'));
  const file = path.join(dir, 'test.db');
  const db = new DatabaseSync(file);
  return {
    name: 'SQLite',
    options: { url: `jdbc:sqlite:${file}`, driver: 'org.sqlite.JDBC' },
    table: (name) => name,
    blobType: 'blob',
    blob: (hex) => `x'${hex}'`,
    exec: async (sql) => db.exec(sql),
    rows: async (sql) => {
      const s = db.prepare(sql);
      s.setReturnArrays(true);
      return s.all() as unknown as unknown[][];
    },
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema on the test PostgreSQL (BOSUN_TEST_PG_URL, or one started for this file). */
export async function postgresDatabase(server: TestPostgres): Promise<TestDatabase> {
  const schema = await createTestSchema(server.url);
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const url = new URL(server.url);
  return {
    name: 'PostgreSQL',
    options: {
      url: `jdbc:postgresql://${url.host}${url.pathname}`,
      driver: 'org.postgresql.Driver',
      user: decodeURIComponent(url.username),
      ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    },
    table: (name) => `${schema.schema}.${name}`,
    blobType: 'bytea',
    blob: (hex) => `'\\x${hex}'::bytea`,
    exec: async (sql) => {
      await client.query(`SET search_path TO "${schema.schema}"; ${sql}`);
    },
    rows: async (sql) => {
      await client.query(`SET search_path TO "${schema.schema}"`);
      const result = await client.query({ text: sql, rowMode: 'array' });
      return result.rows as unknown[][];
    },
    close: async () => {
      await client.end();
      await schema.drop();
    },
  };
}

/**
 * The test PostgreSQL: the shared one when BOSUN_TEST_PG_URL is set (as `npm test` does), else one
 * started here; undefined, with the reason, when neither is possible.
 */
export async function testPostgres(): Promise<TestPostgres | string> {
  try {
    return await startPostgres();
  } catch (err) {
    return `no test PostgreSQL: BOSUN_TEST_PG_URL is unset and none could be started (${(err as Error).message.split('\n')[0]})`;
  }
}

/** connectors plus the Jdbc source and sink, as registry.ts will list them. */
export const jdbcRegistry: ConnectorRegistry = {
  names: (role) =>
    role === 'transform' ? connectors.names(role) : [...connectors.names(role), 'Jdbc'],
  source: (name) => (name.toLowerCase() === 'jdbc' ? jdbcSource : connectors.source(name)),
  transform: (name) => connectors.transform(name),
  sink: (name) => (name.toLowerCase() === 'jdbc' ? jdbcSink : connectors.sink(name)),
};

export function pipeline(
  env: Record<string, unknown>,
  source: Record<string, unknown>,
  sink: Record<string, unknown>,
): PipelineConfig {
  return readPipelineConfig({ env, source: [source], sink: [sink] }, jdbcRegistry);
}

/** A context for a Jdbc source with these options. */
export function sourceContext(
  options: Record<string, unknown>,
  log: string[] = [],
): ConnectorContext {
  const config = pipeline(
    { 'job.mode': 'BATCH' },
    { plugin_name: 'Jdbc', result_table_name: 'src', ...options },
    { plugin_name: 'Console' },
  );
  return context(config, config.sources[0], log);
}

/** A context for a Jdbc sink with these options (its plugin object is shared by every call's subtasks). */
export function sinkContext(
  options: Record<string, unknown>,
  log: string[] = [],
): ConnectorContext {
  const config = pipeline(
    { 'job.mode': 'BATCH' },
    { plugin_name: 'FakeSource', result_table_name: 'src' },
    { plugin_name: 'Jdbc', ...options },
  );
  return context(config, config.sinks[0], log);
}

function context(
  config: PipelineConfig,
  plugin: PipelineConfig['sources'][number] | undefined,
  log: string[],
): ConnectorContext {
  if (plugin === undefined) throw new Error('no plugin');
  return { plugin, env: config.env, jobId: 'test', log: (line) => log.push(line) };
}

/** Every row of every split, read by `parallelism` readers as the engine hands splits out. */
export async function drain(source: Source, parallelism: number): Promise<unknown[][]> {
  const splits = source.splits(parallelism);
  const signal = new AbortController().signal;
  const perReader = await Promise.all(
    Array.from({ length: parallelism }, async (_, subtask) => {
      const out: unknown[][] = [];
      for (const split of splits.filter((_, i) => i % parallelism === subtask)) {
        const reader = source.reader(split, undefined, subtask);
        for (let rows = await reader.next(signal); rows; rows = await reader.next(signal)) {
          out.push(...rows.map((r) => r.values));
        }
      }
      return out;
    }),
  );
  return perReader.flat();
}
