// Moved to src/units/display.ts; re-exported for src/http (and web/src) until its imports are updated.
export { localDateTime } from './units/display.ts';
