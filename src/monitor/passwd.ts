// Parser for /etc/passwd: user names by uid, for the process list's user column.

export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    const third = line.indexOf(':', second + 1);
    if (first <= 0 || third === -1) continue;
    const uid = Number(line.slice(second + 1, third));
    // The first entry for a uid is the one getpwuid(3) returns.
    if (Number.isInteger(uid) && !users.has(uid)) users.set(uid, line.slice(0, first));
  }
  return users;
}
