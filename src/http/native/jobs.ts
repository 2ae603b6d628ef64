// The native jobs API: /api/v1/jobs, /api/v1/runs and their logs. A thin translation between JSON
// (camelCase, ISO times) and the jobs core; the schemas in job-schemas.ts document and check it.
import { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { AgentError } from '../../errors.ts';
import type { JobState, JobsService } from '../../jobs/jobs-service.ts';
import type { JobsPage } from '../../store/store.ts';
import { JOB_LIMITS } from '../../model/jobs.ts';
import { RUN_STATES, type Run, type RunState } from '../../model/runs.ts';
import { media, notEnforced } from '../route-schema.ts';
import { iso, jobJson, runJson } from './job-json.ts';

import {
  errorResponse,
  idParams,
  jobInput,
  jobPatch,
  jobUpsert,
  nameParams,
  runIdParams,
  SHARED_SCHEMAS,
} from './job-schemas.ts';

export interface JobsRoutesDeps {
  jobs: JobsService;
  defaultTz: string;
}

const jobResponse = { $ref: 'Job#' };
const runResponse = { $ref: 'Run#' };
const errors = { 400: errorResponse, 404: errorResponse, 409: errorResponse };

/** The content types a package upload is taken in; the first is the one to use. */
const PACKAGE_TYPES = [
  'application/gzip',
  'application/x-gzip',
  'application/octet-stream',
  'application/x-tar',
] as const;

/** A page's position: the `nextCursor` the previous page answered. */
const cursorParam = {
  type: 'string',
  pattern: '^[0-9]{1,16}$',
  description: 'nextCursor of the previous page',
} as const;

export function registerJobRoutes(app: FastifyInstance, deps: JobsRoutesDeps): void {
  const { jobs } = deps;
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  const view = (state: JobState) => jobJson(state, deps.defaultTz);
  // Log followers end when the agent closes, or the server would wait for their runs to end.
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });

  app.post<{ Body: Record<string, unknown> }>(
    '/api/v1/jobs',
    {
      schema: {
        summary: 'Create a job',
        tags: ['jobs'],
        body: jobInput,
        responses: { 201: jobResponse, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(view(await jobs.createJob(request.body))),
  );

  app.get<{
    Querystring: { limit: number; cursor?: string; name?: string; kind?: 'command' | 'pipeline' };
  }>(
    '/api/v1/jobs',
    {
      schema: {
        summary: 'Jobs with their next and last runs, a page at a time',
        description:
          'In id order (creation order), or in name order when `name` is given. A page costs what it returns, however many jobs and runs there are; follow nextCursor for the next page (null on the last).',
        tags: ['jobs'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            cursor: cursorParam,
            name: {
              type: 'string',
              maxLength: 200,
              description:
                'only jobs whose name starts with this (case-sensitive), in name order; empty: every job in name order',
            },
            kind: { enum: ['command', 'pipeline'], description: 'only jobs of this kind' },
          },
        },
        responses: {
          200: {
            type: 'object',
            properties: {
              jobs: { type: 'array', items: jobResponse },
              nextCursor: { type: ['string', 'null'] },
              total: {
                type: 'integer',
                description: 'every job the agent has (of `kind`, if given), whatever `name` says',
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { limit, cursor, name, kind } = request.query;
      const [page, totals] = await Promise.all([
        readPage(jobs, {
          limit,
          ...(cursor === undefined ? {} : { after: cursor }),
          ...(name === undefined ? {} : { namePrefix: name }),
          ...(kind === undefined ? {} : { kind }),
        }),
        jobs.jobTotals(),
      ]);
      const last = page.at(-1);
      return {
        jobs: page.map(view),
        nextCursor: page.length === limit && last ? last.job.id : null,
        total: kind === undefined ? totals.command + totals.pipeline : totals[kind],
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/jobs/:id',
    {
      schema: {
        summary: 'One job, by id or name',
        tags: ['jobs'],
        params: idParams,
        responses: { 200: jobResponse, ...errors },
      },
    },
    async (request) => view(await jobs.getJob(request.params.id)),
  );

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/api/v1/jobs/:id',
    {
      schema: {
        summary: 'Replace a job definition',
        tags: ['jobs'],
        params: idParams,
        body: jobInput,
        responses: { 200: jobResponse, ...errors },
      },
    },
    async (request) => view(await jobs.replaceJob(request.params.id, request.body)),
  );

  app.put<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/api/v1/jobs/by-name/:name',
    {
      schema: {
        summary: 'Create or replace the job of this name',
        description:
          "One request where a client would read the job, then create or replace it: 201 when it was created, 200 when replaced. The body's name may be left out; if given it must be the path's.",
        tags: ['jobs'],
        params: nameParams,
        body: jobUpsert,
        responses: { 200: jobResponse, 201: jobResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { state, created } = await jobs.upsertJob(request.params.name, request.body);
      return reply.code(created ? 201 : 200).send(view(state));
    },
  );

  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/api/v1/jobs/:id',
    {
      schema: {
        summary: 'Change some fields of a job, e.g. {"enabled": false}',
        tags: ['jobs'],
        params: idParams,
        body: jobPatch,
        responses: { 200: jobResponse, ...errors },
      },
    },
    async (request) => view(await jobs.patchJob(request.params.id, request.body)),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/jobs/:id',
    {
      schema: {
        summary: 'Delete a job with its runs and logs',
        tags: ['jobs'],
        params: idParams,
        responses: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      await jobs.deleteJob(request.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: { count: number } }>(
    '/api/v1/jobs/:id/next',
    {
      schema: {
        summary: 'The next fire times of a job',
        tags: ['jobs'],
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { count: { type: 'integer', minimum: 1, maximum: 100, default: 5 } },
        },
        responses: {
          200: {
            type: 'object',
            properties: {
              times: { type: 'array', items: { type: 'string', format: 'date-time' } },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => ({
      times: (await jobs.nextTimes(request.params.id, request.query.count)).map((t) =>
        new Date(t).toISOString(),
      ),
    }),
  );

  app.post<{
    Params: { id: string };
    Headers: { 'idempotency-key'?: string };
    Querystring: { resume?: string };
  }>(
    '/api/v1/jobs/:id/run',
    {
      schema: {
        summary: 'Start a run now',
        description:
          'A retried request with the same Idempotency-Key header returns the same run. ?resume=true starts a pipeline from its newest savepoint (or the last checkpoint of its newest failed run).',
        tags: ['runs'],
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { resume: { enum: ['true', 'false', '1', '0'] } },
        },
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
        },
        responses: { 202: runResponse, ...errors },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const resume = request.query.resume === 'true' || request.query.resume === '1';
      const { run, job } = await jobs.runNow(request.params.id, {
        ...(key === undefined ? {} : { idempotencyKey: key }),
        ...(resume ? { resume } : {}),
      });
      return reply.code(202).send(runJson(run, job.name));
    },
  );

  app.post<{ Params: { id: string }; Querystring: { savepoint?: string } }>(
    '/api/v1/jobs/:id/stop',
    {
      schema: {
        summary: 'Stop every run of a job that has not ended',
        description:
          "Running runs get SIGTERM (their process group), then SIGKILL after the job's graceSec; queued ones are canceled at once. ?savepoint=true stops a pipeline's runs with a savepoint to resume from. Answers the runs it stopped: an empty list when none was going.",
        tags: ['runs'],
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { savepoint: { enum: ['true', 'false', '1', '0'] } },
        },
        responses: {
          202: { type: 'object', properties: { runs: { type: 'array', items: runResponse } } },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const savepoint = request.query.savepoint === 'true' || request.query.savepoint === '1';
      const runs = await jobs.stopJob(request.params.id, { savepoint });
      const names = await jobNames(jobs, runs);
      return reply.code(202).send({ runs: runs.map((r) => runJson(r, names.get(r.jobId))) });
    },
  );

  // A package is raw bytes, taken by this route alone (any other route answers such a body 415)
  // and handed on as a stream: the jobs core writes it to disk as it arrives.
  const maxBytes = JOB_LIMITS.packageBytes.max;
  void app.register(async (scope) => {
    scope.addContentTypeParser([...PACKAGE_TYPES], (request, payload, done) => {
      if (Number(request.headers['content-length'] ?? 0) > maxBytes) {
        const tooLarge = `the package is larger than ${maxBytes} bytes, the limit`;
        return done(new AgentError('PAYLOAD_TOO_LARGE', tooLarge), undefined);
      }
      done(null, payload);
    });
    scope.put<{ Params: { id: string }; Body: unknown }>(
      '/api/v1/jobs/:id/package',
      {
        schema: {
          summary: `Upload the job package (.tar.gz, at most ${maxBytes >> 20} MiB), unpacked into its work dir`,
          tags: ['jobs'],
          consumes: PACKAGE_TYPES,
          params: idParams,
          // A stream, read by the jobs core: documented, not enforced.
          body: notEnforced({ type: 'string', format: 'binary', description: 'the .tar.gz bytes' }),
          responses: {
            200: {
              type: 'object',
              properties: {
                sha256: { type: 'string' },
                size: { type: 'integer' },
                uploadedAt: { type: 'string', format: 'date-time' },
              },
            },
            ...errors,
          },
        },
      },
      async (request) => {
        if (!(request.body instanceof Readable)) {
          throw new AgentError(
            'INVALID_INPUT',
            'send the .tar.gz bytes with content-type application/gzip (curl --data-binary @job.tar.gz -H "content-type: application/gzip")',
          );
        }
        const pkg = await jobs.putPackage(request.params.id, request.body);
        return { sha256: pkg.sha256, size: pkg.size, uploadedAt: iso(pkg.uploadedAt) };
      },
    );
  });

  app.get<{ Querystring: { jobId?: string; state?: RunState; limit: number; cursor?: string } }>(
    '/api/v1/runs',
    {
      schema: {
        summary: 'Runs, newest first, a page at a time',
        tags: ['runs'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            jobId: { type: 'string', minLength: 1, description: 'a job id or name' },
            state: { enum: [...RUN_STATES] },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: cursorParam,
          },
        },
        responses: {
          200: {
            type: 'object',
            properties: {
              runs: { type: 'array', items: runResponse },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { jobId, state, limit, cursor } = request.query;
      const page = await jobs.listRuns({
        limit,
        ...(jobId === undefined ? {} : { jobId }),
        ...(state === undefined ? {} : { state }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      const names = await jobNames(jobs, page.runs);
      return {
        runs: page.runs.map((r) => runJson(r, names.get(r.jobId))),
        nextCursor: page.nextCursor ?? null,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/runs/:id',
    {
      schema: {
        summary: 'One run',
        tags: ['runs'],
        params: runIdParams,
        responses: { 200: runResponse, ...errors },
      },
    },
    async (request) => {
      const run = await jobs.getRun(request.params.id);
      return runJson(run, (await jobNames(jobs, [run])).get(run.jobId));
    },
  );

  app.post<{ Params: { id: string }; Querystring: { savepoint?: string } }>(
    '/api/v1/runs/:id/stop',
    {
      schema: {
        summary:
          "Stop a run (SIGTERM to its process group, SIGKILL after the job's graceSec); ?savepoint=true stops a pipeline run with a savepoint to resume from",
        tags: ['runs'],
        params: runIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { savepoint: { enum: ['true', 'false', '1', '0'] } },
        },
        responses: { 202: runResponse, ...errors },
      },
    },
    async (request, reply) => {
      const savepoint = request.query.savepoint === 'true' || request.query.savepoint === '1';
      const run = await jobs.stopRun(request.params.id, { savepoint });
      return reply.code(202).send(runJson(run, (await jobNames(jobs, [run])).get(run.jobId)));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { tail?: number; follow?: string } }>(
    '/api/v1/runs/:id/log',
    {
      schema: {
        summary:
          "A run's output as text; ?tail=N for the last lines, ?follow=1 to stream until it ends",
        tags: ['runs'],
        params: runIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tail: { type: 'integer', minimum: 0, maximum: 1_000_000 },
            // ?follow=1 as in every log tool; Fastify's coercion only knows true/false.
            follow: { enum: ['1', '0', 'true', 'false'] },
          },
        },
        responses: { 200: media('text/plain', "The run's output"), ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { tail, follow } = request.query;
      reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8');
      if (follow !== '1' && follow !== 'true') {
        const log = await jobs.readLog(id);
        return reply.send(tail === undefined ? log : lastLines(log, tail));
      }
      await jobs.getRun(id);
      const abort = new AbortController();
      request.raw.once('close', () => abort.abort());
      reply.header('x-content-type-options', 'nosniff');
      const source = jobs.followLog(id, AbortSignal.any([abort.signal, closing.signal]));
      const { Readable } = await import('node:stream');
      return reply.send(Readable.from(tailFirst(source, tail)));
    },
  );
}

/** Jobs read from the store per call for one page: at 100,000 jobs a call for 1,000 took ~24 ms. */
const STORE_PAGE = 100;

/**
 * A page of up to 1,000 jobs, read STORE_PAGE at a time with the event loop free between two
 * reads (SQLite's calls hold the loop for as long as they run), each read after the last one.
 */
async function readPage(jobs: JobsService, page: JobsPage): Promise<JobState[]> {
  const out: JobState[] = [];
  let after = page.after;
  while (out.length < page.limit) {
    const want = Math.min(STORE_PAGE, page.limit - out.length);
    const part = await jobs.listJobs({
      ...page,
      limit: want,
      ...(after === undefined ? {} : { after }),
    });
    out.push(...part);
    if (part.length < want) break;
    after = part.at(-1)!.job.id;
    if (out.length < page.limit) await setImmediate();
  }
  return out;
}

/** Job names for runs, to show beside their ids; a job deleted meanwhile leaves its runs without one. */
function jobNames(jobs: JobsService, runs: readonly Run[]): Promise<Map<string, string>> {
  return jobs.jobNames([...new Set(runs.map((r) => r.jobId))]);
}

/** The last `n` lines of a log (a final newline does not start an empty line). */
export function lastLines(log: Buffer, n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  let end = log.length;
  if (end > 0 && log[end - 1] === 0x0a) end -= 1;
  let start = end;
  for (let seen = 0; start > 0;) {
    if (log[start - 1] === 0x0a && ++seen === n) break;
    start -= 1;
  }
  return log.subarray(start);
}

/** Applies ?tail to the first piece a follower gets (the log so far), then passes the rest. */
async function* tailFirst(
  source: AsyncGenerator<Buffer>,
  tail: number | undefined,
): AsyncGenerator<Buffer> {
  let first = true;
  for await (const piece of source) {
    yield first && tail !== undefined ? lastLines(piece, tail) : piece;
    first = false;
  }
}
