// What an error looks like on the wire for one surface: its status, headers and body. Each surface
// module defines its own (native/error-shape.ts, compat/*-errors.ts); surfaces.ts lists them by path.
import type { AgentError } from '../errors.ts';

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or undefined for an empty body. */
  body: string | undefined;
}

export type RenderError = (err: AgentError) => ErrorAnswer;

/** Errors as the JSON `shape(err)` with the status the error registry gives its code. */
export function jsonErrors(shape: (err: AgentError) => unknown): RenderError {
  return (err) => ({
    status: err.status,
    headers: { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(shape(err)),
  });
}
