// A pipeline config that cannot run (bad syntax, an unknown plugin or option, a value past its bound, a
// bad connector option) is the submitter's to fix: an AgentError INVALID_INPUT whose message names the
// setting and the fix. Each surface renders it in its own shape; in a run, the engine reports its
// message as the run's error.
import { AgentError } from '../errors.ts';

export function configError(message: string, options?: { cause?: unknown }): AgentError {
  return new AgentError('INVALID_INPUT', message, options);
}

/** A config error, as against a bug or an I/O failure. */
export function isConfigError(err: unknown): err is AgentError {
  return err instanceof AgentError && err.code === 'INVALID_INPUT';
}
