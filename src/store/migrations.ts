// Migration bookkeeping shared by both stores: the shape of a numbered migration and the choice of
// which ones to apply. The SQL itself lives with each backend (sqlite/migrations.ts,
// postgres/migrations.ts); both keep a schema_migrations(version, name, applied_at) table.
import { AgentError } from '../errors.ts';

/** One numbered step of plain SQL; versions run 1, 2, 3… with no gaps. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The highest version a list of migrations reaches (0 for none). */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.at(-1)?.version ?? 0;
}

/** Throws unless versions run 1, 2, 3… in order; a gap or duplicate is a programming error. */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new AgentError(
        'INTERNAL',
        `migration "${m.name}" has version ${m.version}, expected ${i + 1}: versions must run 1, 2, 3… without gaps`,
      );
    }
  });
}

/**
 * The migrations still to apply, given the versions already recorded in schema_migrations. Refuses a
 * database migrated by a newer bosun, since this agent would not understand its schema.
 */
export function pendingMigrations(
  migrations: readonly Migration[],
  appliedVersions: readonly number[],
  where: string,
): Migration[] {
  const known = latestVersion(migrations);
  const newest = Math.max(0, ...appliedVersions);
  if (newest > known) {
    throw new AgentError(
      'STORE',
      `the store at ${where} has schema version ${newest} but this bosun knows only up to ${known}; upgrade bosun or point --store elsewhere`,
    );
  }
  const applied = new Set(appliedVersions);
  return migrations.filter((m) => !applied.has(m.version));
}
