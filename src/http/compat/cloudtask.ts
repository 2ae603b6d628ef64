// Cloudtask's agent API (specs/cloudtask.md) on /cloudtask/v2: _ping, the jobs this node holds, and
// start/stop actions. A translation onto the jobs core; errors in Cloudtask's {content, error} style.
import { createHash } from 'node:crypto';
import os from 'node:os';
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { Config } from '../../config.ts';
import { AgentError } from '../../errors.ts';
import { MASK, SECRET_NAME } from '../../jobs/job-spec.ts';
import type { JobState, JobsService } from '../../jobs/jobs-service.ts';
import type { Job } from '../../model/jobs.ts';
import type { Schedule } from '../../model/schedules.ts';
import { pad } from '../../units/display.ts';
import { maskUrl } from '../../mask-url.ts';
import type { Store } from '../../store/store.ts';
import { sendJsonPages } from '../json-stream.ts';
import { int, notEnforced, obj, ref, str, type JsonSchema } from '../route-schema.ts';

export interface CloudtaskDeps {
  jobs: JobsService;
  store: Store;
  config: Config;
  nodeId: string;
  version: string;
  startedAt: number;
  /** host:port the agent listens on. */
  apiAddress: () => string;
}

const ERROR = ref('CloudtaskError');
/** A Cloudtask route's schema: its shapes are Cloudtask's (specs/cloudtask.md). */
const doc = (summary: string, answer: JsonSchema, more: FastifySchema = {}, status = 200) => ({
  summary,
  tags: ['cloudtask'],
  ...more,
  responses: { [status]: answer, 400: ERROR, 401: ERROR, 404: ERROR },
});

const jobBaseSchema = obj({
  jobid: str,
  jobname: str,
  filename: { type: 'string', description: '<name>.tar.gz, or "" without a package' },
  filecode: { type: 'string', description: 'the package\'s sha256; md5("") without one' },
  cmd: str,
  env: { type: 'array', items: str, description: 'NAME=value; secrets masked' },
  timeout: int,
  version: int,
  schedule: {
    type: 'array',
    description:
      'Cloudtask schedules verbatim, and `every` ones as turnmode 1; others are left out',
    items: { type: 'object' },
  },
});
const answer = (data: JsonSchema) =>
  obj({ content: { const: 'request successed.' }, data: obj({ jobbase: data }) });

const PING = obj({
  app: str,
  key: { type: 'string', description: 'this node id' },
  node: { type: 'object', description: 'type, hostname, location, os, apiaddr, pid, attach…' },
  systemconfig: { type: 'object', description: "Cloudtask's agent settings, as bosun has them" },
  cache: obj({ allocversion: int, jobstotal: int }),
});

/** The action's body is read by the handler, in Cloudtask's words: documented, not enforced. */
const ACTION_BODY = notEnforced(
  obj({ runtime: str, jobid: str, action: { enum: ['start', 'stop'] } }, ['runtime']),
);

/** Cloudtask's runtime (location) name; bosun has one per cluster. */
const RUNTIME = 'default';
/** Jobs per page of GET /jobs, which Cloudtask answers whole (docs/performance.md "Scale"). */
const WHOLE_LIST_PAGE = 50;
/** md5(""): Cloudtask's filecode of a job without a package. */
const NO_PACKAGE = createHash('md5').update('').digest('hex');

