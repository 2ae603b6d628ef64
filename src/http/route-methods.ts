// Which methods a path answers to, from the routes as Fastify registers them, so that a wrong
// method gets a 405 naming the right ones (Allow) instead of a 404.
import type { RouteOptions } from 'fastify';

export interface RouteMethods {
  /** The onRoute hook that records each route. */
  onRoute(route: RouteOptions): void;
  /** The methods some route answers on this path, sorted; empty when no route matches it. */
  allowed(pathname: string): string[];
  /** Every route as registered, catch-alls included. */
  routes(): ReadonlyArray<{ method: string; url: string }>;
}

export function createRouteMethods(): RouteMethods {
  const patterns: Array<{ pattern: RegExp; methods: string[] }> = [];
  const registered: Array<{ method: string; url: string }> = [];
  return {
    onRoute(route) {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) registered.push({ method, url: route.url });
      // A catch-all (the dashboard's static files) would make every path "allow" GET.
      if (!route.url.endsWith('*')) patterns.push({ pattern: patternOf(route.url), methods });
    },
    routes: () => registered,
    allowed(pathname) {
      const out = new Set<string>();
      for (const route of patterns) {
        if (route.pattern.test(pathname)) for (const m of route.methods) out.add(m);
      }
      return [...out].sort();
    },
  };
}

/** find-my-way's path syntax as a RegExp: `:name` is one segment. */
function patternOf(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+(?:\([^)]*\))?)/)
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
