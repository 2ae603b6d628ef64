// GET /api/v1/events: run and job events of the jobs core, as a WebSocket or, for a plain GET, as
// Server-Sent Events. Kept off /ws on purpose: vminfo's dashboard reads every /ws message as a snapshot.
// A client that falls behind by more than MAX_BUFFERED is dropped rather than buffered without bound.
import type { FastifyInstance } from 'fastify';
import type { JobsEvents } from '../../jobs/events.ts';
import type { JobsService } from '../../jobs/jobs-service.ts';
import { media, ref } from '../route-schema.ts';
import { createEventFeed } from './event-feed.ts';

const MAX_BUFFERED = 1 << 20;
const KEEPALIVE_MS = 25_000;

export function registerEventRoutes(
  app: FastifyInstance,
  deps: { events: JobsEvents; jobs: JobsService },
): void {
  const feed = createEventFeed(
    deps.events,
    async (jobId) => (await deps.jobs.getJob(jobId)).job.name,
  );
  // Event streams end when the agent closes (@fastify/websocket closes its sockets itself).
  const streams = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const drop of streams) drop();
    done();
  });

  app.route({
    method: 'GET',
    url: '/api/v1/events',
    config: { subscription: true },
    schema: {
      summary: 'Run and job events: a WebSocket, or text/event-stream for a plain GET',
      tags: ['runs'],
      responses: {
        200: media('text/event-stream', 'event: <type>, data: <the event as JSON>, per event'),
        401: ref('Error'),
      },
    },
    handler: (request, reply) => {
      const headers = {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      };
      // HEAD asks what a GET would answer, not for the stream itself.
      if (request.method === 'HEAD') return reply.headers(headers).send();
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, { ...headers, connection: 'keep-alive' });
      res.write(': bosun events\n\n');
      // Everything about this client stops at once, so nothing writes to a response that ended.
      const drop = (): void => {
        if (!streams.delete(drop)) return;
        off();
        clearInterval(keepalive);
        res.destroy();
      };
      const write = (text: string): void => {
        if (res.writableLength > MAX_BUFFERED) drop();
        else if (!res.writableEnded && !res.destroyed) res.write(text);
      };
      streams.add(drop);
      const off = feed.subscribe((type, json) => write(`event: ${type}\ndata: ${json}\n\n`));
      const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
      res.on('error', drop);
      request.raw.once('close', drop);
    },
    wsHandler: (socket) => {
      const off = feed.subscribe((_type, json) => {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > MAX_BUFFERED) {
          off();
          socket.close(1013, 'falling behind; reconnect');
          return;
        }
        socket.send(json);
      });
      socket.once('close', off);
    },
  });
}
