// JSON Schemas of the native jobs API. Fastify checks requests against them, and the OpenAPI document
// is generated from them, so the documentation cannot drift from what the server accepts. Rules a
// schema cannot say (cron syntax, time zones, Cloudtask combinations) are checked by the jobs core.
import {
  JOB_LIMITS,
  MISFIRE_POLICIES,
  NOTIFY_EVENTS,
  OVERLAP_POLICIES,
  PIPELINE_FORMATS,
} from '../../model/jobs.ts';
import { RUN_STATES, RUN_TRIGGERS } from '../../model/runs.ts';
import { ref } from '../route-schema.ts';

/** An integer field within the range the jobs core honours (JOB_LIMITS); ajv's message quotes it. */
const int = (field: keyof typeof JOB_LIMITS, description: string) =>
  ({
    type: 'integer',
    minimum: JOB_LIMITS[field].min,
    maximum: JOB_LIMITS[field].max,
    description,
  }) as const;
const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
const isoTime = (description: string) => nullable('string', { format: 'date-time', description });

/** A schedule as written: the kind decides which fields apply; the core checks them strictly. */
const scheduleInput = {
  type: 'object',
  required: ['kind'],
  description:
    'One of {kind:"cron", expr, tz}, {kind:"every", everySec}, {kind:"at", at} or {kind:"cloudtask", turnmode, interval, startdate, enddate, starttime, endtime, selectat, monthlyof}.',
  properties: {
    kind: { enum: ['cron', 'every', 'at', 'cloudtask'] },
    enabled: {
      type: ['boolean', 'integer'],
      minimum: 0,
      maximum: 1,
      description: 'default true (Cloudtask: 1 or 0)',
    },
    expr: { type: 'string', description: 'cron: 5 fields, or 6 with seconds first' },
    tz: { type: 'string', description: "IANA time zone; default the agent's" },
    everySec: int('everySec', 'seconds between fires, at most ten years'),
    at: { type: 'string', description: 'ISO 8601 time' },
    turnmode: { type: 'integer', minimum: 1, maximum: 6 },
    interval: int('interval', 'cloudtask: the step, in the unit of its turnmode'),
    startdate: { type: 'string', description: 'MM/DD/YYYY' },
    enddate: { type: 'string', description: 'MM/DD/YYYY' },
    starttime: { type: 'string', description: 'HH:MM' },
    endtime: { type: 'string', description: 'HH:MM' },
    selectat: { type: 'string' },
    monthlyof: {
      type: 'object',
      properties: {
        day: { type: 'integer', minimum: -31, maximum: 31, description: '-1 = the last day' },
        week: { type: 'string' },
      },
    },
  },
  // Unknown fields reach the core, which names them and suggests the field meant.
  additionalProperties: true,
} as const;

