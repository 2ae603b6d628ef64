// Parser for /proc/[pid]/cmdline: NUL-separated arguments, shown space-separated as ps does, with
// secrets masked here so that every consumer (API, stream, stored samples) gets the masked line.
import { maskArgs } from './mask-args.ts';

export function parseCmdline(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  // Programs that rewrite their title (sshd, postgres) often leave one NUL-free string.
  return maskArgs(text.slice(0, end).split('\0')).join(' ');
}
