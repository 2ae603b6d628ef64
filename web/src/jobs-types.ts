// The native jobs API's JSON (docs/api.md "Jobs and runs"), as the server renders it
// (src/http/native/job-json.ts): a renamed field or state fails the typecheck here too.
import type { MisfirePolicy, OverlapPolicy } from '../../src/model/jobs.ts';
import type { RunState, RunTrigger } from '../../src/model/runs.ts';

export type { MisfirePolicy, OverlapPolicy, RunState, RunTrigger };
export type {
  DagJson,
  JobJson,
  JobsEventJson,
  RunJson,
  ScheduleJson,
} from '../../src/http/native/job-json.ts';
