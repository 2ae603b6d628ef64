// Hash routes of the one-page dashboard: the host view at #/ (the default) and the jobs pages. No
// server routes are needed, and a reload or a shared link opens the same page.

export type Route =
  | { view: 'host' }
  | { view: 'jobs' }
  | { view: 'job'; id: string }
  | { view: 'run'; id: string }
  | { view: 'console'; session?: string };

/** "#/jobs/123" → {view: "job", id: "123"}; anything unknown is the host view. */
export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '');
  const [section, id] = parts;
  if (section === 'jobs') {
    if (id === undefined) return { view: 'jobs' };
    if (parts.length === 2) return { view: 'job', id: safeDecode(id) };
  }
  if (section === 'console') {
    if (id === undefined) return { view: 'console' };
    if (parts.length === 2) return { view: 'console', session: safeDecode(id) };
  }
  if (section === 'runs' && id !== undefined && parts.length === 2) {
    return { view: 'run', id: safeDecode(id) };
  }
  return { view: 'host' };
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'host':
      return '#/';
    case 'jobs':
      return '#/jobs';
    case 'job':
      return `#/jobs/${encodeURIComponent(route.id)}`;
    case 'run':
      return `#/runs/${encodeURIComponent(route.id)}`;
    case 'console':
      return route.session === undefined
        ? '#/console'
        : `#/console/${encodeURIComponent(route.session)}`;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
