// `cat <file>...`: a file's contents, at most 128 KiB in all (Arthas's limit when not on a TTY), saying
// when it was cut. Relative paths are from the agent's working directory. Regular files only, opened
// non-blocking: a read of a FIFO or a device can wait forever, and each such wait holds one of
// libuv's four threads, which every file operation of the agent shares. Process environments
// (/proc/<pid>/environ) are shown one variable a line, and command lines as one line, with secret
// values masked.
import { constants } from 'node:fs';
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { CommandSpec } from '../command.ts';
import type { CatItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { maskProcFile } from './support/proc-secrets.ts';

export const CAT_LIMIT_BYTES = 128 * 1024;

// O_NONBLOCK: reads that would wait (a pipe, /proc/kmsg, a tracing pipe) fail with EAGAIN instead.
// O_NOCTTY: a daemon opening a terminal must not make it its controlling terminal.
// Both are 0 where the platform has none.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

export const catCommand: CommandSpec = {
  kind: 'command',
  name: 'cat',
  summary: 'show regular files (at most 128 KiB in all; process environments masked)',
  usage: 'cat <file>...',
  examples: ['cat /etc/os-release', 'cat /var/log/syslog | grep -i error', 'cat /proc/1/environ'],
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
  let handle: FileHandle;
  let size: number;
  try {
    // stat first so that a device is never opened: opening some has effects (a watchdog arms).
    refuseSpecial(file, await stat(file));
    handle = await open(file, OPEN_FLAGS);
  } catch (err) {
    throw failure(err, file);
  }
  try {
    // Again on what was opened: the path may have been swapped since the stat.
    const st = await handle.stat();
    refuseSpecial(file, st);
    size = st.size;
    // Files like /proc/* report size 0, so read up to the limit whatever stat said.
    const buf = Buffer.alloc(limit + 1);
    let read = 0;
    while (read < buf.length) {
      const bytesRead = await readSome(handle, buf, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const truncated = read > limit;
    const data = buf.subarray(0, Math.min(read, limit));
    // Cut at a character boundary: TextDecoder would turn a split character into U+FFFD.
    const text = new TextDecoder().decode(truncated ? wholeChars(data) : data);
    const content = maskProcFile(await realPathOf(handle, file), text);
    return { type: 'cat', file, content, size: Math.max(size, read), truncated };
  } catch (err) {
    throw failure(err, file);
  } finally {
    await handle.close();
  }
}

/** Bytes read into buf at offset; 0 at the end, or when a non-blocking read would wait. */
async function readSome(handle: FileHandle, buf: Buffer, offset: number): Promise<number> {
  try {
    return (await handle.read(buf, offset, buf.length - offset, null)).bytesRead;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    throw err;
  }
}

/** The opened file's path with symlinks resolved (/proc/self → /proc/<pid>), from its descriptor. */
async function realPathOf(handle: FileHandle, file: string): Promise<string> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return realpath(file).catch(() => file);
  }
}

function refuseSpecial(file: string, st: Stats): void {
  if (st.isFile()) return;
  if (st.isDirectory()) {
    throw new CommandFailure(`cat: ${file} is a directory; give a file in it`, STATUS.FAILED);
  }
  const kind = st.isFIFO()
    ? 'a FIFO (named pipe)'
    : st.isSocket()
      ? 'a socket'
      : st.isCharacterDevice()
        ? 'a character device'
        : st.isBlockDevice()
          ? 'a block device'
          : 'not a regular file';
  throw new CommandFailure(
    `cat: ${file} is ${kind}; cat reads only regular files, since reading this one could wait forever`,
    STATUS.FAILED,
  );
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
