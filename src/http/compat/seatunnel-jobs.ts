// SeaTunnel's Zeta REST API for jobs (specs/seatunnel.md §1–§4, decisions §10), on v1 paths
// (/hazelcast/rest/maps/…) and v2 paths (no prefix): submit, list, inspect and stop pipeline jobs.
// A SeaTunnel job is a pipeline job of the jobs core (pipeline-jobs.ts: submit, resume, ids); each
// submission or resume is one of its runs, and its status and metrics are those of its newest run.
// Only translation lives here: jobs, runs and the engine are the jobs service's; members and their
// tags (node labels) are the cluster membership's.
import { exactInteger, parseJson } from '../../parse-json.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Membership } from '../../cluster/membership.ts';
import { AgentError } from '../../errors.ts';
import { localDateTime } from '../../units/display.ts';
import type { JobState, JobsService } from '../../jobs/jobs-service.ts';
import type { Run } from '../../model/runs.ts';
import { createPipelineJobs, type CheckedSubmission } from '../../jobs/pipeline-jobs.ts';
import { threadDump, type AgentThread } from '../../jobs/thread-dump.ts';
import {
  formatOfFile,
  pipelineStructure,
  type PipelineConfig,
} from '../../pipeline/config/pipeline-config.ts';
import { parseHocon } from '../../pipeline/config/hocon.ts';
import { maskSecretOptions } from '../../pipeline/config/mask-secrets.ts';
import { shadeConfig } from '../../pipeline/config/shade-secrets.ts';
import { parseSqlConfig } from '../../pipeline/config/sql-config.ts';
import { catalog } from '../../pipeline/connectors/catalog.ts';
import { buildDag, type Dag } from '../../pipeline/dag.ts';
import { RATE_METRICS, TABLE_METRICS, javaDouble } from '../../pipeline/engine/metrics.ts';
import { pipelineJobId as seatunnelId, seatunnelStatus } from '../../pipeline/seatunnel-status.ts';
import { sendJsonPages } from '../json-stream.ts';
import { SEATUNNEL_ROUTES } from './seatunnel-schemas.ts';

const V1 = '/hazelcast/rest/maps';
const FINAL = new Set(['FINISHED', 'FAILED', 'CANCELED', 'SAVEPOINT_DONE', 'UNKNOWABLE']);

type Json = Record<string, unknown>;

export async function registerSeatunnelJobRoutes(
  app: FastifyInstance,
  deps: {
    jobs: JobsService;
    membership: Membership;
    /** This agent's node: update-tags labels it. */
    nodeId: string;
  },
): Promise<void> {
  await app.register(async (scope) => routes(scope, deps));
}

