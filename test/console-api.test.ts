// The Arthas console API (POST /api) against a real agent: every action, state and message of
// specs/arthas.md, checked against the spec's own JSON examples, plus bosun's decisions (§7).
// Requests go in-process (inject) to the Fastify route; auth, read-only and shutdown go over the
// wire, where POST /api is the fast lane's (src/http/fast-lane.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

type Reply = Record<string, any>;
type Item = Record<string, any>;

let agent: InProcessAgent;
let api: ReturnType<typeof injectClient>;
before(async () => {
  agent = await startInProcessAgent({
    'console-pull-wait': '400ms',
    'console-buffer': '30',
  });
  api = injectClient(agent);
});
after(async () => {
  await agent?.stop();
});

const post = async (body: unknown): Promise<Reply> => {
  const res = await api('POST', '/api', body);
  assert.equal(res.status, 200, 'the console API answers 200 with a state');
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(typeof res.body, 'object', 'a JSON body');
  return res.body as Reply;
};

const initSession = async () => {
  const reply = await post({ action: 'init_session' });
  return { sessionId: reply.sessionId as string, consumerId: reply.consumerId as string };
};

/** Pulls until an item matches (or the pulls run dry), returning everything pulled. */
const pullUntil = async (
  sessionId: string,
  consumerId: string,
  done: (item: Item) => boolean,
  maxPulls = 30,
): Promise<Item[]> => {
  const items: Item[] = [];
  for (let i = 0; i < maxPulls; i++) {
    const reply = await post({ action: 'pull_results', sessionId, consumerId });
    assert.equal(reply.state, 'SUCCEEDED', JSON.stringify(reply));
    items.push(...reply.body.results);
    if (items.some(done)) return items;
  }
  assert.fail(`never saw the expected item; got ${JSON.stringify(items).slice(0, 500)}`);
};

const types = (items: Item[]) =>
  items.map((i) => (i.type === 'input_status' ? `input_status:${i.inputStatus}` : i.type));

describe('POST /api: one-time exec', () => {
  it('answers the spec example {"action":"exec","command":"version"} in its shape', async () => {
    const reply = await post({ action: 'exec', command: 'version' });
    assert.deepEqual(Object.keys(reply).sort(), ['body', 'sessionId', 'state']);
    assert.equal(reply.state, 'SUCCEEDED');
    assert.match(reply.sessionId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(reply.body), [
      'command',
      'jobId',
      'jobStatus',
      'results',
      'timeExpired',
    ]);
    const { results, jobId } = reply.body;
    assert.equal(reply.body.command, 'version');
    assert.equal(reply.body.jobStatus, 'TERMINATED');
    assert.equal(reply.body.timeExpired, false);
    assert.ok(Number.isInteger(jobId) && jobId > 0);
    assert.deepEqual(results[0], { type: 'version', version: '0.0.0-test', jobId });
    assert.deepEqual(results.at(-1), { type: 'status', statusCode: 0, jobId });
  });

  it('numbers jobs from one agent-wide counter and removes the one-time session', async () => {
    const a = await post({ action: 'exec', command: 'version' });
    const b = await post({ action: 'exec', command: 'echo hi' });
    assert.ok(b.body.jobId > a.body.jobId);
    const info = await post({ action: 'session_info', sessionId: a.sessionId });
    assert.deepEqual(info, { state: 'FAILED', message: `session not found: ${a.sessionId}` });
  });

  it('ends with INTERRUPTED, timeExpired and the partial results when execTimeout runs out', async () => {
    const reply = await post({ action: 'exec', command: 'dashboard -i 100', execTimeout: '350' });
    assert.equal(reply.state, 'INTERRUPTED');
    assert.equal(reply.message, 'The job is exceeded time limit, force interrupt');
    assert.equal(reply.body.timeExpired, true);
    assert.equal(reply.body.timeout, 350);
    assert.equal(reply.body.jobStatus, 'TERMINATED');
    const results: Item[] = reply.body.results;
    assert.ok(
      results.some((r) => r.type === 'dashboard'),
      'partial results kept',
    );
    assert.deepEqual(results.at(-1), {
      type: 'status',
      statusCode: -10,
      message: 'The job is exceeded time limit, force interrupt',
      jobId: reply.body.jobId,
    });
  });

  it('fails an unknown command as Arthas does, and reports bad arguments as a status item', async () => {
    const unknown = await post({ action: 'exec', command: 'nope' });
    assert.deepEqual(unknown, {
      state: 'FAILED',
      message: 'Exec command failed:nope: command not found',
      body: { command: 'nope' },
    });

    const bad = await post({ action: 'exec', command: 'dashboard -i x' });
    const badStatus = bad.body.results.at(-1);
    assert.equal(badStatus.statusCode, -10);
    assert.match(badStatus.message, /-i/);
  });

  it('pipes a command through grep and wc', async () => {
    const reply = await post({
      action: 'exec',
      command: 'echo "alpha\nbeta\nalpine" | grep al | wc -l',
    });
    const texts = reply.body.results
      .filter((r: Item) => r.type === 'text')
      .map((r: Item) => r.text);
    assert.deepEqual(texts, ['2']);
  });

  it("treats '' fields as absent, as Arthas's own web UI sends them", async () => {
    const reply = await post({
      action: 'exec',
      command: 'version',
      sessionId: '',
      consumerId: '',
      requestId: '',
    });
    assert.equal(reply.state, 'SUCCEEDED');
    assert.equal(reply.requestId, undefined);
  });
});

