// Moved to src/model/{jobs,schedules,runs}.ts; re-exported for src/http (and test/support, web/src) until its imports are updated.
export * from '../model/jobs.ts';
export * from '../model/schedules.ts';
export * from '../model/runs.ts';
