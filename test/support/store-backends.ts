// The store backends the contract suites run against: SQLite (a WAL file in a temp dir) and PostgreSQL
// (a throwaway server, a fresh schema per test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestVersion } from '../../src/store/migrations.ts';
import { MIGRATIONS as POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { after, afterEach, before, beforeEach } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { createTestSchema, startPostgres, type TestPostgres, type TestSchema } from './postgres.ts';

export interface Backend {
  readonly name: string;
  /** The schema version migrate() reaches. */
  readonly latestVersion: number;
  /** Once per file: whatever the backend needs running. */
  start(): Promise<void>;
  /** Before each test: switch to a fresh, empty database. */
  fresh(): Promise<void>;
  /** A new store over the current database; several may be open at once. */
  open(): Store;
  stop(): Promise<void>;
}

export function sqliteBackend(): Backend {
  let dir = '';
  let path = '';
  let count = 0;
  return {
    name: 'SQLite',
    latestVersion: latestVersion(SQLITE_MIGRATIONS),
    start: async () => {
      dir = mkdtempSync(join(tmpdir(), 'bosun-store-'));
    },
    fresh: async () => {
      count += 1;
      // A subdirectory that does not exist yet, so every test also checks the store creates it.
      path = join(dir, `db-${count}`, 'bosun.db');
    },
    open: () => createSqliteStore({ path }),
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresBackend(): Backend {
  let server: TestPostgres | undefined;
  let schema: TestSchema | undefined;
  const schemas: TestSchema[] = [];
  const url = (): string => {
    if (server === undefined) throw new Error('PostgreSQL is not started');
    return server.url;
  };
  return {
    name: 'PostgreSQL',
    latestVersion: latestVersion(POSTGRES_MIGRATIONS),
    start: async () => {
      const startedAt = performance.now();
      server = await startPostgres();
      const source = server.shared ? 'shared via BOSUN_TEST_PG_URL' : 'started';
      const ms = Math.round(performance.now() - startedAt);
      console.log(`PostgreSQL for the store contract ${source} in ${ms} ms`);
    },
    fresh: async () => {
      schema = await createTestSchema(url());
      schemas.push(schema);
    },
    open: () => {
      if (schema === undefined) throw new Error('no test schema');
      return createPostgresStore({ url: url(), schema: schema.schema, poolSize: 4 });
    },
    stop: async () => {
      if (server === undefined) return;
      for (const s of schemas) await s.drop();
      await server.stop();
    },
  };
}

/** Both backends, for `for (const backend of storeBackends())`. */
export const storeBackends = (): Backend[] => [sqliteBackend(), postgresBackend()];

/**
 * The hooks every contract suite needs, registered in the calling describe(): the backend runs for
 * the suite, and each test gets a fresh, migrated database whose store is handed to `onStore`.
 * Returns `open`, which opens another store on the same database, closed after the test.
 */
export function useFreshStore(backend: Backend, onStore: (store: Store) => void): () => Store {
  const opened: Store[] = [];
  const open = (): Store => {
    const s = backend.open();
    opened.push(s);
    return s;
  };
  before(() => backend.start());
  after(() => backend.stop());
  beforeEach(async () => {
    await backend.fresh();
    const store = open();
    await store.migrate();
    onStore(store);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  return open;
}
