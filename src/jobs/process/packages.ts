// Job packages: .tar.gz archives a job runs from. Each upload streams to a temp file, hashed on the
// way (never held in memory whole), is checked (gzip, safe paths and links, size and entry caps)
// before it is kept, then kept by sha256 as the archive and as a directory unpacked atomically, so a
// run never sees a half-written package.

import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import type * as Tar from 'tar';
import type { ReadEntry } from 'tar';
import { AgentError } from '../../errors.ts';
import { tarStream } from './tar-stream.ts';

export interface PackageStoreOptions {
  /**
   * Most bytes all files of one package may unpack to.
   * @default 1 GiB
   */
  maxUnpackedBytes?: number;
  /**
   * Most entries (files, directories, links) in one package.
   * @default 100_000
   */
  maxEntries?: number;
}

export interface StoredPackage {
  sha256: string;
  /** Bytes of the archive. */
  size: number;
  /** The unpacked directory, the same as workDir(jobId, sha256). */
  path: string;
  /** The archive as uploaded, the same as archivePath(jobId, sha256). */
  archive: string;
}

/** An archive written to a temp file by receive(), with its hash and size. */
export interface ReceivedPackage {
  file: string;
  sha256: string;
  size: number;
}

export interface PackageStore {
  /**
   * Writes an archive's bytes to a temp file beside the job's packages, hashing them on the way, so
   * no package is ever held in memory whole. More than `maxBytes` is refused (PAYLOAD_TOO_LARGE).
   */
  receive(
    jobId: string,
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    maxBytes: number,
  ): Promise<ReceivedPackage>;
  /**
   * Checks, stores and unpacks a received archive, taking its temp file over; the same bytes again
   * are a cheap no-op.
   */
  put(jobId: string, upload: ReceivedPackage): Promise<StoredPackage>;
  /** Where a stored package is unpacked: `dir/<jobId>/<sha256>/`. */
  workDir(jobId: string, sha256: string): string;
  /** The archive as uploaded: `dir/<jobId>/<sha256>.tar.gz`. */
  archivePath(jobId: string, sha256: string): string;
  /** Removes every package of a job. */
  remove(jobId: string): Promise<void>;
  /** Removes a job's packages other than `keepSha256` (all of them when undefined). */
  prune(jobId: string, keepSha256: string | undefined): Promise<void>;
}

const DEFAULT_MAX_UNPACKED_BYTES = 1024 ** 3;
const DEFAULT_MAX_ENTRIES = 100_000;
const TMP_PREFIX = '.tmp-';
/** prune() leaves younger temp dirs alone: they may belong to a put() in progress. */
const STALE_TMP_MS = 60 * 60 * 1000;

const SAFE_JOB_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Entry types a package may hold; devices and FIFOs have no business in one. */
const ALLOWED_TYPES = new Set([
  'File',
  'OldFile',
  'ContiguousFile',
  'Directory',
  'SymbolicLink',
  'Link',
]);
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