describe('POST /api: sessions and consumers', () => {
  it('welcomes a new session, and replays the history to a joining consumer', async () => {
    const { sessionId, consumerId } = await initSession();
    assert.match(consumerId, /^[0-9a-f]{32}_1$/);
    assert.equal(consumerId.split('_')[0], sessionId.replaceAll('-', ''));
    const first = await pullUntil(sessionId, consumerId, (i) => i.type === 'input_status');
    assert.deepEqual(types(first), ['message', 'welcome', 'input_status:ALLOW_INPUT']);
    assert.equal(first[0]?.jobId, 0);
    assert.equal(first[1]?.pid, String(process.pid));
    assert.match(first[1]?.time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(first[1]?.version, '0.0.0-test');

    const joined = await post({ action: 'join_session', sessionId });
    assert.deepEqual(Object.keys(joined).sort(), ['consumerId', 'sessionId', 'state']);
    assert.match(joined.consumerId, /_2$/);
    const replay = await pullUntil(
      sessionId,
      joined.consumerId,
      (i) => i.inputStatus === 'ALLOW_INPUT',
    );
    assert.deepEqual(types(replay), [
      'input_status:DISABLED',
      'message',
      'welcome',
      'input_status:ALLOW_INPUT',
    ]);
    await post({ action: 'close_session', sessionId });
  });

  it('streams an async job to every consumer in the spec order, and refuses a second job', async () => {
    const { sessionId, consumerId } = await initSession();
    const second = (await post({ action: 'join_session', sessionId })).consumerId as string;
    await pullUntil(sessionId, consumerId, (i) => i.inputStatus === 'ALLOW_INPUT');
    await pullUntil(sessionId, second, (i) => i.inputStatus === 'ALLOW_INPUT');

    const scheduled = await post({ action: 'async_exec', sessionId, command: 'echo one' });
    assert.deepEqual(scheduled, {
      state: 'SCHEDULED',
      sessionId,
      body: { command: 'echo one', jobId: scheduled.body.jobId, jobStatus: 'READY' },
    });
    const jobId = scheduled.body.jobId;
    for (const consumer of [consumerId, second]) {
      const items = await pullUntil(sessionId, consumer, (i) => i.inputStatus === 'ALLOW_INPUT');
      assert.deepEqual(types(items), [
        'command',
        'input_status:ALLOW_INTERRUPT',
        'echo',
        'status',
        'input_status:ALLOW_INPUT',
      ]);
      assert.deepEqual(items[0], {
        type: 'command',
        jobId,
        state: 'SCHEDULED',
        command: 'echo one',
      });
      assert.equal(items[1]?.jobId, 0);
      assert.deepEqual(items[3], { type: 'status', statusCode: 0, jobId });
    }

    await post({ action: 'async_exec', sessionId, command: 'dashboard -i 200' });
    const refused = await post({ action: 'async_exec', sessionId, command: 'version' });
    assert.deepEqual(refused, {
      state: 'REFUSED',
      message: 'Another job is running.',
      sessionId,
      body: { command: 'version' },
    });
    const refusedExec = await post({ action: 'exec', sessionId, command: 'version' });
    assert.equal(refusedExec.state, 'REFUSED');
    // Arthas refuses a busy session before it looks the command up.
    const refusedUnknown = await post({ action: 'async_exec', sessionId, command: 'nope' });
    assert.equal(refusedUnknown.message, 'Another job is running.');

    const interrupted = await post({ action: 'interrupt_job', sessionId });
    assert.equal(interrupted.state, 'SUCCEEDED');
    assert.equal(interrupted.body.jobStatus, 'TERMINATED');
    assert.equal(interrupted.sessionId, undefined);
    const tail = await pullUntil(sessionId, consumerId, (i) => i.inputStatus === 'ALLOW_INPUT');
    const status = tail.find((i) => i.type === 'status');
    assert.equal(status?.statusCode, 0, 'an interrupt ends a job with status 0');

    assert.deepEqual(await post({ action: 'interrupt_job', sessionId }), {
      state: 'FAILED',
      message: 'no foreground job is running',
    });
    assert.deepEqual(await post({ action: 'close_session', sessionId }), { state: 'SUCCEEDED' });
  });

  it('runs `cmd &` in the background and lists, kills and moves jobs with jobs, kill, fg and bg', async () => {
    const { sessionId, consumerId } = await initSession();
    const bg = await post({ action: 'async_exec', sessionId, command: 'dashboard -i 300 &' });
    assert.equal(bg.state, 'SCHEDULED');
    const bgId = bg.body.jobId;
    // The foreground is free: another command runs at once.
    const listed = await post({ action: 'exec', sessionId, command: 'jobs' });
    assert.equal(listed.state, 'SUCCEEDED');
    assert.match(JSON.stringify(listed.body.results), new RegExp(`dashboard -i 300`));

    const fg = await post({ action: 'exec', sessionId, command: `fg ${bgId}` });
    assert.equal(fg.body.results.at(-1).statusCode, 0, JSON.stringify(fg.body.results));
    assert.equal(
      (await post({ action: 'async_exec', sessionId, command: 'version' })).state,
      'REFUSED',
    );
    // Builtins still run while a job holds the foreground.
    const back = await post({ action: 'exec', sessionId, command: `bg ${bgId}` });
    assert.equal(back.body.results.at(-1).statusCode, 0, JSON.stringify(back.body.results));
    const killed = await post({ action: 'exec', sessionId, command: `kill ${bgId}` });
    assert.equal(killed.body.results.at(-1).statusCode, 0, JSON.stringify(killed.body.results));
    const items = await pullUntil(
      sessionId,
      consumerId,
      (i) => i.type === 'status' && i.jobId === bgId,
    );
    assert.ok(
      items.some((i) => i.type === 'dashboard' && i.jobId === bgId),
      'background results reach the stream',
    );
    const after = await post({ action: 'exec', sessionId, command: 'jobs' });
    assert.doesNotMatch(JSON.stringify(after.body.results), /dashboard -i 300/);
    await post({ action: 'close_session', sessionId });
  });

  it('interrupts a job by id', async () => {
    const { sessionId } = await initSession();
    const { body } = await post({ action: 'async_exec', sessionId, command: 'dashboard -i 200 &' });
    const reply = await post({ action: 'interrupt_job', sessionId, jobId: body.jobId });
    assert.deepEqual(reply, {
      state: 'SUCCEEDED',
      body: { jobId: body.jobId, jobStatus: 'TERMINATED' },
    });
    assert.deepEqual(await post({ action: 'interrupt_job', sessionId, jobId: 999_999 }), {
      state: 'FAILED',
      message: 'no running job 999999 in this session',
    });
    await post({ action: 'close_session', sessionId });
  });

  it('tells a consumer that fell behind how many items it lost', async () => {
    const { sessionId, consumerId } = await initSession();
    // 40 items into a 30-item buffer, nobody pulling until the job is over.
    await post({ action: 'async_exec', sessionId, command: 'dashboard -i 100 -n 40 &' });
    const running = async () => {
      const { sessions } = (await api('GET', '/api/v1/sessions')).body as { sessions: Item[] };
      return sessions.find((s) => s.sessionId === sessionId)?.jobs > 0;
    };
    while (await running()) await new Promise((resolve) => setTimeout(resolve, 100));
    const items = await pullUntil(sessionId, consumerId, (i) => i.type === 'status');
    const notice = items[0];
    assert.equal(notice?.type, 'message');
    assert.ok(notice?.dropped > 0, JSON.stringify(notice));
    assert.match(notice?.message, /dropped: this consumer fell behind/);
    // Welcome, banner and input status, 40 dashboards and the status: 44 items, every one accounted for.
    assert.equal(notice?.dropped + items.length - 1, 44);
    assert.equal(items.filter((i) => i.type === 'dashboard').length, 40 - (notice?.dropped - 3));
    await post({ action: 'close_session', sessionId });
  });

  it('answers a second pull in flight on one consumer with []', async () => {
    const { sessionId, consumerId } = await initSession();
    await pullUntil(sessionId, consumerId, (i) => i.inputStatus === 'ALLOW_INPUT');
    const first = post({ action: 'pull_results', sessionId, consumerId });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await post({ action: 'pull_results', sessionId, consumerId });
    assert.deepEqual(second.body.results, []);
    assert.equal((await first).state, 'SUCCEEDED');
    await post({ action: 'close_session', sessionId });
  });

  it('wakes a blocked pull when the session closes', async () => {
    const { sessionId, consumerId } = await initSession();
    await pullUntil(sessionId, consumerId, (i) => i.inputStatus === 'ALLOW_INPUT');
    await post({ action: 'async_exec', sessionId, command: 'dashboard -i 60000' });
    await pullUntil(sessionId, consumerId, (i) => i.type === 'dashboard');
    const blocked = post({ action: 'pull_results', sessionId, consumerId });
    assert.deepEqual(await post({ action: 'close_session', sessionId }), { state: 'SUCCEEDED' });
    assert.equal((await blocked).state, 'SUCCEEDED');
    assert.equal(
      (await post({ action: 'pull_results', sessionId, consumerId })).message,
      `session not found: ${sessionId}`,
    );
  });

  it('shows the live sessions on GET /api/v1/sessions', async () => {
    const { sessionId } = await initSession();
    await post({ action: 'async_exec', sessionId, command: 'dashboard -i 500' });
    const { sessions } = (await api('GET', '/api/v1/sessions')).body as { sessions: Item[] };
    const mine = sessions.find((s) => s.sessionId === sessionId);
    assert.ok(mine);
    assert.equal(mine.consumers.length, 1);
    assert.equal(mine.foregroundJob.command, 'dashboard -i 500');
    await post({ action: 'close_session', sessionId });
  });
});

describe('console dumps', () => {
  it('writes a heap snapshot and a CPU profile that download from the native API', async () => {
    const heap = await post({ action: 'exec', command: 'heapdump', execTimeout: 120_000 });
    const item = heap.body.results.find((r: Item) => r.type === 'heapdump');
    assert.ok(item, JSON.stringify(heap));
    assert.match(item.url, /^\/api\/v1\/dumps\/[\w.-]+\.heapsnapshot$/);
    const file = await api('GET', item.url);
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-disposition') ?? '', /attachment/);
    const snapshot = JSON.parse(file.body) as { snapshot?: unknown };
    assert.ok(snapshot.snapshot, 'a V8 heap snapshot');

    const { sessionId } = await initSession();
    await post({ action: 'exec', sessionId, command: 'profiler start' });
    const stopped = await post({ action: 'exec', sessionId, command: 'profiler stop' });
    const profile = stopped.body.results.find((r: Item) => typeof r.url === 'string');
    assert.ok(profile, JSON.stringify(stopped));
    const cpu = JSON.parse((await api('GET', profile.url)).body) as { nodes?: unknown[] };
    assert.ok(Array.isArray(cpu.nodes), 'a .cpuprofile');
    await post({ action: 'close_session', sessionId });

    const list = (await api('GET', '/api/v1/dumps')).body as { dumps: Item[] };
    assert.equal(list.dumps.length, 2);
    for (const bad of ['..%2Fbosun.db', '.hidden', 'nope.heapsnapshot']) {
      const res = await api('GET', `/api/v1/dumps/${bad}`);
      assert.equal(res.status, 404, bad);
      assert.match((res.body as Reply).error.message, /GET \/api\/v1\/dumps lists them/);
    }
  });
});

describe('POST /api: bad input', () => {
  it("answers Arthas's exact messages", async () => {
    const cases: Array<[unknown, Reply]> = [
      [
        '',
        {
          state: 'FAILED',
          message: 'Process request error: parse request failed: request body is empty',
        },
      ],
      [{}, { state: 'FAILED', message: "'action' is required" }],
      [
        { action: 'foo', requestId: 'r1' },
        { state: 'FAILED', message: 'unknown action: foo', requestId: 'r1' },
      ],
      [{ action: 'pull_results' }, { state: 'FAILED', message: "'sessionId' is required" }],
      [
        { action: 'join_session', sessionId: 'nope' },
        { state: 'FAILED', message: 'session not found: nope' },
      ],
      [{ action: 'exec' }, { state: 'FAILED', message: "'command' is required" }],
      [
        { action: 'exec', command: '   ' },
        { state: 'FAILED', message: "'command' is required" },
      ],
    ];
    for (const [body, expected] of cases) {
      assert.deepEqual(await post(body), expected, JSON.stringify(body));
    }
    const bad = await post('{bad');
    assert.equal(bad.state, 'FAILED');
    assert.match(bad.message, /^Process request error: parse request failed: /);
    assert.equal(bad.requestId, undefined);
    assert.match((await post('[1]')).message, /must be a JSON object/);
  });

  it('upper-cases and trims the action, and echoes requestId', async () => {
    const reply = await post({ action: ' Exec ', command: 'version', requestId: 'abc' });
    assert.equal(reply.state, 'SUCCEEDED');
    assert.equal(reply.requestId, 'abc');
  });

  it('answers a body over 256 KiB in its own shape, and takes any content type', async () => {
    const huge = await post({
      action: 'exec',
      command: 'version',
      pad: 'x'.repeat(257 * 1024),
    });
    assert.equal(huge.state, 'FAILED');
    assert.match(huge.message, /larger than this route accepts/);
    const res = await api(
      'POST',
      '/api',
      { action: 'exec', command: 'version' },
      { 'content-type': 'text/plain' },
    );
    assert.equal((res.body as Reply).state, 'SUCCEEDED');
  });

  it('refuses other methods with REFUSED', async () => {
    const res = await api('GET', '/api');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      state: 'REFUSED',
      message: 'Unsupported http method: GET',
    });
  });

  it('refuses OPTIONS as other methods, not with a 405 that says to use GET', async () => {
    const res = await api('OPTIONS', '/api');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(res.body, {
      state: 'REFUSED',
      message: 'Unsupported http method: OPTIONS',
    });
  });

  it('bounds execTimeout by what a timer can wait, stating the range', async () => {
    // Over 2^31−1 ms Node fires a timer at once: the exec would end as it starts.
    for (const execTimeout of [2 ** 31, '1e20']) {
      const reply = await post({ action: 'exec', command: 'version', execTimeout });
      assert.equal(reply.state, 'FAILED');
      assert.equal(
        reply.message,
        `'execTimeout' must be a whole number of milliseconds up to 2147483647 (about 24.8 days; 0 or less means the default), e.g. 10000; got ${JSON.stringify(execTimeout)}`,
      );
    }
    const longest = await post({ action: 'exec', command: 'version', execTimeout: 2 ** 31 - 1 });
    assert.equal(longest.state, 'SUCCEEDED');
    assert.equal(longest.body.timeExpired, false);
  });

  it('names a missing consumer, a bad execTimeout and a huge command line', async () => {
    const { sessionId } = await initSession();
    assert.deepEqual(await post({ action: 'pull_results', sessionId }), {
      state: 'FAILED',
      message: "'consumerId' is required",
    });
    assert.deepEqual(await post({ action: 'pull_results', sessionId, consumerId: 'x_9' }), {
      state: 'FAILED',
      message: 'consumer not found: x_9',
    });
    const timeout = await post({ action: 'exec', command: 'version', execTimeout: 'soon' });
    assert.equal(timeout.state, 'FAILED');
    assert.match(timeout.message, /'execTimeout' must be a whole number/);
    const huge = await post({ action: 'exec', sessionId, command: `echo ${'x'.repeat(70_000)}` });
    assert.equal(huge.state, 'FAILED');
    assert.match(huge.message, /^Exec command failed:command line too long/);
    // The session is not stuck afterwards.
    assert.equal(
      (await post({ action: 'exec', sessionId, command: 'version' })).state,
      'SUCCEEDED',
    );
    await post({ action: 'close_session', sessionId });
  });
});

