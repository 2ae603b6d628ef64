import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJobsEvents } from '../../jobs/events.ts';
import type { Run } from '../../model/runs.ts';
import { createEventFeed } from './event-feed.ts';

const run = (id: string, jobId: string, state: Run['state']): Run => ({
  id,
  jobId,
  state,
  trigger: 'manual',
  attempt: 1,
  scheduledFor: 0,
  runAt: 0,
  createdAt: 0,
  logBytes: 0,
  logTruncated: false,
});

function setUp(lookup: (jobId: string) => Promise<string | undefined>) {
  const events = createJobsEvents((err) => {
    throw err;
  });
  const lookups: string[] = [];
  const feed = createEventFeed(events, (jobId) => {
    lookups.push(jobId);
    return lookup(jobId);
  });
  const seen: { type: string; body: { run?: { id: string; jobName: string | null } } }[] = [];
  feed.subscribe((type, json) => seen.push({ type, body: JSON.parse(json) }));
  return { events, seen, lookups };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createEventFeed', () => {
  it('names run events by their job, from job events without a lookup', async () => {
    const { events, seen, lookups } = setUp(() => Promise.resolve('never'));
    events.publish({ type: 'job', action: 'created', job: { id: 'j1', name: 'backup' } });
    events.publish({ type: 'run', run: run('r1', 'j1', 'queued') });
    assert.equal(seen.length, 2, 'a known name is delivered at once');
    assert.equal(seen[1]?.body.run?.jobName, 'backup');
    events.publish({ type: 'job', action: 'updated', job: { id: 'j1', name: 'nightly' } });
    events.publish({ type: 'run', run: run('r2', 'j1', 'running') });
    assert.equal(seen[3]?.body.run?.jobName, 'nightly');
    assert.deepEqual(lookups, []);
  });

  it('looks an unknown job up once and keeps the order of later events', async () => {
    let release!: (name: string) => void;
    const { events, seen, lookups } = setUp(
      () => new Promise<string>((resolve) => (release = resolve)),
    );
    events.publish({ type: 'run', run: run('r1', 'j9', 'queued') });
    events.publish({ type: 'job', action: 'created', job: { id: 'j2', name: 'other' } });
    events.publish({ type: 'run', run: run('r2', 'j9', 'running') });
    await settle();
    assert.equal(seen.length, 0, 'nothing overtakes the event waiting for its name');
    release('report');
    await settle();
    assert.deepEqual(
      seen.map((e) => `${e.type}:${e.body.run?.id ?? ''}:${e.body.run?.jobName ?? ''}`),
      ['run:r1:report', 'job::', 'run:r2:report'],
    );
    assert.deepEqual(lookups, ['j9']);
  });

  it('sends null for a job that is gone and goes on after a failed lookup', async () => {
    const { events, seen } = setUp((jobId) =>
      jobId === 'gone' ? Promise.reject(new Error('not found')) : Promise.resolve(undefined),
    );
    events.publish({ type: 'run', run: run('r1', 'gone', 'lost') });
    events.publish({ type: 'run', run: run('r2', 'j3', 'queued') });
    await settle();
    assert.deepEqual(
      seen.map((e) => e.body.run?.jobName),
      [null, null],
    );
  });
});
