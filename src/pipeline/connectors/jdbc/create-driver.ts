// The driver for a Jdbc url: node:sqlite for jdbc:sqlite, pg (loaded on first use) for jdbc:postgresql.
import type { JdbcDriver } from './driver.ts';
import type { JdbcTarget } from './jdbc-url.ts';
import { createPostgresDriver } from './postgres-driver.ts';
import { createSqliteDriver } from './sqlite-driver.ts';

export function createDriver(target: JdbcTarget): JdbcDriver {
  return target.dialect === 'sqlite' ? createSqliteDriver(target) : createPostgresDriver(target);
}
