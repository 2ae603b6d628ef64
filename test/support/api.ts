// Small helpers for tests that talk to a running agent's JSON API: over the wire with fetch
// (apiClient), or in-process through the agent's HTTP app (injectClient, the same interface: a test
// switches transport by changing the line that makes its client).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { inflateSync, gunzipSync } from 'node:zlib';
import type { InProcessAgent } from './in-process-agent.ts';

export interface ApiResponse {
  status: number;
  // Tests read whatever the surface answered; each test asserts the fields it needs.
  body: any;
  headers: Headers;
  /** The body as text, before any JSON parse. */
  text: string;
}

export function apiClient(base: string, defaults: Record<string, string> = {}) {
  return async function api(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const res = await fetch(base + path, {
      method,
      headers: { ...defaults, ...jsonType(body), ...headers },
      ...(body === undefined ? {} : { body: payload(body) }),
    });
    return answer(res.status, res.headers, await res.text());
  };
}

/** The content type a request with `body` sends, unless the caller names another. */
const jsonType = (body: unknown): Record<string, string> =>
  body === undefined ? {} : { 'content-type': 'application/json' };

/** A body as sent: a string as it is, anything else as JSON. */
const payload = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body));

/** The answer as the tests read it: a JSON body parsed, any other as text. */
function answer(status: number, headers: Headers, text: string): ApiResponse {
  const json = (headers.get('content-type') ?? '').includes('json') && text !== '';
  return { status, body: json ? JSON.parse(text) : text, headers, text };
}

/**
 * The defaults fetch (undici) sends, so that an injected request meets the request rules (site
 * guard: Host, Origin, Sec-Fetch-*) and content negotiation as the same fetch would.
 */
export const FETCH_DEFAULTS: Readonly<Record<string, string>> = {
  accept: '*/*',
  'accept-language': '*',
  'sec-fetch-mode': 'cors',
  'user-agent': 'node',
  'accept-encoding': 'gzip, deflate',
};

/**
 * apiClient's interface through Fastify's inject(): no socket, no fast lane (the Fastify route
 * answers), the answer decoded as fetch decodes it (content-encoding undone, the header kept).
 */
export function injectClient(
  agent: Pick<InProcessAgent, 'url' | 'inject'>,
  defaults: Record<string, string> = {},
): ReturnType<typeof apiClient> {
  const host = new URL(agent.url).host;
  return async function api(method, path, body, headers = {}) {
    const res = await agent.inject({
      method: method as 'GET',
      url: path,
      headers: lowerKeys({ host, ...FETCH_DEFAULTS, ...defaults, ...jsonType(body), ...headers }),
      ...(body === undefined ? {} : { payload: payload(body) }),
    });
    const answered = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) answered.append(name, String(one));
    }
    const encoding = answered.get('content-encoding') ?? '';
    const raw = res.rawPayload;
    const text = (
      encoding === 'gzip' ? gunzipSync(raw) : encoding === 'deflate' ? inflateSync(raw) : raw
    ).toString('utf8');
    return answer(res.statusCode, answered, text);
  };
}

/** Header names lowercased, so that a caller's `Content-Type` replaces the default. */
function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Polls until `probe` returns something other than undefined, or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'canceled', 'lost', 'skipped']);

/** Waits until the run reaches a final state and returns it. */
export async function waitRunEnd(
  api: ReturnType<typeof apiClient>,
  runId: string,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  return waitFor(
    `run ${runId} to end`,
    async () => {
      const { body } = await api('GET', `/api/v1/runs/${runId}`);
      return FINAL.has(body.state) ? body : undefined;
    },
    timeoutMs,
  );
}

/** Whether any live (non-zombie) process has `needle` in its command line. */
export function processAlive(needle: string): boolean {
  // Read /proc directly: ps is not guaranteed on a bare machine.
  const { readdirSync, readFileSync } = process.getBuiltinModule('node:fs');
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
      if (cmd.includes(needle)) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}
