// Hides the password in a PostgreSQL connection string so it can appear in errors and logs, and the
// passwords of URLs found anywhere in a text (a pipeline config, a process command line).

const MASK = '***';

/**
 * A URL's `user:password@` anywhere in a text (groups `lead` up to the ':' and `value`): the password
 * runs to the last '@' before a space, a quote (JSON escapes such as `\"` included) or another URL,
 * so an '@' in the password hides more, never less. Linear in the text: a scheme starts only where a
 * run of scheme characters starts, and a password never spans another `://`.
 */
export const URL_PASSWORD =
  /(?<lead>(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s"'/?#@:]*:)(?<value>(?:[^\s"\\:]|:(?!\/\/)|\\.)*)(?=@)/gi;

/**
 * A password-like query parameter (`?password=`, `&secret=`) or JDBC property (`;password=`). The name
 * is matched whole, once (the lookahead-and-backreference idiom is atomic), so that a long name full
 * of "password"s cannot make the match quadratic.
 */
export const URL_SECRET_PARAM =
  /(?<lead>[?&;](?=[\w.-]*?(?:password|passwd|pwd|secret|token))(?=(?<name>[\w.-]+))\k<name>=)(?<value>(?:[^\s"'&;#\\]|\\.)*)/gi;

/**
 * Masks the passwords of every URL in a text, in the user info and in the query; the text keeps its
 * shape (JSON stays JSON).
 * @example maskUrlsInText('url = "jdbc:postgresql://u:pw@db/app"') // 'url = "jdbc:postgresql://u:***@db/app"'
 */
export function maskUrlsInText(text: string): string {
  return text.replace(URL_PASSWORD, `$<lead>${MASK}`).replace(URL_SECRET_PARAM, `$<lead>${MASK}`);
}

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
