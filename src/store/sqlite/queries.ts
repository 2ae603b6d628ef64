// Every SQL statement the SQLite store runs, kept together so the schema's users are easy to review.
// Named parameters (:id) are bound from plain objects; times are ms since the epoch from the store's clock.

const NODE_COLUMNS = `id, hostname, address, version, pid, labels, slots, registered_at, started_at,
  heartbeat_at, state, sample_json, sample_at`;

export const SQL = {
  hasMigrationsTable: `select 1 from sqlite_master where type = 'table' and name = 'schema_migrations'`,
  appliedVersions: `select version from schema_migrations order by version`,
  recordMigration: `insert into schema_migrations (version, name, applied_at) values (:version, :name, :now)`,
  schemaVersion: `select coalesce(max(version), 0) as version from schema_migrations`,

  // Re-registering is a new life of the same node: registered_at stays, and so do the labels
  // (SeaTunnel tags set while it ran) unless the registration gives some (:labels null: none given);
  // everything else is refreshed.
  registerNode: `
insert into nodes (id, hostname, address, version, pid, labels, slots, registered_at, started_at, heartbeat_at, state)
values (:id, :hostname, :address, :version, :pid, coalesce(:labels, '{}'), :slots, :now, :now, :now, 'up')
on conflict (id) do update set
  hostname = excluded.hostname, address = excluded.address, version = excluded.version,
  pid = excluded.pid, labels = coalesce(:labels, nodes.labels), slots = excluded.slots,
  started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, state = 'up'
returning ${NODE_COLUMNS}`,
  heartbeat: `
update nodes set heartbeat_at = :now,
  sample_json = coalesce(:sampleJson, sample_json), sample_at = coalesce(:sampleAt, sample_at)
where id = :id`,
  deregisterNode: `update nodes set state = 'down' where id = :id`,
  getNode: `select ${NODE_COLUMNS} from nodes where id = :id`,
  // Length first so decimal ids (ids.ts) sort numerically even when their digit counts differ.
  listNodes: `select ${NODE_COLUMNS} from nodes order by length(id), id`,
  setNodeLabels: `update nodes set labels = :labels where id = :id`,

  getSetting: `select value from settings where key = :key`,
  setSetting: `
insert into settings (key, value) values (:key, :value)
on conflict (key) do update set value = excluded.value`,
  setSettingIfAbsent: `insert into settings (key, value) values (:key, :value) on conflict (key) do nothing`,
} as const;
