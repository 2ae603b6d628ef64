// Every SQL statement the PostgreSQL store runs, kept together so the schema's users are easy to review.
// Times come from the database clock so every node of a cluster agrees; bigint columns arrive as strings.

/** The database clock in ms since the epoch; clock_timestamp() moves within a transaction, now() does not. */
const NOW_MS = `floor(extract(epoch from clock_timestamp()) * 1000)::bigint`;

const NODE_COLUMNS = `id, hostname, address, version, pid, labels, slots, registered_at, started_at,
  heartbeat_at, state, sample_json, sample_at`;

export const SQL = {
  now: `select ${NOW_MS} as ms`,

  // One lock per schema, so nodes sharing a schema migrate one at a time and test schemas do not wait.
  lockMigrations: `select pg_advisory_xact_lock(hashtext('bosun.migrate'), hashtext($1))`,
  schemaExists: `select 1 from pg_namespace where nspname = $1`,
  hasMigrationsTable: `select to_regclass('schema_migrations') is not null as present`,
  appliedVersions: `select version from schema_migrations order by version`,
  recordMigration: `insert into schema_migrations (version, name, applied_at) values ($1, $2, ${NOW_MS})`,
  schemaVersion: `select coalesce(max(version), 0) as version from schema_migrations`,

  // Re-registering is a new life of the same node: registered_at stays, and so do the labels
  // (SeaTunnel tags set while it ran) unless the registration gives some ($6 null: none given);
  // everything else is refreshed.
  registerNode: `
with clock as (select ${NOW_MS} as ms)
insert into nodes (id, hostname, address, version, pid, labels, slots, registered_at, started_at, heartbeat_at, state)
select $1::text, $2::text, $3::text, $4::text, $5::integer, coalesce($6::text, '{}'), $7::integer,
  clock.ms, clock.ms, clock.ms, 'up'
from clock
on conflict (id) do update set
  hostname = excluded.hostname, address = excluded.address, version = excluded.version,
  pid = excluded.pid, labels = coalesce($6::text, nodes.labels), slots = excluded.slots,
  started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, state = 'up'
returning ${NODE_COLUMNS}`,
  heartbeat: `
update nodes set heartbeat_at = ${NOW_MS},
  sample_json = coalesce($2::text, sample_json), sample_at = coalesce($3::bigint, sample_at)
where id = $1`,
  deregisterNode: `update nodes set state = 'down' where id = $1`,
  getNode: `select ${NODE_COLUMNS} from nodes where id = $1`,
  // Length first so decimal ids (ids.ts) sort numerically; byte order ("C") matches SQLite's.
  listNodes: `select ${NODE_COLUMNS} from nodes order by length(id), id collate "C"`,
  setNodeLabels: `update nodes set labels = $2::text where id = $1`,

  getSetting: `select value from settings where key = $1`,
  setSetting: `
insert into settings (key, value) values ($1, $2)
on conflict (key) do update set value = excluded.value`,
  setSettingIfAbsent: `
insert into settings (key, value) values ($1, $2) on conflict (key) do nothing`,
} as const;

/** DDL naming the schema; the name is checked to be a plain identifier before it gets here. */
export const createSchema = (schema: string): string => `create schema "${schema}"`;
export const setLocalSearchPath = (schema: string): string =>
  `set local search_path to "${schema}"`;
