// Cloudtask's error shape, {content, error}, with Cloudtask's own kind of content line
// (specs/cloudtask.md).
import { jsonErrors } from '../error-answer.ts';

export const renderCloudtaskError = jsonErrors((err) => ({
  content:
    err.status === 404 ? 'not found.' : err.status < 500 ? 'request invalid.' : 'request failed.',
  error: err.message,
}));
