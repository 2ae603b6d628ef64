// A pipeline config as it may be shown: the values of password-like options replaced by "***", in
// both JSON and HOCON text, so the API, the CLI and the dashboard never show a database password.

const SECRET_VALUE =
  /((?:"|\b)[\w.-]*(?:password|passwd|secret|token|credential)[\w.-]*"?\s*[:=]\s*)("(?:[^"\\\n]|\\.)*"|[^\s,}\]]+)/gi;

export function maskConfigSecrets(text: string): string {
  return text.replace(SECRET_VALUE, (_match, key: string) => `${key}"***"`);
}
