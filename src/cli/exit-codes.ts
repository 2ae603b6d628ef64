// The CLI's exit codes: BSD's sysexits (64–78) for the failures a script must tell apart, so they stay
// clear of the 1 a failed operation exits with, and of the small codes jobs themselves exit with,
// which `jobs run --follow` passes through (a job that exits 64–78 itself is told apart by the
// outcome line on stderr). docs/cli.md lists them.

export const EXIT = Object.freeze({
  OK: 0,
  /** The operation failed: the agent refused it (a conflict, an internal error), a command failed. */
  FAILED: 1,
  /** EX_USAGE: a wrong command, flag or value. */
  USAGE: 64,
  /** EX_DATAERR: the input is invalid (a job file, a config, what the agent answered 400 to). */
  INVALID: 65,
  /** EX_NOINPUT: what was named does not exist (a job, a run, a file). */
  NOT_FOUND: 66,
  /** EX_UNAVAILABLE: the agent cannot be reached, or answers that it cannot serve now (503, 429). */
  UNAVAILABLE: 69,
  /** EX_NOPERM: the agent wants a token, or refused the one given. */
  DENIED: 77,
  /** EX_CONFIG: `bosun serve` cannot start with its settings. */
  CONFIG: 78,
});

export type ExitKind = keyof typeof EXIT;

/** The kind of failure an agent's HTTP error status stands for. */
export function exitKindOfStatus(status: number): ExitKind {
  if (status === 401 || status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  if (status >= 400 && status < 500 && status !== 409) return 'INVALID';
  return 'FAILED';
}

/** An error as the CLI prints it on stderr: `bosun: <message>`, or under --json one line of the API's shape. */
export function errorText(message: string, code: string, exitCode: number, json = false): string {
  return json
    ? `${JSON.stringify({ error: { code, message, exitCode } })}\n`
    : `bosun: ${message}\n`;
}
