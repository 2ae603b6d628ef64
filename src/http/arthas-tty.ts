// GET /ws on the Arthas listener: Arthas's terminal protocol (termd's HttpTtyConnection, which
// Arthas's web console and its terminal page speak): client → server JSON text frames
// {"action":"read","data":"<keystrokes>"} and {"action":"resize","cols":N,"rows":N}, server →
// client raw ANSI text. Each socket is one terminal (console/tty/tty-session.ts). Frames that are
// not one of those two are ignored, as termd ignores them: a client must never be able to end the
// session, or the agent, with a bad frame.
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { AgentError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Console } from '../console/console-service.ts';
import { createTtySession } from '../console/tty/tty-session.ts';
import { parseJson } from '../parse-json.ts';
import { notEnforced, obj, ref, str } from './route-schema.ts';

/** Terminals open at once; each holds a console session. */
const MAX_TERMINALS = 64;
/** A terminal's size is believed up to this (a typo or an attack must not make a huge redraw). */
const MAX_DIMENSION = 10_000;
/** Dead clients are found by ping, as Arthas's idle handler does. */
const PING_INTERVAL_MS = 30_000;

const TTY_SCHEMA = {
  summary:
    "WebSocket: Arthas's terminal. Send {action:'read',data} keystrokes and {action:'resize',cols,rows}; ANSI text comes back",
  tags: ['console'],
  // Documented, not enforced: Arthas's clients add their own parameters (username, password, userId).
  querystring: notEnforced(
    obj(
      {
        quiet: { ...str, description: "'true': no welcome banner (Arthas's quiet mode)" },
        sessionId: { ...str, description: 'join this console session instead of making one' },
      },
      ['quiet', 'sessionId'],
    ),
  ),
  responses: {
    101: { description: 'Switching protocols', type: 'null' },
    400: ref('Error'),
    401: ref('Error'),
    403: ref('Error'),
    404: ref('Error'),
  },
};

export interface ArthasTty {
  /** Terminals open now. */
  size(): number;
  /** Closes every terminal (agent shutdown); their sessions close with them. */
  close(): void;
}

export function registerArthasTty(
  app: FastifyInstance,
  deps: { console: Console; readOnly: boolean; logger: Logger },
): ArthasTty {
  const sockets = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  const ping = setInterval(() => {
    for (const socket of sockets) {
      if (!alive.has(socket)) socket.terminate();
      else {
        alive.delete(socket);
        socket.ping();
      }
    }
  }, PING_INTERVAL_MS);
  ping.unref();

  // A parameter given twice comes as an array: only a single string counts.
  app.route<{ Querystring: { quiet?: unknown; sessionId?: unknown } }>({
    method: 'GET',
    url: '/ws',
    schema: TTY_SCHEMA,
    // Checked before the upgrade, so that a wrong id is a 404 and not a terminal that says so.
    preValidation: async (request) => {
      const { sessionId } = request.query;
      if (sessionId !== undefined) deps.console.sessionInfo(String(sessionId));
    },
    // Auth and the cross-site rules (site-guard.ts) have already passed the upgrade.
    handler: async (_request, reply) => {
      reply.header('upgrade', 'websocket');
      throw new AgentError(
        'INVALID_INPUT',
        "/ws is Arthas's terminal, a WebSocket endpoint: connect with a WebSocket client",
      );
    },
    wsHandler: (socket, request) => {
      if (sockets.size >= MAX_TERMINALS) {
        socket.close(1013, 'too many terminals; try again later');
        return;
      }
      sockets.add(socket);
      alive.add(socket);
      const { quiet, sessionId } = request.query;
      const tty = createTtySession({
        console: deps.console,
        write: (text) => {
          if (socket.readyState === socket.OPEN) socket.send(text);
        },
        end: () => socket.close(1000, 'bye'),
        backlog: () => socket.bufferedAmount,
        quiet: typeof quiet === 'string' && quiet.toLowerCase() === 'true',
        readOnly: deps.readOnly,
        ...(typeof sessionId === 'string' ? { sessionId } : {}),
      });
      socket.on('pong', () => alive.add(socket));
      socket.on('message', (data, isBinary) => {
        alive.add(socket);
        const frame = parseFrame(isBinary ? undefined : data.toString());
        try {
          if (frame?.action === 'read') tty.input(frame.data);
          else if (frame?.action === 'resize') tty.resize(frame.cols, frame.rows);
        } catch (err) {
          // A bug's last resort: this terminal ends, the agent and the other terminals go on.
          deps.logger.error({ err }, 'arthas terminal failed');
          socket.terminate();
        }
      });
      socket.on('close', () => {
        sockets.delete(socket);
        tty.close();
      });
      socket.on('error', (err) => deps.logger.debug({ err }, 'arthas terminal socket error'));
      tty.start();
    },
  });

  return {
    size: () => sockets.size,
    close() {
      clearInterval(ping);
      for (const socket of sockets) socket.close(1001, 'agent shutting down');
    },
  };
}

type Frame =
  { action: 'read'; data: string } | { action: 'resize'; cols: number; rows: number } | undefined;

/** One client frame, or undefined for anything that is not a well-formed read or resize. */
export function parseFrame(text: string | undefined): Frame {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { action, data, cols, rows } = value as Record<string, unknown>;
  if (action === 'read' && typeof data === 'string') return { action, data };
  const dimension = (n: unknown): n is number =>
    typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= MAX_DIMENSION;
  if (action === 'resize' && dimension(cols) && dimension(rows)) return { action, cols, rows };
  return undefined;
}
