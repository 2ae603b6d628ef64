// Other nodes' changes, heard at once: a transaction that queues or ends runs, or changes a job,
// sends one NOTIFY with its commit (sql-executor.ts), and each store that is watched keeps one
// connection of its own (not from the pool) LISTENing. That connection reconnects with backoff and
// LISTENs again after a server restart or a cut network; while it is down, and to catch anything
// missed, the scheduler's poll goes on as before. A blackholed connection sends no error: a ping
// with a timeout finds it.
import pg from 'pg';
import type { StoreChange, StoreChangeKind, StoreWatcher } from '../store.ts';

/** One channel per database; the payload names the schema, so stores in other schemas ignore it. */
export const CHANNEL = 'bosun_changes';

const LETTER: Readonly<Record<StoreChangeKind, string>> = { jobs: 'j', runs: 'r' };

/**
 * How a change reaches the other stores on `schema`, in the two forms bosun sends it: a statement
 * that travels with a transaction's commit in one text query, and an expression for a statement that
 * commits by itself (in its RETURNING list). Inlined, not a parameter: the schema is a checked plain
 * identifier (postgres-store.ts) and the source a hex string.
 */
export function notifyStatement(
  schema: string,
  source: string,
  changes: ReadonlySet<StoreChangeKind>,
): string {
  return `notify ${CHANNEL}, '${payload(schema, source, changes)}'`;
}

export function notifyCall(
  schema: string,
  source: string,
  changes: ReadonlySet<StoreChangeKind>,
): string {
  return `pg_notify('${CHANNEL}', '${payload(schema, source, changes)}')`;
}

function payload(schema: string, source: string, changes: ReadonlySet<StoreChangeKind>): string {
  return `${schema} ${source} ${[...changes].map((c) => LETTER[c]).join('')}`;
}

/** What a payload says, or undefined when it is another schema's, this store's own, or not ours. */
export function parsePayload(
  payload: string | undefined,
  schema: string,
  source: string,
): StoreChange | undefined {
  const [theirSchema, theirSource, letters] = (payload ?? '').split(' ');
  if (theirSchema !== schema || theirSource === source || letters === undefined) return undefined;
  const change = { jobs: letters.includes(LETTER.jobs), runs: letters.includes(LETTER.runs) };
  return change.jobs || change.runs ? change : undefined;
}

export interface ChangeListenerOptions {
  /** How to connect: the store's URL and its connection bounds (keepalive, timeouts). */
  client: pg.ClientConfig;
  schema: string;
  /** This store's id in payloads: its own changes are not reported back to it. */
  source: string;
  /** Watchers hear at most one change per this many ms; more within it are merged. @default 20 */
  coalesceMs?: number;
  /** A ping on the connection this often, ms, answered within pingTimeoutMs or it is replaced. @default 10000 */
  pingMs?: number;
  /** @default 5000 */
  pingTimeoutMs?: number;
  /** The first reconnection's delay, doubled (with jitter) up to maxBackoffMs. @default 100 */
  minBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
}

export interface ChangeListener {
  /** Adds a watcher; the connection opens with the first. Returns the function that removes it. */
  subscribe(watcher: StoreWatcher): () => void;
  /** Closes the connection for good. */
  close(): Promise<void>;
}

