// Files of one directory served over HTTP, for the Arthas listener: bosun's dump dir at
// /arthas-output/ (with a listing, as Arthas's own) and a user's built Arthas web console at /.
// Read from disk on each request (a rebuilt console shows up without a restart). Nothing outside
// the directory is ever served: `.` and `..` segments are refused, and so is any path whose real
// location (symbolic links followed) is not inside the directory's real location.
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply } from 'fastify';
import { AgentError } from '../errors.ts';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.cpuprofile': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export type Found =
  | { kind: 'file'; file: string; size: number }
  | { kind: 'directory'; dir: string; relative: string };

/**
 * What `urlPath` (the part of the URL path below the directory's mount, still percent-encoded)
 * names inside `root`: a file, a directory, or undefined when there is nothing there. A path that
 * tries to leave the directory is an INVALID_INPUT error.
 */
export async function findInside(root: string, urlPath: string): Promise<Found | undefined> {
  const segments: string[] = [];
  for (const raw of urlPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new AgentError('INVALID_INPUT', `bad percent-encoding in the path: ${raw}`);
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
      throw new AgentError(
        'INVALID_INPUT',
        'the path must name a file inside the directory: no ".", ".." or encoded separators',
      );
    }
    segments.push(segment);
  }
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(path.join(realRoot, ...segments));
  } catch {
    return undefined; // not there (or the directory itself is not, yet)
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return undefined;
  const info = await stat(real).catch(() => undefined);
  if (info?.isFile()) return { kind: 'file', file: real, size: info.size };
  if (info?.isDirectory()) return { kind: 'directory', dir: real, relative: segments.join('/') };
  return undefined;
}

/** Sends a file found by findInside, typed by its extension. */
export function sendFile(reply: FastifyReply, file: string, size: number): FastifyReply {
  return reply
    .type(TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream')
    .header('content-length', size)
    .header('x-content-type-options', 'nosniff')
    .send(createReadStream(file));
}

/** An HTML listing of a directory's files and subdirectories, newest first, as links. */
export async function listing(dir: string, title: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  const rows = await Promise.all(
    entries
      .filter((entry) => entry.isFile() || entry.isDirectory())
      .map(async (entry) => {
        const info = await stat(path.join(dir, entry.name)).catch(() => undefined);
        const name = entry.isDirectory() ? `${entry.name}/` : entry.name;
        return { name, size: info?.size ?? 0, mtime: info?.mtimeMs ?? 0, dir: entry.isDirectory() };
      }),
  );
  rows.sort((a, b) => b.mtime - a.mtime);
  const items = rows
    .map(
      (row) =>
        `<li><a href="${escapeHtml(encodeURIComponent(row.name.replace(/\/$/, '')) + (row.dir ? '/' : ''))}">${escapeHtml(row.name)}</a>` +
        `${row.dir ? '' : ` <small>${row.size} bytes, ${new Date(row.mtime).toISOString()}</small>`}</li>`,
    )
    .join('\n');
  return (
    `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<body style="font-family:system-ui;margin:2rem"><h1>${escapeHtml(title)}</h1>` +
    `<ul>\n${items || '<li>nothing yet: heapdump and profiler write here</li>'}\n</ul></body>`
  );
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
