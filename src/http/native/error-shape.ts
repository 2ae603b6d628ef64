// bosun's own error shape, {"error":{"code","message"}}: the native API's, and vminfo's.
import { jsonErrors } from '../error-answer.ts';

export const renderNativeError = jsonErrors((err) => ({
  error: { code: err.code, message: err.message },
}));
