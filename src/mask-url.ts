// Hides the password in a PostgreSQL connection string so it can appear in errors and logs.

const MASK = '***';

/**
 * Returns the URL with any password replaced by `***`: in the user info (`postgres://user:pw@host`),
 * in a `password=` query parameter, or in a key/value conninfo string (`host=h password=pw`).
 * @example maskUrl('postgres://bosun:s3cret@db:5432/bosun') // 'postgres://bosun:***@db:5432/bosun'
 */
export function maskUrl(url: string): string {
  return maskKeyValue(maskUserInfo(url));
}

/**
 * The `user:password@` part, done by hand because a password may hold characters a URL parser rejects.
 * Everything from the first ':' after the user to the last '@' is masked: it may hide more than the
 * password in an odd URL, but never less.
 */
function maskUserInfo(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0) return url;
  const userStart = scheme + 3;
  const at = url.lastIndexOf('@');
  if (at < userStart) return url;
  const colon = url.indexOf(':', userStart);
  if (colon < 0 || colon > at) return url;
  return `${url.slice(0, colon + 1)}${MASK}${url.slice(at)}`;
}

/** `password=...` as a query parameter or a conninfo pair, quoted or not. */
function maskKeyValue(url: string): string {
  return url.replace(
    /(^|[?&\s])(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)/gi,
    (_match, lead: string, key: string) => `${lead}${key}${MASK}`,
  );
}
