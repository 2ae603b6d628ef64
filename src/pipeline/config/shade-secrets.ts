// SeaTunnel's config shade (`env."shade.identifier"`): the credentials of source and sink plugins
// written encoded, so a config file does not show them in clear. Which options are credentials here
// is SeaTunnel's list, not mask-secrets.ts's: a shade encodes user names too, which are shown unmasked.

/** The plugin options a shade encodes (SeaTunnel's sensitive options, and `user`, Jdbc's name for one). */
export const SHADED_OPTIONS: readonly string[] = ['username', 'password', 'auth', 'token', 'user'];

/** The shades that encode (`default`, and any bosun does not know, leave values as written). */
const SHADES: ReadonlyMap<string, (value: string) => string> = new Map([
  ['base64', (value: string) => Buffer.from(value).toString('base64')],
]);

/**
 * A config document with its credentials encoded by its own `shade.identifier` (SeaTunnel's
 * encrypt-config). What it cannot read (no plugin list, a plugin not an object) stays as it is:
 * SeaTunnel checks a config when it is submitted, not here. The document is changed in place.
 */
export function shadeConfig(doc: Record<string, unknown>): Record<string, unknown> {
  const env = doc.env as Record<string, unknown> | undefined;
  const encode = SHADES.get(String(env?.['shade.identifier'] ?? 'default'));
  if (encode === undefined) return doc;
  for (const role of ['source', 'sink']) {
    const plugins = doc[role];
    for (const plugin of Array.isArray(plugins) ? plugins : []) {
      if (typeof plugin !== 'object' || plugin === null || Array.isArray(plugin)) continue;
      const options = plugin as Record<string, unknown>;
      for (const key of SHADED_OPTIONS) {
        const value = options[key];
        if (typeof value === 'string') options[key] = encode(value);
      }
    }
  }
  return doc;
}
