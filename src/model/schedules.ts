// What a schedule is: when a job fires. The specs are what a user writes; a Schedule adds the
// identity and the cursor the scheduler advances. Evaluating them is jobs/schedule's work.

/** `{kind:"cron"}`: 5 fields, or 6 with seconds first; evaluated in `tz` (IANA) or the agent's zone. */
export interface CronSchedule {
  kind: 'cron';
  expr: string;
  tz?: string;
  enabled: boolean;
}

/** `{kind:"every"}`: every N seconds of absolute time, counted from the schedule's anchor. */
export interface EverySchedule {
  kind: 'every';
  everySec: number;
  enabled: boolean;
}

/** `{kind:"at"}`: once, at an ISO time. */
export interface AtSchedule {
  kind: 'at';
  at: string;
  enabled: boolean;
}

/** Cloudtask's `monthlyof`: `day` > 0 a day of month, < 0 from the month's end, 0 → `week` "which:weekday". */
export interface MonthlyOf {
  day: number;
  week: string;
}

/** A Cloudtask schedule, kept verbatim so the Cloudtask surface round-trips it (specs/cloudtask.md). */
export interface CloudtaskSchedule {
  kind: 'cloudtask';
  turnmode: number;
  interval: number;
  /** MM/DD/YYYY */
  startdate: string;
  enddate: string;
  /** HH:MM */
  starttime: string;
  endtime: string;
  selectat: string;
  monthlyof: MonthlyOf;
  /** Evaluated in this IANA zone, or the agent's. */
  tz?: string;
  enabled: boolean;
}

export type ScheduleSpec = CronSchedule | EverySchedule | AtSchedule | CloudtaskSchedule;
export type ScheduleKind = ScheduleSpec['kind'];

/** A schedule as stored: its spec plus its identity and the cursor the scheduler advances. */
export interface Schedule {
  id: string;
  jobId: string;
  spec: ScheduleSpec;
  /** Where `every` ticks are counted from (the schedule's creation), ms. */
  anchorAt: number;
  /** The next fire not yet turned into a run; undefined when the schedule will never fire again. */
  nextFireAt?: number;
}
