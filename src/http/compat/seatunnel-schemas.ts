// The JSON Schemas of SeaTunnel's job API (specs/seatunnel.md §1–§4): what each route takes and
// answers, for the OpenAPI document. The handlers read their input themselves, with SeaTunnel's own
// messages, so no request schema here is enforced (route-schema.ts).
import type { FastifySchema } from 'fastify';
import { bool, int, media, notEnforced, obj, ref, str, type JsonSchema } from '../route-schema.ts';

const ERROR = ref('SeatunnelError');
const strings = { type: 'object', additionalProperties: str } as const;

/** A job as §2.1/§2.2 show it: the compatible superset of the versions' fields. */
const seatunnelJob = {
  $id: 'SeatunnelJob',
  description: 'A pipeline job; an unknown id answers {"jobId"} alone',
  ...obj(
    {
      jobId: str,
      jobName: str,
      jobStatus: {
        enum: [
          'CREATED',
          'RUNNING',
          'FINISHED',
          'FAILED',
          'CANCELING',
          'CANCELED',
          'SAVEPOINT_DONE',
          'UNKNOWABLE',
        ],
      },
      envOptions: { type: 'object', description: 'the env block; secrets masked' },
      createTime: { type: 'string', description: 'local time, yyyy-MM-dd HH:mm:ss' },
      jobDag: {
        type: 'object',
        description: 'vertices and edges (2.3.3–2.3.8) and pipelineEdges, vertexInfoMap (2.3.9+)',
      },
      pluginJarsUrls: { type: 'array', items: str },
      isStartWithSavePoint: bool,
      metrics: { type: 'object', description: 'every figure as a string (SourceReceivedCount…)' },
      errorMsg: { type: ['string', 'null'], description: 'finished jobs only' },
      finishTime: { type: ['string', 'null'], description: 'finished jobs only' },
    },
    ['jobName', 'jobStatus', 'envOptions', 'createTime', 'jobDag', 'pluginJarsUrls'].concat([
      'isStartWithSavePoint',
      'metrics',
      'errorMsg',
      'finishTime',
    ]),
  ),
};

/** SeaTunnel's shared components, added at the app's root. */
export const SEATUNNEL_SCHEMAS: readonly JsonSchema[] = [seatunnelJob];

const jobs = { type: 'array', items: ref('SeatunnelJob') } as const;
const jobIdParam = () =>
  notEnforced(obj({ jobId: { type: 'string', pattern: '^[0-9]+$', description: 'a job id' } }));
const submitted = obj({ jobId: str, jobName: str });
const submitQuery = () =>
  notEnforced({
    type: 'object',
    properties: {
      jobId: { type: 'string', description: 'the id to give the job (or to resume)' },
      jobName: str,
      isStartWithSavePoint: { enum: ['true', 'false'], description: 'resume the job jobId' },
      format: { enum: ['json', 'hocon', 'sql'], default: 'json' },
    },
  });
const config = {
  type: 'object',
  description: 'a job config: env, source, transform, sink',
  additionalProperties: true,
} as const;
const stopEntry = obj(
  { jobId: { type: ['integer', 'string'] }, isStopWithSavePoint: { type: ['boolean', 'string'] } },
  ['isStopWithSavePoint'],
);
const logFile = obj({ node: str, logLink: str, logName: str });
const logList = {
  description: 'The links',
  content: {
    'application/json': { schema: { type: 'array', items: logFile } },
    'text/html': { schema: str },
  },
} as const;
const thread = obj({ threadName: str, threadId: int, threadState: str, stackTrace: str });

const route = (summary: string, schema: FastifySchema): FastifySchema => ({
  summary,
  tags: ['seatunnel'],
  ...schema,
  responses: { ...(schema.responses as object), 400: ERROR, 401: ERROR },
});