function routes(
  scope: FastifyInstance,
  { jobs, membership, nodeId }: { jobs: JobsService; membership: Membership; nodeId: string },
): void {
  // Bodies are parsed here, to answer bad JSON with SeaTunnel's own messages.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  const both = (
    method: 'GET' | 'POST',
    path: keyof typeof SEATUNNEL_ROUTES,
    handler: (r: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ) => {
    // The same schema on both paths: it documents the route (seatunnel-schemas.ts).
    const schema = SEATUNNEL_ROUTES[path];
    for (const prefix of [V1, '']) {
      scope.route({ method, url: `${prefix}${path}`, schema, handler });
      // v1 treats PUT as POST (RestApiIT PUTs update-tags).
      if (prefix === V1 && method === 'POST') {
        scope.route({ method: 'PUT', url: `${prefix}${path}`, schema, handler });
      }
    }
  };

  const pipelines = createPipelineJobs({ jobs });
  const find = pipelines.find;
  /** Every job of a listing, read a page at a time (for answers that are not a list of jobs). */
  const collect = async (pages: AsyncGenerator<JobState[]>): Promise<JobState[]> => {
    const all: JobState[] = [];
    for await (const page of pages) all.push(...page);
    return all;
  };

  // SeaTunnel has no paging for its job lists: written a page of jobs at a time (json-stream.ts).
  both('GET', '/running-jobs', async (_request, reply) =>
    sendJsonPages(reply, '[', pipelines.running(), jobView, ']'),
  );

  const jobInfo = async (request: FastifyRequest) => {
    const id = (request.params as { jobId?: string }).jobId ?? '';
    if (id === '') throw bad('The jobId must not be empty.');
    if (!/^\d+$/.test(id)) throw bad(`The jobId must be a number, not "${id}".`);
    const state = await find(id);
    return state === undefined ? { jobId: id } : jobView(state);
  };
  both('GET', '/running-job/:jobId', jobInfo);
  both('GET', '/running-job', jobInfo);
  both('GET', '/job-info/:jobId', jobInfo);
  both('GET', '/job-info', jobInfo);

  const finished = async (request: FastifyRequest, reply: FastifyReply) => {
    const wanted = (request.params as { state?: string }).state?.toUpperCase();
    // Oldest end first, as the store's index orders them; a word that is no status lists none.
    return sendJsonPages(reply, '[', pipelines.finished(wanted), jobView, ']');
  };
  both('GET', '/finished-jobs/:state', finished);
  both('GET', '/finished-jobs', finished);

  type SubmitParams = {
    jobId?: string;
    jobName?: string;
    isStartWithSavePoint?: string;
    format?: string;
  };
  /** Parses a submission and checks it whole, touching nothing: a list fails before any job starts. */
  const prepare = (body: unknown, params: SubmitParams): CheckedSubmission =>
    pipelines.check({
      readDoc: () => configDocument(body, params.format),
      jobId: params.jobId,
      jobName: params.jobName,
      resume: params.isStartWithSavePoint === 'true',
    });

  const launch = async (checked: CheckedSubmission) => {
    const { job, jobName } = await pipelines.submit(checked);
    return { jobId: seatunnelId(job), jobName };
  };

  const submit = async (body: unknown, params: SubmitParams) => launch(prepare(body, params));

  both('POST', '/submit-job', async (request) => submit(request.body, submitParams(request)));

  // v2 only (2.3.10+): the config as a file, its form told by its name (.json, .sql, else HOCON).
  scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body),
  );
  scope.post(
    '/submit-job/upload',
    { schema: SEATUNNEL_ROUTES['/submit-job/upload'] },
    async (request) => {
      const type = request.headers['content-type'] ?? '';
      if (!type.startsWith('multipart/form-data') || !Buffer.isBuffer(request.body)) {
        throw bad('send the config file as multipart/form-data, in the field config_file');
      }
      let file: FormDataEntryValue | null;
      try {
        // The platform's own multipart reader (undici's), through a Response.
        const form = await new Response(new Uint8Array(request.body), {
          headers: { 'content-type': type },
        }).formData();
        file = form.get('config_file');
      } catch {
        throw bad('the multipart/form-data body cannot be read');
      }
      if (file === null || typeof file === 'string') {
        throw bad(
          'config_file is required: send the config file in the multipart field config_file',
        );
      }
      const format = formatOfFile(file.name);
      return submit(await file.text(), { ...submitParams(request), format });
    },
  );

  both('POST', '/submit-jobs', async (request) => {
    const list = jsonBody(request.body);
    if (!Array.isArray(list)) {
      throw bad('the body must be a list of job configs, each with "params"');
    }
    const prepared = list.map((entry: unknown, i) => {
      if (!isObject(entry)) throw bad(`entry ${i} must be a job config object, not ${show(entry)}`);
      const { params = {}, ...doc } = entry;
      if (!isObject(params) || Object.values(params).some((v) => typeof v !== 'string')) {
        throw bad(`entry ${i}: "params" must be an object of strings, e.g. {"jobName":"demo"}`);
      }
      return prepare(doc, params as SubmitParams);
    });
    const out = [];
    for (const entry of prepared) out.push(await launch(entry));
    return out;
  });

  /** A stop request's id and savepoint flag, checked before anything is stopped. */
  const stopRequest = (body: unknown): { id: string; savepoint: boolean } => {
    const { jobId, isStopWithSavePoint } = (isObject(body) ? body : {}) as {
      jobId?: unknown;
      isStopWithSavePoint?: unknown;
    };
    if (jobId === undefined || jobId === null || jobId === '') throw bad('jobId cannot be empty.');
    if (typeof jobId === 'object') throw bad(`jobId must be a number, not ${show(jobId)}`);
    // A Java long beyond 2^53 arrives as a BigInt (jsonBody reads integers exactly): its digits.
    const id = String(jobId);
    if (!/^\d+$/.test(id)) throw bad(`For input string: "${id}"`);
    return { id, savepoint: isStopWithSavePoint === true || isStopWithSavePoint === 'true' };
  };
  const stop = async ({ id, savepoint }: { id: string; savepoint: boolean }): Promise<string> => {
    const state = await find(id);
    // Unknown or finished ids still get 200 (SeaTunnel does not wait for the stop either).
    if (state !== undefined) await jobs.stopJob(state.job.id, { savepoint });
    return id;
  };
  both('POST', '/stop-job', async (request) => ({
    jobId: await stop(stopRequest(jsonBody(request.body))),
  }));
  both('POST', '/stop-jobs', async (request) => {
    const list = jsonBody(request.body);
    if (!Array.isArray(list)) {
      throw bad('the body must be a list of {"jobId": …, "isStopWithSavePoint": …}');
    }
    const requests = list.map(stopRequest);
    const out = [];
    // A number, as SeaTunnel's (Long) cast writes it: the exact digits, even beyond 2^53.
    for (const entry of requests) out.push({ jobId: exactInteger(await stop(entry)) });
    return out;
  });

  both('POST', '/encrypt-config', async (request) =>
    shadeConfig(configDocument(request.body, undefined)),
  );

  // The query is a tag filter (GetOverviewOperation): workers, totalSlot and unassignedSlot count the
  // live members whose tags (node labels) match it; a member's slots are its --slots, and a slot is
  // assigned while one of its runs goes.
  both('GET', '/overview', async (request) => {
    // Counted by the store from each job's latest run, through an index: never every job read.
    const [counts, workers] = await Promise.all([
      pipelines.countByStatus(),
      membership.live(queryOf(request)),
    ]);
    const totalSlot = workers.reduce((sum, m) => sum + m.slots, 0);
    const assigned = await runsGoingOn(new Set(workers.map((m) => m.id)), totalSlot);
    const count = (status: string) => counts.get(status) ?? 0;
    const going = [...counts].reduce((sum, [status, n]) => (FINAL.has(status) ? sum : sum + n), 0);
    return {
      projectVersion: '2.3.9',
      gitCommitAbbrev: 'bosun',
      totalSlot: String(totalSlot),
      unassignedSlot: String(Math.max(0, totalSlot - assigned)),
      runningJobs: String(going),
      finishedJobs: String(count('FINISHED')),
      failedJobs: String(count('FAILED')),
      cancelledJobs: String(count('CANCELED')),
      workers: String(workers.length),
    };
  });

  /** How many runs go on these nodes (a node runs at most its slots, so `most` bounds the count). */
  const runsGoingOn = async (nodes: ReadonlySet<string>, most: number): Promise<number> => {
    if (nodes.size === 0 || most === 0) return 0;
    const { runs } = await jobs.listRuns({ state: 'running', limit: Math.min(most * 2, 1000) });
    return runs.filter((r) => r.nodeId !== undefined && nodes.has(r.nodeId)).length;
  };

  both('POST', '/update-tags', async (request) => {
    const body = jsonBody(request.body);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw bad('the body must be a map of tags, e.g. {"tag1": "dev_1"}; {} clears them');
    }
    // This member's tags, kept in the store as its labels: every node sees them, restarts keep them.
    await membership.setLabels(
      nodeId,
      Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])),
    );
    return request.url.startsWith(V1)
      ? { status: 'success', message: 'update node tags done.' }
      : { status: 'success' };
  });

  // The agent's threads and each running pipeline engine, in SeaTunnel's shape.
  const threads = async (): Promise<Json[]> => {
    // Engines run only for jobs whose latest run goes: the finished ones are not read.
    const dump = threadDump(await collect(pipelines.running()));
    return [
      ...dump.threads.map(threadView),
      ...dump.engines.map(({ job, run }) => ({
        threadName: `pipeline ${seatunnelId(job)} (engine pid ${run.pgid}, run ${run.id})`,
        threadId: run.pgid,
        threadState: 'RUNNABLE',
        stackTrace: `run ${run.id} of job ${job.name}: ${JSON.stringify(metricsOf(run, NO_TABLES))}`,
      })),
    ];
  };
  both('GET', '/thread-dump', threads);
  // SeaTunnel's test-only list; a thread's "class loader" here is the process that runs it.
  both('GET', '/running-threads', async () =>
    (await threads()).map((t) => ({
      threadName: t.threadName,
      classLoader: String(t.threadName).startsWith('pipeline ') ? 'bosun engine' : 'bosun agent',
    })),
  );

  // Logs as SeaTunnel 2.3.9's log servlets serve them: each pipeline job's newest run is the file
  // job-<id>.log (the name SeaTunnel's routing appender gives a job's log). Every node reads every
  // log from the store, so each node lists them all, as its own and as the cluster's.
  // The list is every pipeline job that has run, read a page at a time; one file is found by the
  // id in its name, never by reading the list.
  // Each page is reduced to its files as it comes: at 10,000 pipeline jobs the list holds 10,000
  // names, not 10,000 jobs with their configs and runs.
  const logFiles = async (): Promise<Array<{ name: string; runId: string }>> => {
    const files: Array<{ name: string; runId: string }> = [];
    for await (const page of pipelines.withRuns()) {
      for (const s of page) {
        if (s.lastRun !== undefined) {
          files.push({ name: `job-${seatunnelId(s.job)}.log`, runId: s.lastRun.id });
        }
      }
    }
    return files;
  };
  const logContent = async (reply: FastifyReply, name: string) => {
    const id = /^job-(\d+)\.log$/.exec(name)?.[1];
    const state = id === undefined ? undefined : await find(id);
    const runId = state === undefined ? undefined : await latestRunId(state);
    // SeaTunnel answers a missing file with a bare 400.
    if (
      state === undefined ||
      runId === undefined ||
      `job-${seatunnelId(state.job)}.log` !== name
    ) {
      throw bad(`Log file ${name} not found.`);
    }
    return reply.type('text/plain; charset=utf-8').send(await jobs.readLog(runId));
  };
  /** The job's newest run that is not queued (the file's run), as the list names it. */
  const latestRunId = async (state: JobState): Promise<string | undefined> => {
    if (state.lastRun !== undefined && state.lastRun.state !== 'queued') return state.lastRun.id;
    const [listed] = await jobs.listJobs({ limit: 1, namePrefix: state.job.name });
    return listed?.job.id === state.job.id ? listed.lastRun?.id : undefined;
  };
  /** AllNodeLogServlet's list: every file, or those whose name holds `jobId`; JSON or HTML. */
  const logList = async (request: FastifyRequest, reply: FastifyReply, jobId: string) => {
    const host = request.headers.host ?? 'localhost';
    const base = `http://${host}${request.url.startsWith(V1) ? V1 : ''}`;
    const links = (await logFiles())
      .filter((f) => f.name.includes(jobId))
      .map((f) => ({ node: host, logLink: `${base}/logs/${f.name}`, logName: f.name }));
    if (queryOf(request).format?.toLowerCase() === 'json') return links;
    return html(
      reply,
      links.map((l) => ({ href: l.logLink, text: `${l.node}-${l.logName}` })),
    );
  };
  both('GET', '/logs', (request, reply) => logList(request, reply, ''));
  both('GET', '/logs/:jobId', async (request, reply) => {
    const param = (request.params as { jobId: string }).jobId;
    return param.includes('.log') ? logContent(reply, param) : logList(request, reply, param);
  });
  // CurrentNodeLogServlet: this node's files, as links relative to /log.
  both('GET', '/log', async (_request, reply) =>
    html(
      reply,
      (await logFiles()).map((f) => ({ href: `log/${f.name}`, text: f.name })),
    ),
  );
  both('GET', '/log/:logName', async (request, reply) =>
    logContent(reply, (request.params as { logName: string }).logName),
  );
  // What one member asks another for when it lists the cluster's logs.
  both('GET', '/get-all-log-name', async () => (await logFiles()).map((f) => f.name));
}

