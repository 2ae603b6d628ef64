// GET /api/v1/sessions: the live console sessions; GET /api/v1/dumps[/:name]: the heap snapshots and
// CPU profiles console commands wrote, to download.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Console } from '../../console/console-service.ts';
import { AgentError } from '../../errors.ts';
import { notEnforced, int, media, obj, ref, str } from '../route-schema.ts';

const ERROR = ref('Error');
const time = { type: 'string', format: 'date-time' } as const;

const sessionsSchema = {
  summary: 'The live console sessions: consumers, foreground job, ages (docs/console.md)',
  tags: ['console'],
  responses: {
    200: obj({
      sessions: {
        type: 'array',
        items: obj({
          sessionId: str,
          createdAt: time,
          lastAccessAt: time,
          consumers: { type: 'array', items: obj({ consumerId: str, lastPullAt: time }) },
          foregroundJob: {
            oneOf: [obj({ jobId: int, command: str, startedAt: time }), { type: 'null' }],
          },
          jobs: int,
        }),
      },
    }),
    401: ERROR,
  },
};

const dumpsSchema = {
  summary: "Heap snapshots and CPU profiles written by the console's heapdump and profiler",
  tags: ['console'],
  responses: {
    200: obj({
      dumps: {
        type: 'array',
        description: 'newest first',
        items: obj({ name: str, bytes: int, modifiedAt: time }),
      },
    }),
    401: ERROR,
  },
};

// The name is checked by the handler (a 404 for any name that is not a dump): not enforced.
const dumpSchema = {
  summary: 'Download one dump (.heapsnapshot for Chrome DevTools, .cpuprofile)',
  tags: ['console'],
  params: notEnforced(obj({ name: str })),
  responses: {
    200: media('application/octet-stream', 'The file', { type: 'string', format: 'binary' }),
    401: ERROR,
    404: ERROR,
  },
};

/** What heapdump and profiler write: no path separators, no leading dot. */
const DUMP_NAME = /^[\w-][\w.-]*$/;

export function registerSessionRoutes(
  app: FastifyInstance,
  deps: { console: Console; dumpDir: string },
): void {
  const iso = (ms: number) => new Date(ms).toISOString();

  app.get('/api/v1/sessions', { schema: sessionsSchema }, async () => ({
    sessions: deps.console.sessions().map((s) => ({
      sessionId: s.sessionId,
      createdAt: iso(s.createTime),
      lastAccessAt: iso(s.lastAccessTime),
      consumers: s.consumers.map((c) => ({
        consumerId: c.consumerId,
        lastPullAt: iso(c.lastAccessTime),
      })),
      foregroundJob: s.foregroundJob && {
        jobId: s.foregroundJob.jobId,
        command: s.foregroundJob.command,
        startedAt: iso(s.foregroundJob.startedAt),
      },
      jobs: s.jobs,
    })),
  }));

  app.get('/api/v1/dumps', { schema: dumpsSchema }, async () => {
    const names = await readdir(deps.dumpDir).catch(() => [] as string[]);
    const files = await Promise.all(
      names
        .filter((name) => DUMP_NAME.test(name))
        .map(async (name) => {
          const info = await stat(path.join(deps.dumpDir, name));
          return { name, bytes: info.size, modifiedAt: info.mtime.toISOString() };
        }),
    );
    return { dumps: files.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt)) };
  });

  app.get<{ Params: { name: string } }>(
    '/api/v1/dumps/:name',
    { schema: dumpSchema },
    async (request, reply) => {
      const { name } = request.params;
      const file = path.join(deps.dumpDir, name);
      const info = DUMP_NAME.test(name) ? await stat(file).catch(() => undefined) : undefined;
      if (!info?.isFile()) {
        throw new AgentError(
          'NOT_FOUND',
          `no dump named "${name}"; GET /api/v1/dumps lists them (the console's heapdump and profiler write them)`,
        );
      }
      return reply
        .type('application/octet-stream')
        .header('content-length', info.size)
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(createReadStream(file));
    },
  );
}
