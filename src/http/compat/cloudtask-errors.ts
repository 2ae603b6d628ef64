// Cloudtask's error shape, {content, error}, with Cloudtask's own kind of content line
// (specs/cloudtask.md).
import { jsonErrors } from '../error-answer.ts';
import { obj, str } from '../route-schema.ts';

export const renderCloudtaskError = jsonErrors((err) => ({
  content:
    err.status === 404 ? 'not found.' : err.status < 500 ? 'request invalid.' : 'request failed.',
  error: err.message,
}));

/** The shape as a shared schema (the `CloudtaskError` component). */
export const CLOUDTASK_ERROR_SCHEMA = {
  $id: 'CloudtaskError',
  description: "Cloudtask's error answer",
  ...obj({ content: { enum: ['not found.', 'request invalid.', 'request failed.'] }, error: str }),
};