const mmddyyyy = (ms: number): string => {
  const d = new Date(ms);
  return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${d.getFullYear()}`;
};

/**
 * A bosun schedule in Cloudtask's shape: Cloudtask schedules verbatim, `every` as turnmode 1 (every N
 * seconds, all day). Cron and one-shot schedules have no Cloudtask form and are left out.
 */
function cloudtaskSchedule(s: Schedule): Record<string, unknown> | undefined {
  const { spec } = s;
  if (spec.kind === 'cloudtask') {
    const { kind: _k, tz: _tz, enabled, ...fields } = spec;
    return { id: s.id, enabled: enabled ? 1 : 0, ...fields };
  }
  if (spec.kind === 'every') {
    return {
      id: s.id,
      enabled: spec.enabled ? 1 : 0,
      turnmode: 1,
      interval: spec.everySec,
      startdate: mmddyyyy(s.anchorAt),
      enddate: '',
      starttime: '00:00',
      endtime: '23:59',
      selectat: '',
      monthlyof: { day: 0, week: '' },
    };
  }
  return undefined;
}

function jobBase(job: Job): Record<string, unknown> {
  return {
    jobid: job.id,
    jobname: job.name,
    filename: job.package === undefined ? '' : `${job.name}.tar.gz`,
    // bosun's decision: the hash of the package's bytes, so a re-upload is never mistaken for the old one.
    filecode: job.package?.sha256 ?? NO_PACKAGE,
    cmd: job.cmd,
    env: Object.entries(job.env).map(([k, v]) => `${k}=${SECRET_NAME.test(k) ? MASK : v}`),
    timeout: job.timeoutSec,
    version: job.version,
    schedule: job.schedules.flatMap((s) => cloudtaskSchedule(s) ?? []),
  };
}

export async function registerCloudtaskRoutes(
  app: FastifyInstance,
  deps: CloudtaskDeps,
): Promise<void> {
  const { jobs } = deps;
  await app.register(
    async (scope) => {
      // Errors take Cloudtask's {content, error} shape (cloudtask-errors.ts): app.ts registers these
      // routes as the Cloudtask surface (surfaces.ts).
      scope.get('/_ping', { schema: doc('Cloudtask: node config and status', PING) }, async () => {
        // Both figures are kept by the store, never counted: _ping costs the same at any size.
        const [generation, totals] = await Promise.all([
          deps.store.jobsGeneration(),
          jobs.jobTotals(),
        ]);
        const nowSec = Math.floor(Date.now() / 1000);
        const apiaddr = deps.apiAddress();
        return {
          app: createHash('md5').update(`bosun ${deps.version}`).digest('hex'),
          key: deps.nodeId,
          node: {
            type: 1,
            hostname: os.hostname(),
            datacenter: '',
            location: RUNTIME,
            os: os.type().toLowerCase(),
            platform: os.arch(),
            ipaddr: apiaddr.replace(/:\d+$/, ''),
            apiaddr,
            pid: process.pid,
            singin: true,
            timestamp: Math.floor(deps.startedAt / 1000),
            alivestamp: nowSec,
            attach: Buffer.from(JSON.stringify({ jobmaxcount: deps.config.slots })).toString(
              'base64',
            ),
          },
          systemconfig: {
            version: deps.version,
            pidfile: '',
            retrystartup: true,
            useserverconfig: false,
            centerhost: '',
            websitehost: '',
            cluster: {
              hosts: maskUrl(deps.config.store),
              root: '/cloudtask',
              device: '',
              runtime: RUNTIME,
              os: os.type().toLowerCase(),
              platform: os.arch(),
              pulse: `${Math.round(deps.config.heartbeatMs / 1000)}s`,
              threshold: 1,
            },
            api: { hosts: [apiaddr], enablecors: false },
            cache: {
              maxjobs: deps.config.slots,
              savedirectory: `${deps.config.dataDir}/packages`,
              autoclean: true,
              cleaninterval: '30m',
              pullrecovery: '300s',
            },
            logger: { logfile: '', loglevel: deps.config.logLevel, logsize: 0 },
          },
          cache: { allocversion: generation, jobstotal: totals.command + totals.pipeline },
        };
      });

      scope.get(
        '/jobs',
        {
          schema: doc(
            'Cloudtask: every job this node holds, as JobBase',
            answer({ type: 'array', items: jobBaseSchema }),
          ),
        },
        // Cloudtask has no paging here: every job, written a page at a time (json-stream.ts).
        async (_request, reply) =>
          sendJsonPages(
            reply,
            '{"content":"request successed.","data":{"jobbase":[',
            // JobBase has no run in it; pages of 50 keep each step of the answer (a store call,
            // then rendering the page) a few ms long at any number of jobs.
            jobs.eachJobPage({}, { lastRuns: false, pageSize: WHOLE_LIST_PAGE }),
            (s: JobState) => jobBase(s.job),
            ']}}',
          ),
      );

      scope.get<{ Params: { jobid: string } }>(
        '/jobs/:jobid',
        {
          schema: doc('Cloudtask: one job as JobBase', answer(jobBaseSchema), {
            params: { type: 'object', properties: { jobid: { type: 'string' } } },
          }),
        },
        async (request) => ({
          content: 'request successed.',
          data: { jobbase: jobBase((await jobs.getJob(request.params.jobid)).job) },
        }),
      );

      scope.put<{ Body: unknown }>(
        '/jobs/action',
        {
          schema: doc(
            'Cloudtask: start or stop a job',
            obj({ content: { const: 'request accepted.' } }),
            { body: ACTION_BODY },
            202,
          ),
        },
        async (request, reply) => {
          const body = request.body as Record<string, unknown> | null;
          if (body === null || typeof body !== 'object' || Array.isArray(body)) {
            throw new AgentError(
              'INVALID_INPUT',
              'the body must be a JSON object {runtime, jobid, action}',
            );
          }
          const { jobid, action } = body;
          if (typeof jobid !== 'string' || jobid === '') {
            throw new AgentError(
              'INVALID_INPUT',
              'jobid is required: the id of the job to start or stop',
            );
          }
          if (action !== 'start' && action !== 'stop') {
            throw new AgentError(
              'INVALID_INPUT',
              `action must be "start" or "stop", got ${JSON.stringify(action)}`,
            );
          }
          if (action === 'start') {
            try {
              await jobs.runNow(jobid);
            } catch (err) {
              // As Cloudtask: a start while the job runs (and may not overlap) is accepted and ignored.
              if (!(err instanceof AgentError && err.code === 'CONFLICT')) throw err;
            }
          } else {
            // Cloudtask's stop: SIGINT, 5 s, SIGKILL, here on each run's whole process group.
            await jobs.stopJob(jobid, { signal: 'SIGINT', graceMs: 5000 });
          }
          return reply.code(202).send({ content: 'request accepted.' });
        },
      );
    },
    { prefix: '/cloudtask/v2' },
  );
}