export function createPackageStore(dir: string, opts: PackageStoreOptions = {}): PackageStore {
  const limits = {
    maxUnpackedBytes: opts.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES,
    maxEntries: opts.maxEntries ?? DEFAULT_MAX_ENTRIES,
  };

  const jobDir = (jobId: string): string => {
    if (!SAFE_JOB_ID.test(jobId) || jobId === '..') {
      throw new AgentError(
        'INVALID_INPUT',
        `job id ${JSON.stringify(jobId)} cannot name a package directory`,
      );
    }
    return join(dir, jobId);
  };
  const checkSha = (sha256: string): string => {
    if (!SHA256_HEX.test(sha256)) {
      throw new AgentError(
        'INVALID_INPUT',
        `${JSON.stringify(sha256)} is not a sha256 (64 lowercase hex digits)`,
      );
    }
    return sha256;
  };
  const workDir = (jobId: string, sha256: string): string => join(jobDir(jobId), checkSha(sha256));
  const archivePath = (jobId: string, sha256: string): string =>
    join(jobDir(jobId), `${checkSha(sha256)}.tar.gz`);

  const receive = async (
    jobId: string,
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    maxBytes: number,
  ): Promise<ReceivedPackage> => {
    const base = jobDir(jobId);
    await mkdir(base, { recursive: true });
    const file = join(base, `${TMP_PREFIX}${randomBytes(6).toString('hex')}.tar.gz`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        Readable.from(body, { objectMode: false }),
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > maxBytes) {
              throw new AgentError(
                'PAYLOAD_TOO_LARGE',
                `the package is larger than ${maxBytes} bytes, the limit`,
              );
            }
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(file, { mode: 0o600 }),
      );
    } catch (err) {
      await rm(file, { force: true });
      await rmdir(base).catch(() => {});
      throw err;
    }
    return { file, sha256: hash.digest('hex'), size };
  };

  const put = async (jobId: string, upload: ReceivedPackage): Promise<StoredPackage> => {
    const base = jobDir(jobId);
    const target = join(base, checkSha(upload.sha256));
    const archive = `${target}.tar.gz`;
    const result = { sha256: upload.sha256, size: upload.size, path: target, archive };
    // The kept archive itself may be put again (to unpack it anew); it is never discarded.
    const discard = () => (upload.file === archive ? undefined : rm(upload.file, { force: true }));
    try {
      if ((await exists(target)) && (await exists(archive))) return result;
      if (!(await hasGzipMagic(upload.file))) {
        throw new AgentError(
          'INVALID_INPUT',
          'the body is not a .tar.gz archive (gzip magic missing); send the archive bytes with content-type application/gzip',
        );
      }
      // Check every entry before keeping anything, so a bad archive leaves no trace.
      await validateArchive(upload.file, limits);
      if (!(await exists(archive))) await rename(upload.file, archive);
      if (!(await exists(target))) {
        const tmp = await mkdtemp(join(base, TMP_PREFIX));
        try {
          await unpack(archive, tmp);
          await rename(tmp, target);
        } catch (err) {
          await rm(tmp, { recursive: true, force: true });
          const code = (err as NodeJS.ErrnoException).code;
          // Another put() of the same bytes got there first: its directory is as good as ours.
          if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(target)))) throw err;
        }
      }
      return result;
    } catch (err) {
      await discard();
      await rmdir(base).catch(() => {}); // a job dir this upload made, so a refusal leaves no trace
      throw err;
    } finally {
      await discard(); // gone already when it became the archive
    }
  };

  const remove = async (jobId: string): Promise<void> => {
    await rm(jobDir(jobId), { recursive: true, force: true });
  };

  const prune = async (jobId: string, keepSha256: string | undefined): Promise<void> => {
    const base = jobDir(jobId);
    if (keepSha256 !== undefined) checkSha(keepSha256);
    let names: string[];
    try {
      names = await readdir(base);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const now = Date.now();
    for (const name of names) {
      if (keepSha256 !== undefined && (name === keepSha256 || name === `${keepSha256}.tar.gz`)) {
        continue;
      }
      const path = join(base, name);
      if (name.startsWith(TMP_PREFIX)) {
        const info = await lstat(path).catch(() => undefined);
        if (info && now - info.mtimeMs < STALE_TMP_MS) continue;
      }
      await rm(path, { recursive: true, force: true });
    }
  };

  return { receive, put, workDir, archivePath, remove, prune };
}

interface Limits {
  maxUnpackedBytes: number;
  maxEntries: number;
}

function invalid(message: string): AgentError {
  return new AgentError('INVALID_INPUT', `${message}; fix the archive and upload it again`);
}

/** Reads the whole archive without writing anything and rejects the first unsafe or excessive entry. */
// node-tar is loaded on the first upload: most agents never receive a package.
let tarModule: Promise<typeof Tar> | undefined;
const loadTar = (): Promise<typeof Tar> => (tarModule ??= import('tar'));