/** Each route's schema by its path after the prefix, the same on v1 and v2 paths. */
export const SEATUNNEL_ROUTES = {
  '/running-jobs': route('The jobs not finished', { responses: { 200: jobs } }),
  '/running-job/:jobId': route('One job', {
    params: jobIdParam(),
    responses: { 200: ref('SeatunnelJob') },
  }),
  '/running-job': route('One job, by ?jobId', {
    querystring: notEnforced(obj({ jobId: str })),
    responses: { 200: ref('SeatunnelJob') },
  }),
  '/job-info/:jobId': route('One job, running or finished', {
    params: jobIdParam(),
    responses: { 200: ref('SeatunnelJob') },
  }),
  '/job-info': route('One job, by ?jobId', {
    querystring: notEnforced(obj({ jobId: str })),
    responses: { 200: ref('SeatunnelJob') },
  }),
  '/finished-jobs/:state': route('The finished jobs in one state, oldest finish first', {
    params: notEnforced(
      obj({
        state: {
          enum: ['FINISHED', 'FAILED', 'CANCELED', 'SAVEPOINT_DONE', 'UNKNOWABLE'],
          description: 'in any case',
        },
      }),
    ),
    responses: { 200: jobs },
  }),
  '/finished-jobs': route('The finished jobs, oldest finish first', { responses: { 200: jobs } }),
  '/submit-job': route('Submit a job: its config as JSON, or HOCON or SQL text with ?format', {
    querystring: submitQuery(),
    body: {
      content: {
        'application/json': { schema: notEnforced(config) },
        'text/plain': {
          schema: notEnforced({ type: 'string', description: 'HOCON or SQL, with ?format' }),
        },
      },
    },
    responses: { 200: submitted },
  }),
  '/submit-job/upload': route('Submit a job as a file (v2 only): .json, .sql, else HOCON', {
    consumes: ['multipart/form-data'],
    querystring: submitQuery(),
    body: notEnforced(
      obj({ config_file: { type: 'string', format: 'binary', description: 'the config file' } }),
    ),
    responses: { 200: submitted },
  }),
  '/submit-jobs': route('Submit several jobs; none starts unless all are valid', {
    body: notEnforced({
      type: 'array',
      items: {
        ...config,
        properties: { params: { ...strings, description: "submit-job's query, e.g. jobName" } },
      },
    }),
    responses: { 200: { type: 'array', items: submitted } },
  }),
  '/stop-job': route('Stop a job, with a savepoint on request', {
    body: notEnforced(stopEntry),
    responses: { 200: obj({ jobId: str }) },
  }),
  '/stop-jobs': route('Stop several jobs', {
    body: notEnforced({ type: 'array', items: stopEntry }),
    responses: { 200: { type: 'array', items: obj({ jobId: int }) } },
  }),
  '/encrypt-config': route('A config with its secrets shaded (base64)', {
    body: notEnforced(config),
    responses: { 200: config },
  }),
  '/overview': route('Cluster figures; the query is a tag filter for workers', {
    querystring: notEnforced({ ...strings, description: 'tags a worker must have' }),
    responses: {
      200: {
        description: 'every figure as a string',
        ...obj({
          projectVersion: str,
          gitCommitAbbrev: str,
          totalSlot: str,
          unassignedSlot: str,
          runningJobs: str,
          finishedJobs: str,
          failedJobs: str,
          cancelledJobs: str,
          workers: str,
        }),
      },
    },
  }),
  '/update-tags': route("Set this member's tags (node labels); {} clears them", {
    body: notEnforced({ ...strings, description: 'e.g. {"tag1": "dev_1"}' }),
    responses: {
      200: obj({ status: { const: 'success' }, message: str }, ['message']),
    },
  }),
  '/thread-dump': route("The agent's threads and each running pipeline engine", {
    responses: { 200: { type: 'array', items: thread } },
  }),
  '/running-threads': route('The threads and what runs them', {
    responses: { 200: { type: 'array', items: obj({ threadName: str, classLoader: str }) } },
  }),
  '/logs': route("Every job's log file on every member: HTML links, or JSON with ?format=json", {
    querystring: notEnforced({
      type: 'object',
      properties: { format: { enum: ['json', 'html'] } },
    }),
    responses: { 200: logList },
  }),
  '/logs/:jobId': route(
    'A job id: the log files whose names hold it (as /logs lists them); a file name: its content',
    {
      params: notEnforced(
        obj({ jobId: { type: 'string', description: 'a job id, or a file name job-<id>.log' } }),
      ),
      querystring: notEnforced({
        type: 'object',
        properties: { format: { enum: ['json', 'html'] } },
      }),
      responses: {
        200: {
          description: 'The files (JSON or HTML), or the content of one (text)',
          content: {
            'application/json': { schema: { type: 'array', items: logFile } },
            'text/html': { schema: str },
            'text/plain': { schema: str },
          },
        },
      },
    },
  ),
  '/log': route("This member's log files, as HTML links to log/<name>", {
    responses: { 200: media('text/html', 'The links') },
  }),
  '/log/:logName': route('The content of one log file of this member', {
    params: notEnforced(obj({ logName: { type: 'string', description: 'job-<id>.log' } })),
    responses: { 200: media('text/plain', 'The log') },
  }),
  '/get-all-log-name': route("The names of this member's log files", {
    responses: { 200: { type: 'array', items: str } },
  }),
} satisfies Record<string, FastifySchema>;

/** system-monitoring-information: one all-string object per member. */
export const MONITORING_INFORMATION: FastifySchema = {
  summary: "SeaTunnel's cluster monitoring: one object per live member, every figure a string",
  tags: ['seatunnel'],
  responses: { 200: { type: 'array', items: strings }, 401: ERROR },
};
