// The Arthas-compatible listener (--arthas-port, Arthas's 8563): Arthas's own paths on a port of
// their own, so that its clients find them where Arthas serves them while the main port's /ws stays
// vminfo's snapshot stream. POST /api (the console API), GET /ws (the terminal, arthas-tty.ts),
// /arthas-output/ (bosun's dump dir only) and, with --arthas-ui, the user's built Arthas web
// console at /, same-origin.
//
// Why a second Fastify instance rather than a second server in front of the main one: /ws means
// two different things on the two ports, and @fastify/websocket upgrades on its instance's own
// server, so one instance cannot route /ws by port. Nothing is copied, though: the instance is
// built from the main app's pieces. It runs the main app's request rules object itself (the same
// site guard, the same auth with its one failure throttle, the same --read-only), the same Arthas
// route registration over the same console core (so a session made on one port is used on the
// other), and the same server (server.ts: timeouts, body parsing, error rendering by path, the
// shutdown), with a fast lane of its own under the same rules for POST /api.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Console } from '../console/console-service.ts';
import { AgentError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { registerArthasTty, type ArthasTty } from './arthas-tty.ts';
import { ARTHAS_ANSWER_SCHEMA, registerArthasRoutes } from './compat/arthas.ts';
import { findInside, listing, sendFile } from './directory-files.ts';
import { NATIVE_ERROR_SCHEMA } from './native/error-shape.ts';
import type { RequestRules } from './request-rules.ts';
import { media, ref } from './route-schema.ts';
import { createServer } from './server.ts';
import { registerSurface } from './surface-plugin.ts';
import { ARTHAS } from './surfaces.ts';

const OUTPUT_PREFIX = '/arthas-output/';

export interface ArthasListenerDeps {
  config: Pick<Config, 'bind' | 'readOnly' | 'arthasUi'>;
  logger: Logger;
  console: Console;
  /** The main app's request rules (HttpApp.rules): one guard, one auth, one throttle. */
  rules: RequestRules;
  /** bosun's dump dir, where heapdump and profiler write: all that /arthas-output/ serves. */
  dumpDir: string;
}

export interface ArthasListener {
  readonly app: FastifyInstance;
  readonly tty: ArthasTty;
  /** Listens on the bind address and `port` (0: any free one); resolves with its URL. */
  listen(port: number): Promise<string>;
  close(): Promise<void>;
}

const OUTPUT_SCHEMA = {
  summary:
    "bosun's dump dir, as Arthas's arthas-output: a listing, or one file (heap snapshots, CPU profiles)",
  tags: ['console'],
  responses: {
    200: media('text/html', 'The listing, or the file, of the type its name tells'),
    400: ref('Error'),
    404: ref('Error'),
  },
};

const UI_SCHEMA = {
  summary: 'The built Arthas web console given with --arthas-ui: / is its index.html',
  tags: ['console'],
  responses: {
    200: media('text/html', 'A file of the console, of the type its name tells'),
    400: ref('Error'),
    404: ref('Error'),
  },
};

export async function createArthasListener(deps: ArthasListenerDeps): Promise<ArthasListener> {
  const { config, rules } = deps;
  const { app, lane } = await createServer({
    logger: deps.logger,
    module: 'arthas-listener',
    rules,
  });
  for (const schema of [NATIVE_ERROR_SCHEMA, ARTHAS_ANSWER_SCHEMA]) app.addSchema(schema);
  // /api answers in Arthas's shape, everything else in bosun's (surfaces.ts, by path).
  app.setNotFoundHandler(async (request) => {
    const pathname = request.url.split('?', 1)[0] ?? '/';
    throw new AgentError(
      'NOT_FOUND',
      `no route ${request.method} ${pathname} on the Arthas listener: it serves POST /api, /ws, ` +
        `${OUTPUT_PREFIX}${config.arthasUi === undefined ? ' (and, with --arthas-ui DIR, a built Arthas web console at /)' : ' and the Arthas web console at /'}`,
    );
  });

  await registerSurface(app, ARTHAS, (scope) =>
    registerArthasRoutes(scope, { console: deps.console, readOnly: config.readOnly, lane }),
  );
  const tty = registerArthasTty(app, {
    console: deps.console,
    readOnly: config.readOnly,
    logger: deps.logger,
  });

  app.get('/arthas-output', { schema: OUTPUT_SCHEMA }, async (_request, reply) =>
    reply.redirect(OUTPUT_PREFIX, 301),
  );
  app.get(`${OUTPUT_PREFIX}*`, { schema: OUTPUT_SCHEMA }, async (request, reply) => {
    const below = (request.url.split('?', 1)[0] ?? '').slice(OUTPUT_PREFIX.length);
    const found = await findInside(deps.dumpDir, below);
    reply.header('cache-control', 'no-store');
    if (found?.kind === 'file') {
      // A dump is data, never a page of this origin: a sandbox keeps any script in it apart.
      return sendFile(
        reply.header('content-security-policy', 'sandbox allow-scripts'),
        found.file,
        found.size,
      );
    }
    if (found?.kind === 'directory') {
      if (below !== '' && !below.endsWith('/')) {
        return reply.redirect(`${OUTPUT_PREFIX}${below}/`, 301);
      }
      const title = `arthas-output/${found.relative === '' ? '' : `${found.relative}/`}`;
      return reply.type('text/html; charset=utf-8').send(await listing(found.dir, title));
    }
    // The dump dir itself exists once something was written: before that, an empty listing.
    if (below === '') {
      return reply.type('text/html; charset=utf-8').send(emptyListing());
    }
    throw new AgentError(
      'NOT_FOUND',
      `no file ${OUTPUT_PREFIX}${below}: ${OUTPUT_PREFIX} lists what heapdump and profiler wrote`,
    );
  });

  const ui = config.arthasUi;
  if (ui !== undefined) {
    const index = await findInside(ui, 'index.html').catch(() => undefined);
    if (index?.kind !== 'file') {
      throw new AgentError(
        'INVALID_CONFIG',
        `--arthas-ui: ${ui} has no index.html; give the directory of a built Arthas web console ` +
          '(web-ui/arthasWebConsole: npm run build:ui, then its dist/ui)',
      );
    }
    app.get('/*', { schema: UI_SCHEMA }, async (request, reply) => {
      const pathname = request.url.split('?', 1)[0] ?? '/';
      let found = await findInside(ui, pathname);
      if (found?.kind === 'directory') {
        // A directory is its index.html, reached with a trailing slash so its relative links work.
        if (!pathname.endsWith('/')) {
          const query = request.url.slice(pathname.length);
          return reply.redirect(`${pathname}/${query}`, 301);
        }
        found = await findInside(ui, `${pathname}index.html`);
      }
      if (found?.kind !== 'file') {
        throw new AgentError('NOT_FOUND', `no file ${pathname} in the Arthas web console (${ui})`);
      }
      reply.header(
        'cache-control',
        found.file.endsWith('.html') ? 'no-cache' : 'public, max-age=300',
      );
      return sendFile(reply, found.file, found.size);
    });
  }

  // The server refuses new requests and cuts what lingers (server.ts); the terminals end here.
  app.addHook('preClose', (done) => {
    tty.close();
    done();
  });

  return {
    app,
    tty,
    async listen(port) {
      await app.listen({ host: config.bind, port });
      const address = app.server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      const host = config.bind.includes(':') ? `[${config.bind}]` : config.bind;
      return `http://${host}:${actual}`;
    },
    close: () => app.close(),
  };
}

function emptyListing(): string {
  return (
    '<!doctype html><meta charset="utf-8"><title>arthas-output/</title>' +
    '<body style="font-family:system-ui;margin:2rem"><h1>arthas-output/</h1>' +
    '<ul><li>nothing yet: heapdump and profiler write here</li></ul></body>'
  );
}
