// The native jobs API's JSON as the CLI reads it: the server's own types
// (src/http/native/job-json.ts), under the CLI's names.
import { FINAL_STATES, RUN_STATES } from '../model/runs.ts';

export type {
  JobJson as ApiJob,
  RunJson as ApiRun,
  ScheduleJson as ApiSchedule,
  WebhookJson as ApiWebhook,
} from '../http/native/job-json.ts';

// The state names are the core's own (a module of constants with no imports, cheap to load), read
// here as plain strings, since that is what the API's JSON holds.
export const FINAL_RUN_STATES: ReadonlySet<string> = FINAL_STATES;
export { RUN_STATES as RUN_STATE_NAMES };
