// bosun's own error shape, {"error":{"code","message"}}: the native API's, and vminfo's.
import { jsonErrors } from '../error-answer.ts';
import { obj, str } from '../route-schema.ts';

export const renderNativeError = jsonErrors((err) => ({
  error: { code: err.code, message: err.message },
}));

/** The shape as a shared schema (the `Error` component). */
export const NATIVE_ERROR_SCHEMA = {
  $id: 'Error',
  description: 'An error, with a code and a message that names the fix',
  ...obj({ error: obj({ code: str, message: str }) }),
};
