// SeaTunnel's Zeta REST API for jobs (specs/seatunnel.md §1–§4, decisions §10), on v1 paths
// (/hazelcast/rest/maps/…) and v2 paths (no prefix): submit, list, inspect and stop pipeline jobs.
// A SeaTunnel job is a pipeline job of the jobs core (pipeline-jobs.ts: submit, resume, ids); each
// submission or resume is one of its runs, and its status and metrics are those of its newest run.
// Only translation lives here: jobs, runs and the engine are the jobs service's; members and their
// tags (node labels) are the cluster membership's.
import { parseJson } from '../../parse-json.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Membership } from '../../cluster/membership.ts';
import { AgentError } from '../../errors.ts';
import { localDateTime } from '../../units/display.ts';
import type { JobState, JobsService } from '../../jobs/jobs-service.ts';
import type { Run } from '../../model/runs.ts';
import {
  createPipelineJobs,
  pipelineJobId as seatunnelId,
  type CheckedSubmission,
} from '../../jobs/pipeline-jobs.ts';
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
import { seatunnelStatus } from '../../pipeline/seatunnel-status.ts';
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
  const seatunnelJobs = pipelines.list;

  both('GET', '/running-jobs', async () => {
    const states = await seatunnelJobs();
    return states.filter((s) => !FINAL.has(statusOf(s.lastRun))).map(jobView);
  });

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

  const finished = async (request: FastifyRequest) => {
    const wanted = (request.params as { state?: string }).state?.toUpperCase();
    const states = (await seatunnelJobs()).filter((s) => FINAL.has(statusOf(s.lastRun)));
    return states
      .filter((s) => wanted === undefined || statusOf(s.lastRun) === wanted)
      .sort((a, b) => (a.lastRun?.finishedAt ?? 0) - (b.lastRun?.finishedAt ?? 0))
      .map(jobView);
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
    for (const entry of requests) out.push({ jobId: Number(await stop(entry)) });
    return out;
  });

  both('POST', '/encrypt-config', async (request) =>
    shadeConfig(configDocument(request.body, undefined)),
  );

  // The query is a tag filter: workers counts the live members whose tags (node labels) match it.
  both('GET', '/overview', async (request) => {
    const [states, workers] = await Promise.all([
      seatunnelJobs(),
      membership.live(queryOf(request)),
    ]);
    const count = (status: string) => states.filter((s) => statusOf(s.lastRun) === status).length;
    return {
      projectVersion: '2.3.9',
      gitCommitAbbrev: 'bosun',
      // The store does not know other nodes' --slots: reported as SeaTunnel's dynamic slots (0).
      totalSlot: '0',
      unassignedSlot: '0',
      runningJobs: String(states.filter((s) => !FINAL.has(statusOf(s.lastRun))).length),
      finishedJobs: String(count('FINISHED')),
      failedJobs: String(count('FAILED')),
      cancelledJobs: String(count('CANCELED')),
      workers: String(workers.length),
    };
  });

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
    const dump = threadDump(await seatunnelJobs());
    return [
      ...dump.threads.map(threadView),
      ...dump.engines.map(({ job, run }) => ({
        threadName: `pipeline ${seatunnelId(job)} (engine pid ${run.pgid}, run ${run.id})`,
        threadId: run.pgid,
        threadState: 'RUNNABLE',
        stackTrace: `run ${run.id} of job ${job.name}: ${JSON.stringify(metricsOf(run))}`,
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

  // The log of each pipeline job's newest run: a list (json or SeaTunnel's html), or one log as text.
  both('GET', '/logs', async (request, reply) => {
    const host = request.headers.host ?? 'localhost';
    const links = (await seatunnelJobs())
      .filter((s) => s.lastRun !== undefined)
      .map((s) => ({
        node: host,
        logLink: `http://${host}/logs/${seatunnelId(s.job)}`,
        logName: `job-${seatunnelId(s.job)}.log`,
      }));
    if (queryOf(request).format === 'json') return links;
    const items = links.map((l) => `<li><a href="${l.logLink}">${l.logName}</a></li>`).join('');
    return reply
      .type('text/html; charset=utf-8')
      .send(`<html><head><title>Seatunnel log</title></head><body><ul>${items}</ul></body></html>`);
  });
  both('GET', '/logs/:jobId', async (request, reply) => {
    const id = (request.params as { jobId: string }).jobId.replace(/^job-|\.log$/g, '');
    const run = (await find(id))?.lastRun;
    if (run === undefined) throw bad(`Log file job-${id}.log not found.`);
    return reply.type('text/plain; charset=utf-8').send(await jobs.readLog(run.id));
  });
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

function queryOf(request: FastifyRequest): Record<string, string> {
  return (request.query ?? {}) as Record<string, string>;
}

/** submit-job's query, refusing a parameter without `=` as SeaTunnel does (2.3.4+). */
function submitParams(request: FastifyRequest): Record<string, string> {
  const query = request.url.split('?')[1] ?? '';
  if (query.split('&').some((part) => part !== '' && !part.includes('='))) {
    throw bad('Invalid Params format in Params.');
  }
  return queryOf(request);
}

/** A JSON body, with SeaTunnel's messages for an empty or malformed one. */
function jsonBody(body: unknown): unknown {
  if (body === undefined || body === null || body === '') throw bad('Request body is empty.');
  try {
    return parseJson(String(body));
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
  const doc = typeof body === 'object' ? structuredClone(body) : jsonBody(body);
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc as Json;
  throw bad('Invalid JSON format in request body.');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as a message shows it: short, and never a whole body. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** SeaTunnel's status word for a job's newest run (CREATED before its first). */
export function statusOf(run: Run | undefined): string {
  return run === undefined ? 'CREATED' : seatunnelStatus(run.state, run.stopSignal);
}

/** Every metric as a string, with 2.3.3's lower-case spellings too (§4, §10). */
function metricsOf(run: Run | undefined): Json {
  const m = run?.metrics ?? {};
  const out: Json = {};
  for (const [key, value] of Object.entries(m)) {
    if (key === 'elapsedSeconds') continue;
    out[key] =
      typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
        : String(value);
  }
  if (out.SourceReceivedCount !== undefined) out.sourceReceivedCount = out.SourceReceivedCount;
  if (out.SinkWriteCount !== undefined) out.sinkWriteCount = out.SinkWriteCount;
  return out;
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
  const view: Json = {
    jobId: id,
    jobName: config?.env.name ?? job.name,
    jobStatus: status,
    envOptions,
    createTime: localDateTime(lastRun?.createdAt ?? job.createdAt),
    jobDag: config ? dagView(id, envOptions, buildDag(config)) : {},
    pluginJarsUrls: [],
    isStartWithSavePoint: lastRun?.trigger === 'resume',
    metrics: metricsOf(lastRun),
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
  const table = (name: string | undefined) => name ?? 'default-identifier';
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
      tablePaths: [v.plugin.role === 'sink' ? table(v.plugin.inputs[0]) : table(v.plugin.output)],
    })),
  };
}
