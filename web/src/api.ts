// Same-origin JSON requests. Paths are relative to the page so the dashboard also works behind a
// reverse proxy under a path prefix. In token mode the session cookie rides along by itself.

/** The agent answered 401: the page needs a `/?token=` visit first. */
export class AuthRequiredError extends Error {
  constructor() {
    super('This agent needs a token');
    this.name = 'AuthRequiredError';
  }
}

export function apiUrl(path: string): URL {
  return new URL(path, document.baseURI);
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(apiUrl(path), {
    headers: { accept: 'application/json' },
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (response.status === 401) throw new AuthRequiredError();
  if (!response.ok) {
    // The agent's error shape is {"error":{"code","message"}}; fall back to the status line.
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  return (await response.json()) as T;
}

/** ws:// or wss:// for a path relative to the page. */
export function wsUrl(path: string): string {
  const url = apiUrl(path);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
