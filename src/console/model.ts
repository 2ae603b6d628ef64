// The console's model (specs/arthas.md): result items, job states, input states, and the names the
// Arthas HTTP API uses for them on the wire.

/** Every item a console job or session produces: a type, the job it belongs to (0 = the session). */
export interface ResultItem {
  readonly type: string;
  readonly jobId: number;
  readonly [field: string]: unknown;
}

/** An item as a command emits it (typed items are interfaces in items.ts); the job adds jobId. */
export interface ItemBody {
  readonly type: string;
}

/** Arthas's job states: READY until started, RUNNING, STOPPED when paused (never here), TERMINATED. */
export type ConsoleJobStatus = 'READY' | 'RUNNING' | 'STOPPED' | 'TERMINATED';

/** A UI hint sent before and after every job. */
export type InputStatus = 'ALLOW_INPUT' | 'ALLOW_INTERRUPT' | 'DISABLED';

/**
 * Status codes of the terminal `status` item (Arthas's): 0 done or interrupted, -10 bad arguments or
 * terminated (a timeout), 1 an exception in the command, -1 a command-specific failure.
 */
export const STATUS = Object.freeze({
  OK: 0,
  BAD_ARGS: -10,
  TERMINATED: -10,
  EXCEPTION: 1,
  FAILED: -1,
});

/** A failure a command reports with a status code and a message that says what to do. */
export class CommandFailure extends Error {
  readonly statusCode: number;

  constructor(message: string, statusCode: number = STATUS.FAILED) {
    super(message);
    this.name = 'CommandFailure';
    this.statusCode = statusCode;
  }
}