/** SeaTunnel's log page: a title, a heading and one link per file. */
function html(reply: FastifyReply, links: Array<{ href: string; text: string }>): FastifyReply {
  const items = links
    .map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a></li>\n`)
    .join('');
  return reply
    .type('text/html; charset=utf-8')
    .send(
      `<html><head><title>Seatunnel log</title></head>\n<body>\n <h2>Seatunnel log</h2>\n <ul>\n${items} </ul>\n</body></html>`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** A thread as SeaTunnel (Java) shows one: its state in Thread.State's words. */
function threadView(t: AgentThread): Json {
  return {
    threadName: `${t.name} (bosun agent)`,
    threadId: t.tid,
    // A thread that ended while being read (`?`) is shown as it last ran.
    threadState:
      t.state === 'R' || t.state === '?'
        ? 'RUNNABLE'
        : t.state === 'S' || t.state === 'D'
          ? 'WAITING'
          : 'TIMED_WAITING',
    stackTrace: '',
  };
}

/**
 * The query as single values: a repeated parameter gives its first value, as the servlet API's
 * getParameter does (the parser hands an array for `?format&format=1`).
 */
function queryOf(request: FastifyRequest): Record<string, string> {
  const query = (request.query ?? {}) as Record<string, string | string[]>;
  return Object.fromEntries(
    Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? '') : v]),
  );
}

/**
 * submit-job's query. v1 (2.3.4+, RestUtil.buildRequestParams) splits it with Java's String.split
 * on `&` and each part on `=`, and refuses a part that yields no value (`?null`, `?jobName=`, an
 * empty part between two `&`); v2 (Jetty's getParameterMap) takes any query, a bare `?null` as the
 * parameter "null" (RestApiIT's `submit-job?null&format=hocon`).
 */
function submitParams(request: FastifyRequest): Record<string, string> {
  const q = request.url.indexOf('?');
  if (request.url.startsWith(V1) && q !== -1) {
    const parts = javaSplit(request.url.slice(q + 1).replace(/\/$/, ''), '&');
    if (parts.some((part) => javaSplit(part, '=').length < 2)) {
      throw bad('Invalid Params format in Params.');
    }
  }
  return queryOf(request);
}

/** Java's String.split(literal): the text itself when it holds no separator, else no trailing empties. */
function javaSplit(text: string, separator: string): string[] {
  if (!text.includes(separator)) return [text];
  const parts = text.split(separator);
  while (parts.length > 0 && parts.at(-1) === '') parts.pop();
  return parts;
}

/**
 * A JSON body, with SeaTunnel's messages for an empty or malformed one. Integers beyond 2^53 (job
 * ids are Java longs) are read exactly, as BigInts; configDocument turns those of a config back
 * into numbers.
 */
function jsonBody(body: unknown): unknown {
  if (body === undefined || body === null || body === '') throw bad('Request body is empty.');
  try {
    return parseJson(String(body), { exactIntegers: true });
  } catch {
    throw bad('Invalid JSON format in request body.');
  }
}

function bad(message: string): AgentError {
  return new AgentError('INVALID_INPUT', message);
}

/** The config document of a request: JSON (an object), or HOCON or SQL text with ?format=hocon|sql. */
function configDocument(body: unknown, format: string | undefined): Json {
  if (body === undefined || body === null || body === '') throw bad('Request body is empty.');
  if (format === 'hocon' || format === 'sql') {
    if (typeof body !== 'string') {
      throw bad(`with format=${format}, send the config as text (Content-Type: text/plain)`);
    }
    try {
      return format === 'sql' ? parseSqlConfig(body) : (parseHocon(body) as Json);
    } catch (err) {
      const message = (err as Error).message;
      throw bad(format === 'sql' ? message : `Invalid HOCON config: ${message}`);
    }
  }
  if (format !== undefined && format !== 'json') {
    throw bad(`format must be json, hocon or sql, not "${format}"`);
  }
  // An entry of submit-jobs arrives parsed already.
  const doc = typeof body === 'object' ? body : jsonBody(body);
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    return withNumbers(doc) as Json;
  }
  throw bad('Invalid JSON format in request body.');
}

/**
 * A copy of a config document with its exact integers (BigInts) as plain numbers, as the config
 * readers and the store expect: a config holds counts and sizes, never a Java long id.
 */
function withNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(withNumbers);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNumbers(v)]));
  }
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as a message shows it: short, and never a whole body. */
function show(value: unknown): string {
  // An exact integer (a BigInt) is shown as its digits.
  const text =
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? exactInteger(v) : v)) ??
    String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** SeaTunnel's status word for a job's newest run (CREATED before its first). */
export function statusOf(run: Run | undefined): string {
  return run === undefined ? 'CREATED' : seatunnelStatus(run.state, run.stopSignal);
}

const COUNT_METRICS = [
  'SourceReceivedCount',
  'SinkWriteCount',
  'SourceReceivedBytes',
  'SinkWriteBytes',
];
const TOTAL_RATES = [
  'SourceReceivedQPS',
  'SinkWriteQPS',
  'SourceReceivedBytesPerSeconds',
  'SinkWriteBytesPerSeconds',
];

/** A figure as SeaTunnel's REST writes it: a rate as a Java double, any other as its integer. */
function figure(key: string, value: unknown): string {
  return RATE_METRICS.has(key) ? javaDouble(Number(value)) : String(value);
}

/**
 * Every metric as a string, with 2.3.3's lower-case spellings too (§4, §10). All eight totals and
 * all eight per-table maps are always there (SeaTunnel's REST fills them in for a job of any age);
 * each map lists every table of the job's DAG, so that a client summing `map[tablePath]` over the
 * DAG's vertices (the engine UI) always finds a number.
 */
function metricsOf(run: Run | undefined, tables: DagTables): Json {
  const m = run?.metrics ?? {};
  const out: Json = {};
  for (const [key, value] of Object.entries(m)) {
    if (key === 'elapsedSeconds') continue;
    out[key] =
      typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, figure(key, v)]))
        : figure(key, value);
  }
  for (const key of [...COUNT_METRICS, ...TOTAL_RATES]) out[key] ??= figure(key, 0);
  for (const key of TABLE_METRICS) {
    const map = { ...(out[key] as Record<string, string> | undefined) };
    for (const table of key.startsWith('TableSource') ? tables.sources : tables.sinks) {
      map[table] ??= figure(key, 0);
    }
    out[key] = map;
  }
  out.sourceReceivedCount = out.SourceReceivedCount;
  out.sinkWriteCount = out.SinkWriteCount;
  return out;
}

/** The tables the DAG's sources make and its sinks read: the vertices' tablePaths. */
interface DagTables {
  sources: string[];
  sinks: string[];
}

const NO_TABLES: DagTables = { sources: [], sinks: [] };

function dagTables(dag: Dag | undefined): DagTables {
  const tables: DagTables = { sources: [], sinks: [] };
  for (const v of dag?.vertices ?? []) {
    if (v.plugin.role === 'source') tables.sources.push(...tablePaths(v));
    if (v.plugin.role === 'sink') tables.sinks.push(...tablePaths(v));
  }
  return tables;
}

const tableName = (name: string | undefined): string => name ?? 'default-identifier';

/** A vertex's tables as SeaTunnel's vertexInfoMap lists them: what a source makes, what a sink reads. */
function tablePaths(v: Dag['vertices'][number]): string[] {
  return v.plugin.role === 'sink' ? v.plugin.inputs.map(tableName) : [tableName(v.plugin.output)];
}

/** The job object of §2.1/§2.2, as the compatible superset: both jobDag forms, finishTime. */
function jobView(state: JobState): Json {
  const { job, lastRun } = state;
  let config: PipelineConfig | undefined;
  try {
    config = job.pipeline && pipelineStructure(job.pipeline, catalog);
  } catch {
    config = undefined; // a config that no longer parses (a connector removed): shown without a DAG
  }
  const id = seatunnelId(job);
  const status = statusOf(lastRun);
  // Shown as other secrets are: never a password, even one in a URL.
  const envOptions = maskSecretOptions(config?.env.options ?? {});
  const dag = config ? buildDag(config) : undefined;
  const view: Json = {
    jobId: id,
    jobName: config?.env.name ?? job.name,
    jobStatus: status,
    envOptions,
    createTime: localDateTime(lastRun?.createdAt ?? job.createdAt),
    jobDag: dag ? dagView(id, envOptions, dag) : {},
    pluginJarsUrls: [],
    isStartWithSavePoint: lastRun?.trigger === 'resume',
    metrics: metricsOf(lastRun, dagTables(dag)),
  };
  if (FINAL.has(status)) {
    view.errorMsg =
      lastRun?.state === 'succeeded' || lastRun?.state === 'savepoint_done'
        ? null
        : (lastRun?.error ?? null);
    view.finishTime = lastRun?.finishedAt === undefined ? null : localDateTime(lastRun.finishedAt);
  }
  return view;
}

function dagView(jobId: string, envOptions: Json, dag: Dag): Json {
  const table = tableName;
  const action = (v: Dag['vertices'][number]) => {
    const p = v.plugin;
    if (p.role === 'source') return `Source[${p.index}]-${p.name}-${table(p.output)}`;
    if (p.role === 'transform') return `Transform[${p.index}]-${p.name}-${table(p.output)}`;
    return `Sink[${p.index}]-${p.name}-${table(p.inputs[0])}`;
  };
  const physical = (v: Dag['vertices'][number]) => {
    const p = v.plugin;
    if (p.role === 'source') return `Source[${p.index}]-${p.name}`;
    if (p.role === 'transform') return `Transform[${p.index}]-${p.name}`;
    return `Sink[${p.index}]-${p.name}-MultiTableSink`;
  };
  const byId = new Map(dag.vertices.map((v) => [v.id, v]));
  const pipelineEdges: Record<
    string,
    Array<{ inputVertexId: string; targetVertexId: string }>
  > = {};
  for (const e of dag.edges) {
    const key = String(byId.get(e.from)?.pipeline ?? 1);
    (pipelineEdges[key] ??= []).push({
      inputVertexId: String(e.from),
      targetVertexId: String(e.to),
    });
  }
  return {
    // 2.3.3–2.3.8 (logical plan)
    vertices: dag.vertices.map((v) => ({
      id: v.id,
      name: `${action(v)}(id=${v.id})`,
      parallelism: v.plugin.parallelism,
    })),
    edges: dag.edges.map((e) => ({
      inputVertex: action(byId.get(e.from) as Dag['vertices'][number]),
      targetVertex: action(byId.get(e.to) as Dag['vertices'][number]),
    })),
    // 2.3.9+ (physical plan)
    jobId,
    envOptions,
    pipelineEdges,
    vertexInfoMap: dag.vertices.map((v) => ({
      vertexId: v.id,
      type: v.plugin.role,
      vertexName: `pipeline-${v.pipeline} [${physical(v)}]`,
      tablePaths: tablePaths(v),
    })),
  };
}
