// A pipeline config as it may be shown: the values of password-like options replaced by "***", in
// JSON, HOCON and SQL (`'password' = '…'`) text, so the API, the CLI and the dashboard never show a
// database password; and the way back, so a config read (masked) and sent back keeps its passwords.

const SECRET_VALUE =
  /((?:["']|\b)[\w.-]*(?:password|passwd|secret|token|credential)[\w.-]*["']?\s*[:=]\s*)("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s,}\]]+)/gi;

/** The mask, in the quotes the value had (SQL's single or JSON's and HOCON's double). */
const maskFor = (value: string) => (value.startsWith("'") ? "'***'" : '"***"');

export function maskConfigSecrets(text: string): string {
  return text.replace(SECRET_VALUE, (_m, key: string, value: string) => `${key}${maskFor(value)}`);
}

/**
 * `text` with each `"***"` password-like value put back from `stored`: the value the same option had
 * at the same occurrence (the nth `password` of the new text takes the nth `password` of the old).
 */
export function restoreMaskedSecrets(text: string, stored: string): string {
  const before = new Map<string, string[]>();
  for (const m of stored.matchAll(SECRET_VALUE)) {
    const key = optionName(m[1] as string);
    before.set(key, [...(before.get(key) ?? []), m[2] as string]);
  }
  const seen = new Map<string, number>();
  return text.replace(SECRET_VALUE, (match, lead: string, value: string) => {
    const key = optionName(lead);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const old = before.get(key)?.[n];
    return value === maskFor(value) && old !== undefined ? `${lead}${old}` : match;
  });
}

/** `"password" :` or `db_password =` → the option's name. */
function optionName(lead: string): string {
  return lead.replace(/["'\s:=]/g, '').toLowerCase();
}