// Over the wire: these are the fast lane's answers (a request the rules refuse falls through to
// Fastify, which answers it in Arthas's shape).
describe('POST /api: auth and read-only', () => {
  const TOKEN = 'console-token-12345';
  let secured: InProcessAgent;
  let readOnly: InProcessAgent;
  before(async () => {
    secured = await startInProcessAgent({ token: TOKEN });
    readOnly = await startInProcessAgent({ 'read-only': true });
  });
  after(async () => {
    await secured?.stop();
    await readOnly?.stop();
  });

  const call = (base: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ action: 'exec', command: 'version' }),
    });

  it('answers a missing token with 401, an empty body and a Basic challenge', async () => {
    const res = await call(secured.url, '/api');
    assert.equal(res.status, 401);
    assert.equal(await res.text(), '');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
  });

  it('accepts the token as Basic password with any user, as ?username=&password= and as Bearer', async () => {
    const basic = Buffer.from(`arthas:${TOKEN}`).toString('base64');
    for (const res of [
      await call(secured.url, '/api', { authorization: `Basic ${basic}` }),
      await call(secured.url, `/api?username=arthas&password=${TOKEN}`),
      await call(secured.url, '/api', { authorization: `Bearer ${TOKEN}` }),
    ]) {
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as Reply).state, 'SUCCEEDED');
    }
    assert.equal((await call(secured.url, '/api?username=arthas&password=wrong')).status, 401);
  });

  it('refuses exec actions on a read-only agent, and still serves sessions and pulls', async () => {
    const res = await call(readOnly.url, '/api');
    assert.equal(res.status, 200);
    const reply = (await res.json()) as Reply;
    assert.equal(reply.state, 'REFUSED');
    assert.match(reply.message, /read-only/);
    const init = await fetch(`${readOnly.url}/api`, {
      method: 'POST',
      body: JSON.stringify({ action: 'init_session' }),
    });
    const session = (await init.json()) as Reply;
    assert.equal(session.state, 'SUCCEEDED');
    const pull = await fetch(`${readOnly.url}/api`, {
      method: 'POST',
      body: JSON.stringify({ action: 'pull_results', ...session }),
    });
    assert.equal(((await pull.json()) as Reply).state, 'SUCCEEDED');
  });
});

describe('POST /api: agent shutdown', () => {
  it('tells every session and returns blocked pulls', async () => {
    const own = await startInProcessAgent({ 'console-pull-wait': '30s' });
    const call = async (body: unknown) =>
      (await (
        await fetch(`${own.url}/api`, { method: 'POST', body: JSON.stringify(body) })
      ).json()) as Reply;
    const { sessionId, consumerId } = await call({ action: 'init_session' });
    await call({ action: 'pull_results', sessionId, consumerId });
    const blocked = call({ action: 'pull_results', sessionId, consumerId });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await own.stop();
    const reply = await blocked;
    assert.equal(reply.state, 'SUCCEEDED');
    assert.ok(
      reply.body.results.some((i: Item) => /going to shut down/.test(String(i.message))),
      JSON.stringify(reply),
    );
  });
});
