// Serves the built dashboard (web/dist) at /. The files are small and few, so they are read once at
// start, kept in memory with their gzip and ETag, and served without touching the disk again.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { media, ref } from './route-schema.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

const WEB_SCHEMA = {
  summary: 'The web dashboard: / is its page, the other paths its files (a path it lacks is a 404)',
  tags: ['dashboard'],
  responses: {
    200: media('text/html', 'The page, or a file of the type its name tells'),
    304: { description: 'Not modified (If-None-Match)', type: 'null' },
    404: ref('Error'),
    503: media('text/plain', 'The dashboard is not built'),
  },
};

interface Asset {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
}

export function registerWebRoutes(app: FastifyInstance, webRoot: string): { assets: number } {
  const assets = new Map<string, Asset>();
  let files: string[] = [];
  let loaded = 0;
  try {
    files = readdirSync(webRoot, { recursive: true, encoding: 'utf8' });
  } catch {
    // No build: the API still works; / explains how to build the dashboard.
  }
  for (const file of files) {
    // A build writes dotfiles and renames them into place (scripts/build-web.ts): one may be gone.
    if (path.basename(file).startsWith('.')) continue;
    let body: Buffer;
    try {
      if (!statSync(path.join(webRoot, file)).isFile()) continue;
      body = readFileSync(path.join(webRoot, file));
    } catch {
      continue;
    }
    loaded++;
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const compressible =
      type.startsWith('text/') || type.startsWith('application/json') || type === 'image/svg+xml';
    assets.set('/' + file.split(path.sep).join('/'), {
      body,
      gzip: compressible && body.length > 1024 ? gzipSync(body) : undefined,
      type,
      etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
    });
  }
  const index = assets.get('/index.html');
  if (index) assets.set('/', index);

  app.get('/*', { schema: WEB_SCHEMA }, async (request, reply) => {
    const pathname = request.url.split('?', 1)[0] ?? '/';
    const asset = assets.get(pathname);
    if (!asset) {
      if (pathname === '/') {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The dashboard is not built: run "npm run build", then reload.\n');
      }
      return reply.callNotFound();
    }
    reply
      .header('etag', asset.etag)
      .header(
        'cache-control',
        pathname === '/' || pathname.endsWith('.html') ? 'no-cache' : 'public, max-age=300',
      );
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    reply.type(asset.type);
    if (asset.gzip && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      return reply
        .header('content-encoding', 'gzip')
        .header('vary', 'accept-encoding')
        .send(asset.gzip);
    }
    return reply.send(asset.body);
  });
  return { assets: loaded };
}
