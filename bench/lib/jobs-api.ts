// A small client of the agent's jobs API (docs/api.md "Jobs and runs") for benchmarks: JSON calls
// with a time bound, a bounded-concurrency pool, and paging through runs.
import { FINAL_STATES } from '../../src/model/runs.ts';

export interface ApiRun {
  id: string;
  jobId: string;
  state: string;
  scheduledFor: string | null;
  runAt: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  error: string | null;
}

export interface ApiJob {
  id: string;
  name: string;
  nextRunAt: string | null;
}

/** States a run never leaves, as the API's JSON spells them. */
export const TERMINAL: ReadonlySet<string> = FINAL_STATES;

const TIMEOUT_MS = 60_000;

export async function call<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Runs `fn(i)` for i in [0, count) with at most `concurrency` calls in flight; results in order. */
export async function pool<T>(
  concurrency: number,
  count: number,
  fn: (i: number) => Promise<T>,
): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

/** Every run the agent has (optionally of one job), newest first, 500 a page. */
export async function allRuns(base: string, jobId?: string): Promise<ApiRun[]> {
  const runs: ApiRun[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '500' });
    if (jobId !== undefined) q.set('jobId', jobId);
    if (cursor !== null) q.set('cursor', cursor);
    const page = await call<{ runs: ApiRun[]; nextCursor: string | null }>(
      base,
      'GET',
      `/api/v1/runs?${q.toString()}`,
    );
    runs.push(...page.runs);
    cursor = page.runs.length === 0 ? null : page.nextCursor;
  } while (cursor !== null);
  return runs;
}

/** Whether any run of `jobId` (or of any job) is queued or running. */
export async function busy(base: string, jobId?: string): Promise<boolean> {
  for (const state of ['queued', 'running']) {
    const q = new URLSearchParams({ state, limit: '1' });
    if (jobId !== undefined) q.set('jobId', jobId);
    const page = await call<{ runs: ApiRun[] }>(base, 'GET', `/api/v1/runs?${q.toString()}`);
    if (page.runs.length > 0) return true;
  }
  return false;
}

export const ms = (iso: string | null): number => (iso === null ? NaN : Date.parse(iso));
