// Structured logs through pino: JSON lines for machines, a readable stream on a terminal.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.ts';

export type { Logger };

export function createLogger(opts: { level: LogLevel; format: LogFormat; isTty: boolean }): Logger {
  const readable = opts.format === 'pretty' || (opts.format === 'auto' && opts.isTty);
  const options = {
    level: opts.level,
    base: { pid: process.pid },
    // Belt and braces: whatever a module logs, these never leave the process in clear text.
    redact: { paths: ['token', '*.token', 'password', '*.password', 'headers.authorization', 'headers.cookie'], censor: '***' },
  };
  if (!readable) return pino(options);
  // In-process pretty stream (no worker thread): logs stay in order and the agent stays small.
  return pino(options, pretty({ colorize: opts.isTty, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
}

/** A logger that drops everything; for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
