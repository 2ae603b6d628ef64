// Requests of the jobs pages. Besides JSON in and out, this learns whether the agent is read-only:
// from the `x-bosun-read-only` header the agent sets on every answer in --read-only mode, or, with
// an agent that does not send it, from the first 403 READ_ONLY. The body's data-read-only then hides
// every control that would change something (CSS: .needs-write).
import { AuthRequiredError, apiUrl } from './api.ts';

export const READ_ONLY_HEADER = 'x-bosun-read-only';

/** An error answer of the agent, with its code ("CONFLICT") and status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function markReadOnly(): void {
  document.body.dataset.readOnly = 'true';
}

export function isReadOnly(): boolean {
  return document.body.dataset.readOnly === 'true';
}

function learn(response: Response): void {
  if (response.headers.get(READ_ONLY_HEADER) === 'true') markReadOnly();
}

/** Throws AuthRequiredError on 401 and ApiError with the agent's message on other failures. */
export async function checked(response: Response): Promise<Response> {
  learn(response);
  if (response.status === 401) throw new AuthRequiredError();
  if (response.ok) return response;
  let code = 'HTTP_ERROR';
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  if (code === 'READ_ONLY') markReadOnly();
  throw new ApiError(response.status, code, message);
}

export async function requestJson<T>(
  method: 'GET' | 'POST',
  path: string,
  signal?: AbortSignal,
): Promise<T> {
  const response = await fetch(apiUrl(path), {
    method,
    headers: { accept: 'application/json' },
    cache: 'no-store',
    credentials: 'same-origin',
    ...(signal ? { signal } : {}),
  });
  return (await (await checked(response)).json()) as T;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