async function validateArchive(file: string, limits: Limits): Promise<void> {
  const { Parser } = await loadTar();
  return new Promise((resolve, reject) => {
    let unpackedBytes = 0;
    let failure: Error | undefined;
    const seen: Seen = { entries: 0, files: new Set(), symlinks: new Map() };
    // Headers (and pax records) on top of the files' bytes.
    const source = tarStream(file, limits.maxUnpackedBytes + limits.maxEntries * 1024 + (1 << 20));
    const fail = (err: Error): void => {
      if (failure) return;
      failure = err;
      reject(err);
      // Stop reading the rest; abort() reports through 'error', which is already settled.
      source.destroy();
      parser.abort(err);
    };
    const parser = new Parser({
      // Any warning (bad checksum, truncated data, not a tar at all) makes the archive invalid.
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        entry.resume();
        if (failure) return;
        const problem = checkEntry(entry, seen);
        if (problem) return fail(invalid(problem));
        if (FILE_TYPES.has(entry.type)) unpackedBytes += entry.size;
        if (seen.entries > limits.maxEntries) {
          fail(invalid(`the archive has more than ${limits.maxEntries} entries, the limit`));
        } else if (unpackedBytes > limits.maxUnpackedBytes) {
          fail(
            invalid(`the archive unpacks to more than ${limits.maxUnpackedBytes} bytes, the limit`),
          );
        }
      },
    });
    parser.on('error', (err: Error) => {
      if (failure) return;
      fail(
        err instanceof AgentError
          ? err
          : invalid(
              `the body is not a valid .tar.gz archive (${err.message.replace(/^TAR_\w+: /, '')})`,
            ),
      );
    });
    parser.on('end', () => {
      if (failure) return;
      // Symbolic links are checked once all are known: one link may only be unsafe because of another.
      const problem = checkSymlinks(seen.symlinks);
      if (problem) return fail(invalid(problem));
      resolve();
    });
    source.on('error', (err) =>
      fail(invalid(`the body is not a valid .tar.gz archive (${err.message})`)),
    );
    source.pipe(parser);
  });
}

interface Seen {
  entries: number;
  /** Regular files, which hard links may name. */
  files: Set<string>;
  /** Symbolic links and their targets. */
  symlinks: Map<string, string>;
}

/** Why an entry is unsafe, or undefined when it is fine. Records the entry in `seen`. */
function checkEntry(entry: ReadEntry, seen: Seen): string | undefined {
  const where = `entry ${JSON.stringify(entry.path)}`;
  if (!ALLOWED_TYPES.has(entry.type)) {
    return `${where} is a ${entry.type}; a package may hold only files, directories and links`;
  }
  const path = normalizeEntryPath(entry.path);
  if (path === undefined) return `${where} points outside the package (absolute or with ..)`;
  if (path === '.' && entry.type !== 'Directory') {
    return `${where} would replace the package directory`;
  }
  // A file where a later entry needs a directory cannot be unpacked; say so rather than fail halfway.
  const parent = fileParent(path, seen.files);
  if (parent !== undefined) {
    return `${where} lies inside ${JSON.stringify(parent)}, which the archive made a file`;
  }
  // Writing through a link the archive itself made is how "safe" paths escape; refuse it outright.
  if (throughSymlink(path, seen.symlinks, true)) {
    return `${where} goes through or replaces a symbolic link of the archive`;
  }
  seen.entries++;
  if (entry.type === 'SymbolicLink') {
    const target = entry.linkpath ?? '';
    if (target === '' || target.startsWith('/') || target.includes('\0')) {
      return `${where} is a symbolic link to ${JSON.stringify(target)}, outside the package`;
    }
    seen.symlinks.set(path, target);
  } else if (entry.type === 'Link') {
    // A hard link must name an earlier regular file of the archive: a link to anything else (a symbolic
    // link, a file outside) could be used to escape.
    const target = normalizeEntryPath(entry.linkpath ?? '');
    if (
      target === undefined ||
      !seen.files.has(target) ||
      throughSymlink(target, seen.symlinks, false)
    ) {
      return `${where} is a hard link to ${JSON.stringify(entry.linkpath ?? '')}, which is not a file of the package`;
    }
  }
  // A later entry of another type at a file's path replaces the file: hard links may no longer name it.
  if (FILE_TYPES.has(entry.type)) seen.files.add(path);
  else seen.files.delete(path);
  return undefined;
}

