// Parser for /etc/os-release: the distribution's display name.

export function parseOsRelease(text: string): string {
  let name = '';
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim();
    if (key !== 'PRETTY_NAME' && !(key === 'NAME' && name === '')) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    if (key === 'PRETTY_NAME') return value;
    name = value;
  }
  return name || 'Linux';
}
