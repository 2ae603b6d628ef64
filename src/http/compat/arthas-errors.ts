// Arthas's console API answers every outcome with HTTP 200 and a `state`, except failed auth, which
// is a 401 with an empty body and a Basic challenge (specs/arthas.md §1.1, §3). A cross-site refusal
// is a 403 too, so that no browser mistakes it for an answer.
import type { AgentError, ErrorCode } from '../../errors.ts';
import type { RenderError } from '../error-answer.ts';

const REFUSALS: ReadonlySet<ErrorCode> = new Set([
  'CONFLICT',
  'READ_ONLY',
  'FORBIDDEN',
  'METHOD_NOT_ALLOWED',
  'SHUTTING_DOWN',
]);

/** The `state` and `message` an error gets in an Arthas answer body. */
export function arthasShape(err: AgentError): { state: string; message: string } {
  return { state: REFUSALS.has(err.code) ? 'REFUSED' : 'FAILED', message: err.message };
}

export const renderArthasError: RenderError = (err) => {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (err.code === 'UNAUTHORIZED') {
    headers['www-authenticate'] = 'Basic realm="bosun"';
    return { status: 401, headers, body: undefined };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  const status = err.code === 'FORBIDDEN' ? 403 : 200;
  return { status, headers, body: JSON.stringify(arthasShape(err)) };
};
