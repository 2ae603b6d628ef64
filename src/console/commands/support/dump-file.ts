// Where `heapdump` and `profiler` write: a time-stamped file under the dump dir, and the URL it can
// be downloaded from.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export async function dumpFile(
  dumpDir: string,
  prefix: string,
  ext: string,
  now: number,
): Promise<{ file: string; url: string }> {
  await mkdir(dumpDir, { recursive: true });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const name = `${prefix}-${stamp}.${ext}`;
  return { file: path.join(dumpDir, name), url: `/api/v1/dumps/${encodeURIComponent(name)}` };
}