export function createChangeListener(opts: ChangeListenerOptions): ChangeListener {
  const coalesceMs = opts.coalesceMs ?? 20;
  const pingMs = opts.pingMs ?? 10_000;
  const pingTimeoutMs = opts.pingTimeoutMs ?? 5000;
  const minBackoffMs = opts.minBackoffMs ?? 100;
  const maxBackoffMs = opts.maxBackoffMs ?? 5000;
  const watchers = new Set<StoreWatcher>();
  /** The connection in use (connecting or listening); a replaced one's late events are ignored. */
  let client: pg.Client | undefined;
  let listening = false;
  /** Failed attempts since the connection was last up. */
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let pending: StoreChange | undefined;
  let lastFlush = -Infinity;
  let closed = false;

  function each(fn: (w: StoreWatcher) => void): void {
    for (const w of [...watchers]) {
      try {
        fn(w);
      } catch {
        // A watcher's failure is its own; the others still hear.
      }
    }
  }

  function heard(change: StoreChange): void {
    pending = {
      jobs: change.jobs || (pending?.jobs ?? false),
      runs: change.runs || (pending?.runs ?? false),
    };
    if (flushTimer !== undefined) return;
    // The first change goes out at once (on the next turn, with any read in the same packet);
    // those that follow within coalesceMs of it wait for the window to end, then go as one.
    const wait = Math.max(0, lastFlush + coalesceMs - performance.now());
    flushTimer = setTimeout(flush, wait);
  }

  function flush(): void {
    flushTimer = undefined;
    const change = pending;
    pending = undefined;
    if (change === undefined || closed) return;
    lastFlush = performance.now();
    each((w) => w.onChange(change));
  }

  function connect(): void {
    retryTimer = undefined;
    if (closed || watchers.size === 0 || client !== undefined) return;
    const c = new pg.Client(opts.client);
    client = c;
    // Never removed: a client that is given up may still emit, and an 'error' nobody listens to
    // would crash the process.
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('the LISTEN connection ended')));
    c.on('notification', (msg) => {
      if (c !== client || msg.channel !== CHANNEL) return;
      const change = parsePayload(msg.payload, opts.schema, opts.source);
      if (change !== undefined) heard(change);
    });
    c.connect()
      .then(() => c.query(`listen ${CHANNEL}`))
      .then(() => {
        if (c !== client) return;
        failures = 0;
        listening = true;
        each((w) => w.onStatus?.({ listening: true }));
        // Changes committed while nothing listened went unheard: watchers look at everything once.
        heard({ jobs: true, runs: true });
        armPing(c);
      })
      .catch((err: unknown) => lost(c, err instanceof Error ? err : new Error(String(err))));
  }

  function armPing(c: pg.Client): void {
    pingTimer = setTimeout(() => {
      const fail = (err: Error) => lost(c, err);
      // A blackholed connection answers nothing and reports nothing: no answer in time is an error.
      const silence = setTimeout(
        () => fail(new Error(`the LISTEN connection did not answer a ping in ${pingTimeoutMs} ms`)),
        pingTimeoutMs,
      );
      silence.unref();
      c.query('select 1').then(
        () => {
          clearTimeout(silence);
          if (c === client) armPing(c);
        },
        (err: unknown) => {
          clearTimeout(silence);
          fail(err instanceof Error ? err : new Error(String(err)));
        },
      );
    }, pingMs);
    pingTimer.unref();
  }

  /** The connection failed or ended: report it once per outage and try again after a backoff. */
  function lost(c: pg.Client, err: Error): void {
    if (c !== client) return;
    client = undefined;
    clearTimeout(pingTimer);
    void c.end().catch(() => {});
    if (listening || failures === 0) each((w) => w.onStatus?.({ listening: false, error: err }));
    listening = false;
    if (closed || watchers.size === 0) return;
    const backoff = Math.min(maxBackoffMs, minBackoffMs * 2 ** failures);
    failures++;
    // Jitter: the nodes of a cluster do not all come back in the same instant after a restart.
    retryTimer = setTimeout(connect, backoff * (0.5 + Math.random() / 2));
    retryTimer.unref();
  }

  /** Drops the connection and every timer (no watcher left, or closing). */
  async function stop(): Promise<void> {
    clearTimeout(retryTimer);
    clearTimeout(pingTimer);
    clearTimeout(flushTimer);
    retryTimer = pingTimer = flushTimer = undefined;
    pending = undefined;
    const c = client;
    client = undefined;
    listening = false;
    failures = 0;
    await c?.end().catch(() => {});
  }

  return {
    subscribe(watcher) {
      if (closed) return () => {};
      watchers.add(watcher);
      if (client === undefined && retryTimer === undefined) connect();
      return () => {
        if (!watchers.delete(watcher) || watchers.size > 0) return;
        void stop();
      };
    },
    async close() {
      closed = true;
      watchers.clear();
      await stop();
    },
  };
}
