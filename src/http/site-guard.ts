// Cross-site protection, in every mode and on every path that answers HTTP (docs/security.md):
// another web page the operator visits must not act through the browser, and a rebinding DNS name
// must not read a loopback agent. Clients that are not browsers send neither Origin nor
// Sec-Fetch-Site and are never affected, whatever their content type (Arthas's docs use curl -d).
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopback } from '../config.ts';

export interface SiteGuardOptions {
  /** The address the agent listens on: bound to loopback, only loopback names are answered. */
  bind: string;
  /** Host names answered besides the loopback ones (lowercase, without port). */
  allowedHosts: readonly string[];
  /** Origins besides the agent's own that may act (scheme://host[:port]). */
  allowedOrigins: readonly string[];
}

export interface SiteGuard {
  /**
   * Why the request must be refused, or undefined to let it through. `subscribes`: the request
   * opens a WebSocket or an event stream, which a foreign page must not do even with GET.
   */
  refusal(method: string, headers: IncomingHttpHeaders, subscribes: boolean): string | undefined;
}

export function createSiteGuard(options: SiteGuardOptions): SiteGuard {
  const checkHost = isLoopback(options.bind);
  const hosts = new Set(options.allowedHosts); // lowercase already (config.ts)
  const origins = new Set(options.allowedOrigins);
  const hostAnswered = (hostname: string): boolean =>
    hosts.has(hostname) ||
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    isLoopback(hostname.replace(/^\[|\]$/g, ''));

  return {
    refusal(method, headers, subscribes) {
      const host = normalizeHost(headers.host);
      // An HTTP/1.0 request may carry no Host; a browser always sends one.
      if (checkHost && headers.host !== undefined) {
        if (host === undefined || !hostAnswered(host.hostname)) {
          return (
            `Host "${headers.host}" is not a name this agent answers to: bound to loopback, it answers ` +
            'to localhost and loopback addresses only (this refuses DNS rebinding); ' +
            'add the name with --allowed-hosts if it is yours'
          );
        }
      }
      if (!subscribes && (method === 'GET' || method === 'HEAD')) return undefined;
      const origin = headers.origin;
      if (origin !== undefined) {
        if (origins.has(origin)) return undefined;
        if (host !== undefined && originHost(origin) === host.host) {
          return undefined;
        }
        return (
          `cross-site request refused: Origin ${origin} is not this agent's own origin; ` +
          `a page served from there needs --allowed-origins ${origin}`
        );
      }
      const site = headers['sec-fetch-site'];
      if (site === 'cross-site' || site === 'same-site') {
        return (
          `cross-site request refused (Sec-Fetch-Site: ${site}): open the page from this agent, ` +
          'or list its origin with --allowed-origins'
        );
      }
      return undefined;
    },
  };
}

/**
 * host[:port] lowercase without a default port (80 or 443: the scheme in front of a proxy is not
 * known here, and a browser leaves the default out), or undefined if the header is not a host.
 */
function normalizeHost(host: string | undefined): { host: string; hostname: string } | undefined {
  if (host === undefined || host === '') return undefined;
  try {
    const url = new URL(`http://${host}`);
    // Anything beyond host[:port] (a path, credentials) means the header was not a host.
    if (url.username !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      return undefined;
    }
    return { host: url.port === '443' ? url.hostname : url.host, hostname: url.hostname };
  } catch {
    return undefined;
  }
}

/** The host[:port] of an http(s) origin as normalizeHost writes it, or undefined for `null` and the like. */
function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.port === '443' ? url.hostname : url.host;
  } catch {
    return undefined;
  }
}
