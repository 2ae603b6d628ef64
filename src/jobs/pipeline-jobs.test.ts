// Submitting and resuming pipeline jobs by a client's id, on a real SQLite store and runner without
// a scheduler: runs stay queued, so each rule is seen without an engine running.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createJobsCore } from '../../test/support/jobs-core.ts';
import { isAgentError } from '../errors.ts';
import type { JobState, JobsService } from './jobs-service.ts';
import { pipelineJobId } from '../pipeline/seatunnel-status.ts';
import { createPipelineJobs, type PipelineJobs } from './pipeline-jobs.ts';
import type { Runner } from './runner.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-pipeline-jobs-'));
let jobs: JobsService;
let runner: Runner;
let pipelines: PipelineJobs;
describe('pipeline-jobs', () => {
  before(async () => {
    ({ jobs, runner } = await createJobsCore(dir));
    pipelines = createPipelineJobs({ jobs, startWaitMs: 0 });
  });
  after(async () => {
    await runner.shutdown(0);
    rmSync(dir, { recursive: true, force: true });
  });

  const doc = () => ({
    env: { 'job.mode': 'BATCH', 'job.name': 'from-config' },
    source: [{ plugin_name: 'FakeSource', schema: { fields: { n: 'int' } } }],
    sink: [{ plugin_name: 'Console' }],
  });
  const invalid = (message: RegExp) => (err: unknown) =>
    isAgentError(err) && err.code === 'INVALID_INPUT' && message.test(err.message);

  describe('checking a submission', () => {
    it('names the job by the query, else its config, and stores the name in the config', () => {
      const named = pipelines.check({ readDoc: doc, jobName: 'from-query', resume: false });
      assert.equal(named.jobName, 'from-query');
      assert.equal(JSON.parse(named.config).env['job.name'], 'from-query');
      assert.equal(pipelines.check({ readDoc: doc, resume: false }).jobName, 'from-config');
    });

    it('checks the id before the config, and the config even when a name is given', () => {
      const never = () => assert.fail('the config is not read when the id is wrong');
      assert.throws(
        () => pipelines.check({ readDoc: never, resume: true }),
        invalid(/^Please provide jobId when start with save point\.$/),
      );
      assert.throws(
        () => pipelines.check({ readDoc: never, jobId: '12a', resume: false }),
        invalid(/jobId must be a number, not "12a"/),
      );
      assert.throws(
        () =>
          pipelines.check({ readDoc: () => ({ ...doc(), sink: [] }), jobName: 'x', resume: false }),
        invalid(/^Miss <Sink> config!/),
      );
    });
  });

  describe('submitting by id', () => {
    it('creates the job, keeps a running submission, refuses a second one, and resumes only from a savepoint', async () => {
      const first = await pipelines.submit(
        pipelines.check({ readDoc: doc, jobId: '42', resume: false }),
      );
      assert.equal(first.job.name, 'seatunnel-42');
      assert.equal(first.job.overlap, 'forbid');
      assert.equal(pipelineJobId(first.job), '42');
      assert.equal(first.run?.state, 'queued');
      assert.equal((await pipelines.find('42'))?.job.id, first.job.id);

      const again = await pipelines.submit(
        pipelines.check({ readDoc: doc, jobId: '42', resume: false }),
      );
      assert.equal(again.run?.id, first.run?.id, 'a job still going is left as it is');

      await jobs.stopJob(first.job.id);
      await assert.rejects(
        pipelines.submit(pipelines.check({ readDoc: doc, jobId: '42', resume: false })),
        invalid(/The job id 42 has already been submitted and is not starting with a savepoint\./),
      );
      await assert.rejects(
        pipelines.submit(pipelines.check({ readDoc: doc, jobId: '42', resume: true })),
        invalid(/has no savepoint to resume from/),
      );
      await assert.rejects(
        pipelines.submit(pipelines.check({ readDoc: doc, jobId: '43', resume: true })),
        invalid(/no job 43 to resume: submit it first/),
      );
    });

    it('knows a job submitted without an id by its bosun id', async () => {
      const { job } = await pipelines.submit(pipelines.check({ readDoc: doc, resume: false }));
      assert.match(job.name, /^seatunnel-job-[0-9a-f]{8}$/);
      assert.equal(pipelineJobId(job), job.id);
      assert.equal((await pipelines.find(job.id))?.job.name, job.name);
      assert.equal(await pipelines.find('999999'), undefined);
      // Listed as going or as finished (whichever its run is at), and counted once by status.
      const listed = [...(await ids(pipelines.running())), ...(await ids(pipelines.finished()))];
      assert.equal(listed.filter((id) => id === job.id).length, 1);
      const counts = await pipelines.countByStatus();
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      assert.equal(total, (await jobs.jobTotals()).pipeline);
    });
  });

  /** The ids of every pipeline job in a listing's pages, checking each is a pipeline. */
  async function ids(pages: AsyncGenerator<JobState[]>): Promise<string[]> {
    const out: string[] = [];
    for await (const page of pages) {
      for (const state of page) {
        assert.equal(state.job.kind, 'pipeline');
        out.push(state.job.id);
      }
    }
    return out;
  }
});
