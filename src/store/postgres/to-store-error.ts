// Turns what pg throws into an AgentError whose message says where and what to fix:
// STORE_UNAVAILABLE (503) while the server cannot be reached or is restarting, STORE otherwise.
// The URL is always shown masked: a connection string is the one place a password could leak from.
import { AgentError } from '../../errors.ts';

/** Where the store points, for messages. */
export interface PgTarget {
  /** host:port, e.g. 127.0.0.1:5432. */
  readonly hostPort: string;
  /** The connection URL with its password masked. */
  readonly maskedUrl: string;
}

/** host:port of a postgres:// URL, defaulting as libpq does. */
export function hostPortOf(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    return `${host}:${parsed.port || '5432'}`;
  } catch {
    return 'an unparsable address';
  }
}

// SQLSTATE codes with a known remedy (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const HINTS: Readonly<Record<string, string>> = {
  '28P01': 'the user or password was rejected; check the credentials in --store',
  '28000': 'the server refused this user; check the user in --store and pg_hba.conf',
  '3D000': 'the database does not exist; create it (createdb) or fix the database name in --store',
  '42P01': 'a table is missing: the store has not been migrated (call migrate() first)',
  '42501':
    'permission denied; grant this user rights on the database and schema, or use another schema',
  '53300': 'the server has too many connections; lower the pool size or raise max_connections',
  '57P01': 'the server was shut down while the store was using it',
  '57P03': 'the server is starting up or shutting down; try again shortly',
  '55P03': 'a row stayed locked past lock_timeout (another node holds it); it is retried',
  '57014': 'the statement ran past statement_timeout; it is retried',
  '25P03': 'the session sat idle inside a transaction past its timeout (the agent stalled)',
};

/** The server is going away or coming back: the store is unavailable, not broken (503). */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '25P03']);

// Socket-level failures reaching the server at all.
const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
};

export function toStoreError(err: unknown, op: string, target: PgTarget): AgentError {
  if (err instanceof AgentError) return err;
  const code =
    typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  const message = err instanceof Error ? err.message : String(err);
  const failure =
    CONNECT_FAILURES[code] ??
    (/connection timeout|timeout expired/i.test(message) ? 'timed out' : undefined);
  if (failure !== undefined) {
    return new AgentError(
      'STORE_UNAVAILABLE',
      `cannot connect to PostgreSQL at ${target.hostPort}: ${failure}; check --store (${target.maskedUrl}) and that the server is running`,
      { cause: err },
    );
  }
  const hint = HINTS[code];
  return new AgentError(
    UNAVAILABLE.has(code) || /Connection terminated|not queryable|Query read timeout/i.test(message)
      ? 'STORE_UNAVAILABLE'
      : 'STORE',
    `cannot ${op} in PostgreSQL at ${target.hostPort} (${target.maskedUrl}): ${message}${hint ? `; ${hint}` : ''}`,
    { cause: err },
  );
}
