import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJobsEvents, untilRun } from './events.ts';
import type { Run } from '../model/runs.ts';

const run = (id: string, state: Run['state']): Run =>
  ({ id, jobId: '1', state, attempt: 1, trigger: 'manual', createdAt: 0 }) as Run;

describe('untilRun', () => {
  it('answers at once when the run already is as wanted, and stops listening', async () => {
    const events = createJobsEvents(() => {});
    const got = await untilRun(events, '7', async () => run('7', 'running'), isStarted, 10_000);
    assert.equal(got?.state, 'running');
    assert.equal(events.listenerCount, 0);
  });

  it("hears the run's change, and only that run's", { timeout: 10_000 }, async (t) => {
    // setTimeout is mocked and its clock never moves: untilRun's time is never up, so an answer
    // can only come from the event (waiting for the timer would fail on the test's own timeout).
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const events = createJobsEvents(() => {});
    let reads = 0;
    const read = async () => ((reads += 1), run('7', 'queued'));
    const waiting = untilRun(events, '7', read, isStarted, 10_000);
    await new Promise((resolve) => setImmediate(resolve));
    events.publish({ type: 'run', run: run('8', 'running') });
    events.publish({ type: 'run', run: run('7', 'queued') });
    events.publish({ type: 'run', run: run('7', 'running') });
    assert.equal((await waiting)?.state, 'running');
    assert.equal(reads, 1, 'answered on the event, not by the read when the time is up');
    assert.equal(events.listenerCount, 0);
  });

  it('hears a change made while the store was being read', async () => {
    const events = createJobsEvents(() => {});
    const got = await untilRun(
      events,
      '7',
      async () => {
        events.publish({ type: 'run', run: run('7', 'running') });
        return run('7', 'queued');
      },
      isStarted,
      10_000,
    );
    assert.equal(got?.state, 'running');
  });

  it('reads the run once more when the time is up, and answers undefined if it is still not so', async () => {
    const events = createJobsEvents(() => {});
    let reads = 0;
    const read = async () => run('7', (reads += 1) === 1 ? 'queued' : 'running');
    assert.equal((await untilRun(events, '7', read, isStarted, 20))?.state, 'running');
    assert.equal(reads, 2, 'the state another node wrote is read at the end');
    const never = await untilRun(events, '7', async () => run('7', 'queued'), isStarted, 20);
    assert.equal(never, undefined);
    assert.equal(events.listenerCount, 0);
  });

  it('passes on a failed read', async () => {
    const events = createJobsEvents(() => {});
    const gone = async (): Promise<Run> => {
      throw new Error('run 7 does not exist');
    };
    await assert.rejects(untilRun(events, '7', gone, isStarted, 10_000), /does not exist/);
    assert.equal(events.listenerCount, 0);
  });
});

function isStarted(r: Run): boolean {
  return r.state !== 'queued';
}
