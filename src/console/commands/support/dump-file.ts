// Where `heapdump` and `profiler` write: a file directly under the dump dir (time-stamped, or a name
// the user gives), the URL the main port serves it at, and the Arthas listener's `/arthas-output/`
// URL, which serves the same directory to Arthas's clients.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CommandFailure, STATUS } from '../../model.ts';

export interface DumpFile {
  /** Absolute path on disk. */
  readonly file: string;
  /** On the main port. */
  readonly url: string;
  /** On the Arthas listener (`--arthas-port`). */
  readonly arthasUrl: string;
}

export async function dumpFile(
  dumpDir: string,
  prefix: string,
  ext: string,
  now: number,
): Promise<DumpFile> {
  await mkdir(dumpDir, { recursive: true });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  return urls(dumpDir, `${prefix}-${stamp}.${ext}`);
}

/**
 * A file the user named (`heapdump <path>`, `profiler --file <path>`): relative to the dump dir, or
 * absolute; either way it must end up directly in the dump dir, the only directory the agent serves
 * and cleans. Arthas's own spelling works too: a leading `arthas-output/` (the directory the dump dir
 * stands for) and async-profiler's `%t` (time) and `%p` (pid) placeholders.
 */
export async function namedDumpFile(
  dumpDir: string,
  given: string,
  what: string,
  now = Date.now(),
): Promise<DumpFile> {
  const root = path.resolve(dumpDir);
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const named = given
    .replace(/^(\.\/)?arthas-output\//, '')
    .replace(/%t/g, stamp)
    .replace(/%p/g, String(process.pid));
  const file = path.resolve(root, named);
  if (path.dirname(file) !== root || path.basename(file).startsWith('.')) {
    throw new CommandFailure(
      `${what}: '${given}' is outside the dump directory ${root}; give a file name (it is written there)`,
      STATUS.FAILED,
    );
  }
  await mkdir(root, { recursive: true });
  return urls(root, path.basename(file));
}

function urls(dumpDir: string, name: string): DumpFile {
  const encoded = encodeURIComponent(name);
  return {
    file: path.join(dumpDir, name),
    url: `/api/v1/dumps/${encoded}`,
    arthasUrl: `/arthas-output/${encoded}`,
  };
}