/**
 * Each link's target, resolved from the link's directory, must stay inside the package and must not pass
 * through another link of the archive: `..` after a link is resolved by the kernel from the link's
 * target, not lexically, and could climb out. A link to a link is fine when the target link comes later
 * in the archive; node-tar refuses one that already exists at extraction time, so that is refused here.
 */
function checkSymlinks(symlinks: Map<string, string>): string | undefined {
  const order = new Map([...symlinks.keys()].map((path, i) => [path, i]));
  for (const [path, target] of symlinks) {
    const stack = path.split('/').slice(0, -1);
    const parts = target.split('/').filter((p) => p !== '' && p !== '.');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part === '..') {
        if (stack.length === 0) {
          return `symbolic link ${JSON.stringify(path)} points outside the package`;
        }
        stack.pop();
        continue;
      }
      stack.push(part);
      const other = stack.join('/');
      const otherIndex = order.get(other);
      if (otherIndex === undefined) continue;
      if (i < parts.length - 1 || otherIndex < order.get(path)!) {
        return `symbolic link ${JSON.stringify(path)} leads through symbolic link ${JSON.stringify(other)}; point it at the real path`;
      }
    }
  }
  return undefined;
}

/** The first parent directory of `path` that is a regular file of the archive, if any. */
function fileParent(path: string, files: Set<string>): string | undefined {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    if (files.has(parent)) return parent;
  }
  return undefined;
}

/** Whether a parent of `path` (or `path` itself, when `self`) is a symbolic link of the archive. */
function throughSymlink(path: string, symlinks: Map<string, string>, self: boolean): boolean {
  const parts = path.split('/');
  const last = self ? parts.length : parts.length - 1;
  for (let i = 1; i <= last; i++) {
    if (symlinks.has(parts.slice(0, i).join('/'))) return true;
  }
  return false;
}

/** The path without `.` and empty parts (`.` for the root), or undefined when absolute or with `..`. */
function normalizeEntryPath(raw: string): string | undefined {
  if (raw.startsWith('/') || raw.includes('\0')) return undefined;
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  return parts.length === 0 ? '.' : parts.join('/');
}

async function unpack(file: string, cwd: string): Promise<void> {
  const { extract } = await loadTar();
  return new Promise((resolve, reject) => {
    const unpacker = extract({
      cwd,
      strict: true,
      // Files belong to the agent's user, whoever made the archive.
      preserveOwner: false,
      onReadEntry: (entry: ReadEntry) => {
        // No setuid, setgid or sticky bits from an uploaded archive.
        if (typeof entry.mode === 'number') entry.mode &= 0o777;
      },
    });
    let settled = false;
    unpacker.on('error', (err: Error) => {
      if (settled) return;
      settled = true;
      const code = String((err as NodeJS.ErrnoException).code ?? '');
      // TAR_* codes are the archive's fault; anything else (ENOSPC, EACCES) is the host's.
      reject(
        code === '' || code.startsWith('TAR_')
          ? invalid(`the archive could not be unpacked (${err.message})`)
          : new AgentError(
              'INTERNAL',
              `could not unpack the package into ${cwd} (${err.message}); check free space and permissions`,
              { cause: err },
            ),
      );
    });
    unpacker.on('close', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    const source = tarStream(file, Infinity); // checked whole by validateArchive
    source.on('error', (err) => unpacker.emit('error', err));
    source.pipe(unpacker);
  });
}

async function hasGzipMagic(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
