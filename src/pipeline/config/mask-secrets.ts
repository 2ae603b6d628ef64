// A pipeline config as it may be shown: the values of password-like options replaced by "***", in
// JSON, HOCON and SQL (`'password' = '…'`) text, and the passwords inside URLs (a Jdbc `url` with
// `user:pw@host` or `?password=pw`) replaced by ***, so the API, the CLI and the dashboard never show a
// database password; and the way back, so a config read (masked) and sent back keeps its passwords.
import { maskUrlsInText, URL_PASSWORD, URL_SECRET_PARAM } from '../../mask-url.ts';

const SECRET_KEY = /password|passwd|secret|token|credential/i;

/**
 * An option whose name looks like a secret, and its value, in JSON, HOCON or SQL. The name starts
 * after a quote, a space or a brace (not after `?`, `&` or `;`: a URL's query is URL_SECRET_PARAM's, and
 * masking it here would break the quotes of the string around it), and is matched whole, once (an
 * atomic lookahead and backreference), so the match stays linear in the text.
 */
const SECRET_VALUE =
  /(?<lead>(?:["']|(?<![^\s{}[\](,]))(?=[\w.-]*?(?:password|passwd|secret|token|credential))(?=(?<name>[\w.-]+))\k<name>["']?\s*[:=]\s*)(?<value>"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s,}\]"']+)/gi;

const MASK = '***';

interface SecretPattern {
  /** Group `lead` leads to the secret (and names it), group `value` is the secret. */
  regex: RegExp;
  mask(value: string): string;
  /** Which secret a match is, so a masked one can take back the stored value of the same one. */
  key(lead: string): string;
}

interface Groups {
  lead: string;
  value: string;
}

/**
 * In the order they are applied: a URL inside a secret option is hidden with the option, and counting
 * URLs after that keeps the nth URL of a masked text the nth of the stored one.
 */
const PATTERNS: readonly SecretPattern[] = [
  {
    regex: SECRET_VALUE,
    // In the quotes the value had (SQL's single or JSON's and HOCON's double).
    mask: (value) => (value.startsWith("'") ? "'***'" : '"***"'),
    // `"password" :` or `db_password =` → the option's name.
    key: (lead) => lead.replace(/["'\s:=]/g, '').toLowerCase(),
  },
  { regex: URL_PASSWORD, mask: () => MASK, key: () => 'url' },
  { regex: URL_SECRET_PARAM, mask: () => MASK, key: (lead) => `url${lead.toLowerCase()}` },
];

/** `text.replace` with a callback that gets the match and its named groups. */
const replace = (text: string, regex: RegExp, fn: (match: string, g: Groups) => string) =>
  text.replace(regex, (match: string, ...rest: unknown[]) => fn(match, rest.at(-1) as Groups));

const apply = (text: string, p: SecretPattern): string =>
  replace(text, p.regex, (_m, g) => `${g.lead}${p.mask(g.value)}`);

export function maskConfigSecrets(text: string): string {
  return PATTERNS.reduce(apply, text);
}

/**
 * `text` with each masked value put back from `stored`: the value the same secret had at the same
 * occurrence (the nth `password` of the new text takes the nth `password` of the old).
 */
export function restoreMaskedSecrets(text: string, stored: string): string {
  // The stored text as each pattern saw it while masking.
  const seenBy = [stored];
  for (const p of PATTERNS) seenBy.push(apply(seenBy.at(-1) as string, p));
  for (let i = PATTERNS.length - 1; i >= 0; i--) {
    text = restore(text, seenBy[i] as string, PATTERNS[i] as SecretPattern);
  }
  return text;
}

function restore(text: string, stored: string, p: SecretPattern): string {
  const before = new Map<string, string[]>();
  for (const m of stored.matchAll(p.regex)) {
    const g = m.groups as unknown as Groups;
    const key = p.key(g.lead);
    const values = before.get(key) ?? [];
    values.push(g.value);
    before.set(key, values);
  }
  const seen = new Map<string, number>();
  return replace(text, p.regex, (match, g) => {
    const key = p.key(g.lead);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const old = before.get(key)?.[n];
    return g.value === p.mask(g.value) && old !== undefined ? `${g.lead}${old}` : match;
  });
}

/**
 * Parsed options (a config's env, as SeaTunnel shows them) with password-like values masked, and the
 * passwords of URLs in the others.
 */
export function maskSecretOptions(
  options: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => [
      key,
      SECRET_KEY.test(key) ? MASK : maskUrlsInText(value),
    ]),
  );
}
