// The one table of surfaces: which paths each answers and how it renders errors. It decides the
// shape of errors raised before any route is found (404, 405, a bad URL, 414, 431, a CONNECT), and
// app.ts registers each surface's routes in a Fastify context of its own whose error handler is the
// surface's; surface-plugin.ts refuses a route whose path this table gives to another surface.
import type { RenderError } from './error-answer.ts';
import { renderArthasError } from './compat/arthas-errors.ts';
import { renderCloudtaskError } from './compat/cloudtask-errors.ts';
import { renderSeatunnelError } from './compat/seatunnel-errors.ts';
import { renderNativeError } from './native/error-shape.ts';

export interface Surface {
  readonly name: string;
  /**
   * Where it answers. A prefix ending in `/` takes every path that starts with it; any other takes
   * that path and every path below it. The longest matching prefix of all surfaces wins.
   */
  readonly prefixes: readonly string[];
  readonly renderError: RenderError;
}

const VMINFO_SECTIONS = ['snapshot', 'cpu', 'memory', 'disk', 'network', 'processes', 'system'];

/** bosun's own API (docs/api.md). */
export const NATIVE: Surface = {
  name: 'native',
  prefixes: ['/api/'],
  renderError: renderNativeError,
};

/** vminfo's monitoring reads and snapshot stream (specs/vminfo.md), in bosun's error shape. */
export const VMINFO: Surface = {
  name: 'vminfo',
  prefixes: [
    '/healthz',
    '/readyz',
    '/ws',
    ...[...VMINFO_SECTIONS, 'health'].map((s) => `/api/v1/${s}`),
  ],
  renderError: renderNativeError,
};

/** Arthas's console API, POST /api (specs/arthas.md); nothing below /api is Arthas's. */
export const ARTHAS: Surface = {
  name: 'arthas',
  prefixes: ['/api'],
  renderError: renderArthasError,
};

/** Apache SeaTunnel's REST API: v1 under /hazelcast/rest/, v2 the same endpoints unprefixed. */
export const SEATUNNEL: Surface = {
  name: 'seatunnel',
  prefixes: [
    '/hazelcast/rest/',
    ...[
      'running-jobs',
      'running-job',
      'job-info',
      'finished-jobs',
      'submit-job',
      'submit-jobs',
      'stop-job',
      'stop-jobs',
      'encrypt-config',
      'overview',
      'update-tags',
      'thread-dump',
      'running-threads',
      'logs',
      'log',
      'get-all-log-name',
      'system-monitoring-information',
    ].map((name) => `/${name}`),
  ],
  renderError: renderSeatunnelError,
};

/** The Cloudtask agent API (specs/cloudtask.md). */
export const CLOUDTASK: Surface = {
  name: 'cloudtask',
  prefixes: ['/cloudtask/'],
  renderError: renderCloudtaskError,
};

/** Prometheus exposition. */
export const METRICS: Surface = {
  name: 'metrics',
  prefixes: ['/metrics'],
  renderError: renderNativeError,
};

/** The dashboard's files, and every path no other surface claims. */
export const DASHBOARD: Surface = {
  name: 'dashboard',
  prefixes: ['/'],
  renderError: renderNativeError,
};

export const SURFACES: readonly Surface[] = [
  NATIVE,
  VMINFO,
  ARTHAS,
  SEATUNNEL,
  CLOUDTASK,
  METRICS,
  DASHBOARD,
];

// Longest first, so the first match is the most specific.
const BY_LENGTH = SURFACES.flatMap((surface) =>
  surface.prefixes.map((prefix) => ({ prefix, surface })),
).sort((a, b) => b.prefix.length - a.prefix.length);

/** The surface a request's path (query string or not) belongs to. */
export function surfaceOf(url: string): Surface {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  for (const { prefix, surface } of BY_LENGTH) {
    if (
      prefix.endsWith('/')
        ? pathname.startsWith(prefix)
        : pathname === prefix ||
          (pathname.startsWith(prefix) && pathname.charCodeAt(prefix.length) === 47) // '/'
    ) {
      return surface;
    }
  }
  return DASHBOARD;
}
