// `cat <file>...`: a file's contents, at most 128 KiB in all (Arthas's limit when not on a TTY), saying
// when it was cut. Relative paths are from the agent's working directory.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CommandSpec } from '../command.ts';
import type { CatItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';

export const CAT_LIMIT_BYTES = 128 * 1024;

export const catCommand: CommandSpec = {
  kind: 'command',
  name: 'cat',
  summary: 'show files (at most 128 KiB in all)',
  usage: 'cat <file>...',
  examples: ['cat /etc/os-release', 'cat /var/log/syslog | grep -i error'],
  positionals: { min: 1, max: 16 },
  async run(ctx, { positionals }) {
    let budget = CAT_LIMIT_BYTES;
    for (const name of positionals) {
      if (ctx.signal.aborted) return;
      const file = path.resolve(name);
      const item = await readCapped(file, budget);
      budget -= Buffer.byteLength(item.content);
      ctx.emit(item);
      if (budget <= 0) return;
    }
  },
};

async function readCapped(file: string, limit: number): Promise<CatItem> {
  let size: number;
  try {
    const st = await stat(file);
    if (st.isDirectory()) {
      throw new CommandFailure(`cat: ${file} is a directory; give a file in it`, STATUS.FAILED);
    }
    size = st.size;
  } catch (err) {
    throw failure(err, file);
  }
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw failure(err, file);
  }
  try {
    // Files like /proc/* report size 0, so read up to the limit whatever stat said.
    const buf = Buffer.alloc(limit + 1);
    let read = 0;
    while (read < buf.length) {
      const { bytesRead } = await handle.read(buf, read, buf.length - read, null);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const truncated = read > limit;
    const data = buf.subarray(0, Math.min(read, limit));
    // Cut at a character boundary: TextDecoder would turn a split character into U+FFFD.
    const content = new TextDecoder().decode(truncated ? wholeChars(data) : data);
    return { type: 'cat', file, content, size: Math.max(size, read), truncated };
  } finally {
    await handle.close();
  }
}

/** The buffer without a trailing incomplete UTF-8 sequence. */
function wholeChars(data: Buffer): Buffer {
  let end = data.length;
  let back = 0;
  while (end > 0 && back < 4 && ((data[end - 1] ?? 0) & 0xc0) === 0x80) {
    end -= 1;
    back += 1;
  }
  const lead = data[end - 1];
  if (lead === undefined || lead < 0xc0) return data;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return back + 1 === need ? data : data.subarray(0, end - 1);
}

function failure(err: unknown, file: string): unknown {
  if (err instanceof CommandFailure) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new CommandFailure(`cat: no such file ${file}`, STATUS.FAILED);
  if (code === 'EACCES' || code === 'EPERM') {
    return new CommandFailure(
      `cat: the agent may not read ${file} (permission denied)`,
      STATUS.FAILED,
    );
  }
  if (code === 'EISDIR') {
    return new CommandFailure(`cat: ${file} is a directory; give a file in it`, STATUS.FAILED);
  }
  return err;
}
