// Parser for /proc/[pid]/cmdline: NUL-separated arguments, shown space-separated as ps does.

export function parseCmdline(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  // Programs that rewrite their title (sshd, postgres) often leave one NUL-free string.
  return text.slice(0, end).replaceAll('\0', ' ');
}
