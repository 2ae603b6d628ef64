// One error type for the whole agent: a stable code, a message that names the fix, and the HTTP
// status each code maps to. Surfaces translate AgentError into their own error shapes.

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'READ_ONLY'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'REQUEST_TIMEOUT'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'URI_TOO_LONG'
  | 'HEADERS_TOO_LARGE'
  | 'NOT_READY'
  | 'TOO_MANY_REQUESTS'
  | 'STORE'
  | 'STORE_UNAVAILABLE'
  | 'SHUTTING_DOWN'
  | 'INTERNAL';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_INPUT: 400,
  INVALID_CONFIG: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  READ_ONLY: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  TOO_MANY_REQUESTS: 429,
  NOT_READY: 503,
  STORE: 500,
  /** The store cannot be reached for now (a restart, a cut network): try again shortly. */
  STORE_UNAVAILABLE: 503,
  /** The agent is stopping: it takes no new request. */
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
});

export class AgentError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentError';
    this.code = code;
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export function isAgentError(err: unknown): err is AgentError {
  return err instanceof AgentError;
}

/** Normalises anything thrown into an Error, keeping a code if it had one. */
export function coerceError(err: unknown): Error & { code?: unknown } {
  return err instanceof Error ? err : new Error(String(err));
}
