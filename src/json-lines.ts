// One JSON message per line on a stream: the control channel between the runner and the pipeline
// engine (fd 3), read the same way at both ends.
import type { Readable } from 'node:stream';

/** Calls `onMessage` with each JSON line the stream carries; a line that is not JSON is skipped. */
export function readJsonLines(stream: Readable, onMessage: (message: unknown) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line !== '') {
        try {
          onMessage(JSON.parse(line));
        } catch {
          // a half-written line of a killed process, or noise: not a message
        }
      }
      newline = pending.indexOf('\n');
    }
  });
  stream.on('error', () => {});
}
