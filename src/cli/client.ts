// A small client of the agent's native API over global fetch: where the agent is, the token, and
// errors turned into one line a person can act on (ClientError, printed as "bosun: <message>").

import { exitKindOfStatus, type ExitKind } from './exit-codes.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8600';

/** An error meant for the user as is; the CLI prints its message and exits with its kind's code. */
export class ClientError extends Error {
  /** The HTTP status when the agent answered with an error. */
  readonly status: number | undefined;
  /** Which failure it is (exit-codes.ts): from the status when the agent answered, else given. */
  readonly kind: ExitKind;
  /** The agent's error code (NOT_FOUND, CONFLICT …) when it answered with one. */
  readonly code: string | undefined;

  constructor(
    message: string,
    options?: { cause?: unknown; status?: number; kind?: ExitKind; code?: string },
  ) {
    super(message, options);
    this.name = 'ClientError';
    this.status = options?.status;
    this.code = options?.code;
    this.kind =
      options?.kind ?? (this.status === undefined ? 'FAILED' : exitKindOfStatus(this.status));
  }
}

export interface Connection {
  /** Base URL without a trailing slash. */
  url: string;
  token: string | undefined;
}

/** Flags win over BOSUN_URL / BOSUN_TOKEN, which win over the default local agent. */
export function resolveConnection(
  flags: { url?: string; token?: string },
  env: Readonly<Record<string, string | undefined>>,
): Connection {
  const raw = flags.url || env.BOSUN_URL || DEFAULT_URL;
  const source = flags.url ? '--url' : env.BOSUN_URL ? 'BOSUN_URL' : 'default';
  // "host:port" is common shorthand; without a scheme URL() would read "host" as the scheme.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new ClientError(`${source}: "${raw}" is not a URL (e.g. ${DEFAULT_URL})`, {
      kind: 'USAGE',
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ClientError(`${source}: "${raw}" must be an http:// or https:// URL`, {
      kind: 'USAGE',
    });
  }
  const token = flags.token || env.BOSUN_TOKEN || undefined;
  return { url: parsed.href.replace(/\/+$/, ''), token };
}

export interface ApiClient {
  readonly url: string;
  /** JSON request; resolves to the parsed body, or undefined for 204. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** As request, with the status too (where it tells what happened: 201 created, 200 replaced). */
  exchange<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** GET whose body is passed on chunk by chunk as it arrives (logs, followed logs). */
  stream(path: string, onChunk: (chunk: Uint8Array) => void): Promise<void>;
}

export function createClient(
  conn: Connection,
  fetchImpl: typeof fetch = globalThis.fetch,
): ApiClient {
  const headers = (json: boolean): Record<string, string> => ({
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(conn.token ? { authorization: `Bearer ${conn.token}` } : {}),
  });

  const send = async (method: string, path: string, body?: unknown): Promise<Response> => {
    let res: Response;
    try {
      res = await fetchImpl(conn.url + path, {
        method,
        headers: headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw unreachable(conn.url, err);
    }
    if (!res.ok) throw await errorFrom(res, conn);
    return res;
  };

  const exchange = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await send(method, path, body);
    if (res.status === 204) return { status: res.status, body: undefined as T };
    const text = await res.text();
    if (text === '') return { status: res.status, body: undefined as T };
    try {
      return { status: res.status, body: JSON.parse(text) as T };
    } catch {
      throw new ClientError(`${method} ${path}: the agent answered ${res.status} with no JSON`);
    }
  };

  return {
    url: conn.url,
    exchange,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      return (await exchange<T>(method, path, body)).body;
    },
    async stream(path: string, onChunk: (chunk: Uint8Array) => void): Promise<void> {
      const res = await send('GET', path);
      if (!res.body) return;
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          onChunk(value);
        }
      } catch (err) {
        throw new ClientError(
          `lost the connection to the agent at ${conn.url} while reading ${path}`,
          { cause: err, kind: 'UNAVAILABLE' },
        );
      }
    },
  };
}

/** fetch rejects with TypeError("fetch failed") and the socket error as `cause`. */
function unreachable(url: string, err: unknown): ClientError {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const hint = 'is `bosun serve` running? (set --url or BOSUN_URL)';
  if (code === 'ECONNREFUSED') {
    return new ClientError(`cannot reach the agent at ${url}: ${hint}`, {
      cause: err,
      kind: 'UNAVAILABLE',
    });
  }
  const why = code ?? (typeof cause?.message === 'string' ? cause.message : String(err));
  return new ClientError(`cannot reach the agent at ${url} (${why}): ${hint}`, {
    cause: err,
    kind: 'UNAVAILABLE',
  });
}

async function errorFrom(res: Response, conn: Connection): Promise<ClientError> {
  let message: string | undefined;
  let code: string | undefined;
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } };
    if (typeof body.error?.message === 'string') message = body.error.message;
    if (typeof body.error?.code === 'string') code = body.error.code;
  } catch {
    // not the API's error shape (a proxy, an older agent): fall back to the status line
  }
  const status = res.status;
  if (status === 401) {
    message = conn.token
      ? `the agent at ${conn.url} refused the token: check BOSUN_TOKEN (or --token)`
      : `the agent at ${conn.url} needs a token: set BOSUN_TOKEN (or pass --token)`;
  }
  return new ClientError(message ?? `the agent answered ${status} ${res.statusText}`.trim(), {
    status,
    ...(code === undefined ? {} : { code }),
  });
}
