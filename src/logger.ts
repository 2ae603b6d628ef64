// Structured logs through pino: JSON lines for machines, a readable stream on a terminal.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.ts';

export type { Logger };

export function createLogger(opts: { level: LogLevel; format: LogFormat; isTty: boolean }): Logger {
  const readable = opts.format === 'pretty' || (opts.format === 'auto' && opts.isTty);
  const options = {
    level: opts.level,
    base: { pid: process.pid },
    // Belt and braces: whatever a module logs, these never leave the process in clear text.
    redact: {
      paths: [
        'token',
        '*.token',
        'password',
        '*.password',
        'headers.authorization',
        'headers.cookie',
      ],
      censor: '***',
    },
  };
  if (!readable) return pino(options);
  // In-process pretty stream (no worker thread), loaded only when used: logs stay in order and a
  // service writing JSON never loads the formatter.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pino(
    options,
    pretty({
      colorize: opts.isTty,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      sync: true,
    }),
  );
}

/** A logger that drops everything; for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
