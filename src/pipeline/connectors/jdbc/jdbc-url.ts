// The Jdbc connectors' database address: SeaTunnel's `url` (`jdbc:sqlite:/path/file.db`,
// `jdbc:postgresql://host:port/db?…`), `driver`, `user` and `password`, read into what node:sqlite or
// pg needs, with a label for messages that never shows the password.
import type { ClientConfig } from 'pg';
import { maskUrl } from '../../../mask-url.ts';
import { type OptionReader } from '../connector.ts';
import { configError } from '../../config-error.ts';

export type JdbcTarget =
  | { readonly dialect: 'sqlite'; readonly path: string; readonly label: string }
  | {
      readonly dialect: 'postgres';
      readonly config: ClientConfig;
      readonly label: string;
      /** How long to wait for a connection (`connection_check_timeout_sec`). */
      readonly connectTimeoutMs: number;
    };

/** SeaTunnel's JDBC driver class names, by dialect. */
const DRIVERS = { sqlite: 'org.sqlite.JDBC', postgres: 'org.postgresql.Driver' } as const;

export function readJdbcTarget(options: OptionReader, plugin: string): JdbcTarget {
  const url = options.string('url');
  const driver = options.has('driver') ? options.string('driver') : undefined;
  const timeoutSec = options.int('connection_check_timeout_sec', 30, 1);
  const target = parseJdbcUrl(url, plugin, {
    user: options.has('user') ? options.string('user') : undefined,
    password: options.has('password') ? options.string('password') : undefined,
    connectTimeoutMs: timeoutSec * 1000,
  });
  if (driver !== undefined && driver !== '' && driver !== DRIVERS[target.dialect]) {
    const known = Object.values(DRIVERS).includes(driver as (typeof DRIVERS)['sqlite']);
    throw configError(
      known
        ? `${plugin}: option 'driver' is ${driver} but the url ${maskUrl(url)} is a ${target.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database; use driver = "${DRIVERS[target.dialect]}" or leave it out`
        : `${plugin}: driver ${driver} is not supported by bosun; use ${DRIVERS.sqlite} (SQLite) or ${DRIVERS.postgres} (PostgreSQL), or leave 'driver' out`,
    );
  }
  return target;
}

export function parseJdbcUrl(
  url: string,
  plugin: string,
  auth: { user?: string; password?: string; connectTimeoutMs: number },
): JdbcTarget {
  const sqlite = /^jdbc:sqlite:(.*)$/i.exec(url);
  if (sqlite) {
    let path = (sqlite[1] as string).replace(/^file:/i, '');
    if (
      path === '' ||
      path === ':memory:' ||
      path.startsWith(':memory:') ||
      path === ':resource:'
    ) {
      throw configError(
        `${plugin}: url ${url} is an in-memory SQLite database, which no other connection can see; use a file, e.g. jdbc:sqlite:/var/lib/data/app.db`,
      );
    }
    // Driver settings after '?' (jdbc:sqlite:/x.db?journal_mode=wal) are not a part of the path.
    path = path.replace(/\?.*$/, '');
    return { dialect: 'sqlite', path, label: `SQLite database ${path}` };
  }
  const postgres = /^jdbc:postgresql:(.*)$/i.exec(url);
  if (postgres) {
    const rest = postgres[1] as string;
    let parsed: URL;
    try {
      // The host-less form jdbc:postgresql:db means localhost:5432/db.
      parsed = new URL(
        rest.startsWith('//') ? `postgresql:${rest}` : `postgresql://localhost/${rest}`,
      );
    } catch {
      throw configError(
        `${plugin}: url ${maskUrl(url)} is not a valid PostgreSQL JDBC url; use jdbc:postgresql://host:5432/database`,
      );
    }
    const params = parsed.searchParams;
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    const config: ClientConfig = {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
      port: parsed.port === '' ? 5432 : Number(parsed.port),
      database: database === '' ? undefined : database,
      user: auth.user ?? params.get('user') ?? (decodeURIComponent(parsed.username) || undefined),
      password:
        auth.password ??
        params.get('password') ??
        (decodeURIComponent(parsed.password) || undefined),
      connectionTimeoutMillis: auth.connectTimeoutMs,
    };
    const ssl = params.get('sslmode') ?? (params.get('ssl') === 'true' ? 'require' : undefined);
    if (ssl !== undefined && ssl !== 'disable' && ssl !== 'allow' && ssl !== 'prefer') {
      // verify-ca/verify-full check the certificate; require only encrypts (JDBC's meaning).
      config.ssl = ssl.startsWith('verify') ? true : { rejectUnauthorized: false };
    }
    const schema = params.get('currentSchema');
    if (schema !== null) config.options = `-c search_path=${schema}`;
    const app = params.get('ApplicationName');
    if (app !== null) config.application_name = app;
    const where = `${config.host}:${config.port}/${database}`;
    return {
      dialect: 'postgres',
      config,
      label: `PostgreSQL database ${where}`,
      connectTimeoutMs: auth.connectTimeoutMs,
    };
  }
  throw configError(
    `${plugin}: url ${maskUrl(url)} is not supported by bosun; use jdbc:sqlite:/path/to/file.db or jdbc:postgresql://host:5432/database`,
  );
}