const jobFields = {
  name: { type: 'string', minLength: 1, maxLength: 200, description: 'unique on this agent' },
  kind: { enum: ['command', 'pipeline'], description: 'command (default) or pipeline' },
  cmd: { type: 'string', minLength: 1, description: 'run by /bin/sh -c (kind command)' },
  pipeline: {
    // null: what GET shows for a command job, so a job read and sent back as it is stays valid.
    type: ['object', 'null'],
    description:
      "kind pipeline: SeaTunnel's job config, as JSON (text or object), HOCON or SQL text",
    required: ['config'],
    additionalProperties: false,
    properties: {
      format: { enum: [...PIPELINE_FORMATS] },
      config: { type: ['string', 'object'] },
    },
  },
  env: { type: 'object', additionalProperties: { type: 'string' } },
  cwd: { type: 'string', description: "relative to the job's package or work dir" },
  timeoutSec: int('timeoutSec', '0 = no timeout'),
  graceSec: int('graceSec', 'between the stop signal and SIGKILL'),
  retry: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxAttempts: int('retry.maxAttempts', 'attempts in all; 1 = no retry'),
      backoffSec: int('retry.backoffSec', 'before the first retry; doubles each time'),
      maxBackoffSec: int('retry.maxBackoffSec', 'the longest wait between attempts'),
    },
  },
  overlap: { enum: [...OVERLAP_POLICIES] },
  misfire: { enum: [...MISFIRE_POLICIES] },
  misfireGraceSec: int('misfireGraceSec', 'a fire later than this is a misfire'),
  jitterSec: int('jitterSec', 'fires start up to this late, by a fixed amount per job'),
  enabled: { type: 'boolean' },
  schedules: { type: 'array', maxItems: 100, items: scheduleInput },
  webhooks: {
    type: 'array',
    maxItems: 20,
    items: {
      type: 'object',
      required: ['url', 'events'],
      additionalProperties: false,
      properties: {
        url: { type: 'string', minLength: 1 },
        events: { type: 'array', minItems: 1, items: { enum: [...NOTIFY_EVENTS] } },
        secret: { type: 'string', description: 'signs deliveries (X-Bosun-Signature: sha256=…)' },
      },
    },
  },
  keepRuns: int('keepRuns', "finished runs kept; 0 = the agent's --keep-runs"),
} as const;

export const jobInput = {
  type: 'object',
  // cmd (a command) or pipeline (a pipeline): the core says which is missing.
  required: ['name'],
  additionalProperties: false,
  properties: jobFields,
} as const;

/** A definition for PUT /jobs/by-name/:name: the name is the path's, so the body may leave it out. */
export const jobUpsert = {
  type: 'object',
  additionalProperties: false,
  properties: jobFields,
} as const;

export const jobPatch = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: jobFields,
} as const;

const runSchema = {
  $id: 'Run',
  type: 'object',
  properties: {
    id: { type: 'string' },
    jobId: { type: 'string' },
    jobName: nullable('string'),
    scheduleId: nullable('string'),
    trigger: { enum: [...RUN_TRIGGERS] },
    state: { enum: [...RUN_STATES] },
    attempt: { type: 'integer' },
    scheduledFor: isoTime('the fire time this run stands for'),
    runAt: isoTime('not before this time'),
    createdAt: isoTime(''),
    startedAt: isoTime(''),
    finishedAt: isoTime(''),
    exitCode: nullable('integer'),
    signal: nullable('string'),
    node: nullable('string', { description: 'the node that runs or ran it' }),
    error: nullable('string', { description: 'why it failed, was skipped, lost or canceled' }),
    stopRequested: { type: 'boolean' },
    logBytes: { type: 'integer' },
    logTruncated: { type: 'boolean' },
  },
} as const;

const jobSchema = {
  $id: 'Job',
  type: 'object',
  properties: {
    id: { type: 'string' },
    ...jobFields,
    env: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'values of names like *PASSWORD*, *TOKEN*, *SECRET*, *KEY* shown as "***"',
    },
    schedules: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...scheduleInput.properties,
          id: { type: 'string' },
          nextFireAt: isoTime('the next fire not yet made into a run'),
          description: { type: 'string' },
        },
      },
    },
    version: { type: 'integer' },
    createdAt: isoTime(''),
    updatedAt: isoTime(''),
    package: {
      type: ['object', 'null'],
      properties: {
        sha256: { type: 'string' },
        size: { type: 'integer' },
        uploadedAt: isoTime(''),
      },
    },
    nextRunAt: isoTime(''),
    lastRun: { oneOf: [{ $ref: 'Run#' }, { type: 'null' }] },
  },
} as const;

/** Shared schemas, added to the app once (app.addSchema) and referenced as `Job#` and `Run#`. */
export const SHARED_SCHEMAS = [runSchema, jobSchema] as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: jobFields.name },
} as const;

export const runIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9]{1,16}$' } },
} as const;

/** The native error shape (the `Error` component, native/error-shape.ts). */
export const errorResponse = ref('Error');
