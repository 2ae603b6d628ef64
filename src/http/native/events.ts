// GET /api/v1/events: run and job events of the jobs core, as a WebSocket or, for a plain GET, as
// Server-Sent Events. Kept off /ws on purpose: vminfo's dashboard reads every /ws message as a snapshot.
// A client that falls behind by more than MAX_BUFFERED is dropped rather than buffered without bound.
import type { FastifyInstance } from 'fastify';
import type { JobsEvent, JobsEvents } from '../../jobs/events.ts';
import { runJson } from './jobs.ts';

const MAX_BUFFERED = 1 << 20;
const KEEPALIVE_MS = 25_000;

function toJson(event: JobsEvent): string {
  return JSON.stringify(event.type === 'run' ? { type: 'run', run: runJson(event.run) } : event);
}

export function registerEventRoutes(app: FastifyInstance, events: JobsEvents): void {
  // Event streams end when the agent closes (@fastify/websocket closes its sockets itself).
  const streams = new Set<{ end(): void }>();
  app.addHook('preClose', (done) => {
    for (const res of streams) res.end();
    done();
  });
  app.route({
    method: 'GET',
    url: '/api/v1/events',
    schema: {
      summary: 'Run and job events: a WebSocket, or text/event-stream for a plain GET',
      tags: ['runs'],
      response: { 200: { type: 'string', contentMediaType: 'text/event-stream' } },
    },
    handler: (request, reply) => {
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': bosun events\n\n');
      streams.add(res);
      const off = events.subscribe((event) => {
        if (res.writableLength > MAX_BUFFERED) {
          res.end();
          return;
        }
        res.write(`event: ${event.type}\ndata: ${toJson(event)}\n\n`);
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      request.raw.once('close', () => {
        streams.delete(res);
        off();
        clearInterval(keepalive);
      });
    },
    wsHandler: (socket) => {
      const off = events.subscribe((event) => {
        if (socket.bufferedAmount > MAX_BUFFERED) {
          socket.close(1013, 'falling behind; reconnect');
          return;
        }
        socket.send(toJson(event));
      });
      socket.once('close', off);
    },
  });
}
