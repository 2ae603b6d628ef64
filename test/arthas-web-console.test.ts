// Arthas's web console (alibaba/arthas web-ui/arthasWebConsole) against a real agent over POST /api:
// the request sequences its pages send, body for body (every request carries sessionId, consumerId
// and requestId, "" when unused), and every field each page reads, checked with the console's own
// success rule (perRequestMachine's cmdSucceeded). docs/clients/arthas-web-console.md lists them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

type Reply = Record<string, any>;
type Item = Record<string, any>;

let agent: InProcessAgent;
before(async () => {
  agent = await startInProcessAgent({ 'console-pull-wait': '300ms' });
});
after(async () => {
  await agent?.stop();
});

/** The console's request: its fetch store always sends the three ids, "" when a page leaves them out. */
const post = async (body: Record<string, unknown>): Promise<Reply> => {
  const res = await fetch(`${agent.url}/api`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sessionId: '', consumerId: '', requestId: '', ...body }),
  });
  // The console's requestData rejects anything but an ok response ("server error").
  assert.equal(res.status, 200);
  return (await res.json()) as Reply;
};

/**
 * perRequestMachine's cmdSucceeded: SCHEDULED or SUCCEEDED, no status item with a non-zero code, no
 * "unhealthy" message, an options change that took the typed value; without results, READY or
 * TERMINATED. Anything else opens the console's error dialog.
 */
const succeeds = (reply: Reply, command?: string): boolean => {
  if (!['SCHEDULED', 'SUCCEEDED'].includes(reply.state)) return false;
  if (reply.body === undefined) return true;
  if (reply.body.results === undefined) {
    return ['READY', 'TERMINATED'].includes(reply.body.jobStatus);
  }
  return (reply.body.results as Item[]).every((r) => {
    if (r.type === 'status' && r.statusCode !== 0) return false;
    if (
      r.type === 'message' &&
      r.message === 'all consumers are unhealthy, current job was interrupted.'
    ) {
      return false;
    }
    if (r.type === 'options' && r.changeResult !== undefined) {
      return String(r.changeResult.afterValue) === command?.split(' ')[2];
    }
    return true;
  });
};

/** `exec` as a page sends it; asserts the console would take it as a success; its results. */
const exec = async (command: string, sessionId = ''): Promise<Item[]> => {
  const reply = await post({ action: 'exec', command, sessionId });
  assert.ok(succeeds(reply, command), `${command}: ${JSON.stringify(reply).slice(0, 600)}`);
  return reply.body.results as Item[];
};

/** `exec` that the console shows as an error (its dialog shows the raw JSON): the status item. */
const execFails = async (command: string): Promise<Item> => {
  const reply = await post({ action: 'exec', command });
  assert.equal(succeeds(reply, command), false, JSON.stringify(reply));
  const status = (reply.body.results as Item[]).find((r) => r.type === 'status');
  assert.ok(status, JSON.stringify(reply));
  return status;
};

/** `.toString()` on every value, as the thread and dashboard tables do: no null or undefined. */
const allStringable = (obj: Item, what: string): void => {
  for (const [k, v] of Object.entries(obj)) {
    assert.ok(v !== null && v !== undefined, `${what}.${k} is ${String(v)}`);
    assert.equal(typeof String(v), 'string');
  }
};

interface Session {
  sessionId: string;
  consumerId: string;
}

/** fetchStore.initSession: init_session, then the keep-alive pull_results it starts at once. */
const initSession = async (): Promise<Session> => {
  const reply = await post({ action: 'init_session' });
  assert.ok(succeeds(reply), JSON.stringify(reply));
  const session = { sessionId: reply.sessionId as string, consumerId: reply.consumerId as string };
  assert.ok(session.sessionId.length > 0 && session.consumerId.length > 0);
  await pull(session);
  return session;
};

const pull = async (s: Session): Promise<Item[]> => {
  const reply = await post({ action: 'pull_results', ...s });
  assert.ok(succeeds(reply), JSON.stringify(reply).slice(0, 600));
  return reply.body.results as Item[];
};

/** The polling loop: pull until an item matches; every pull must pass the console's rule. */
const pullUntil = async (s: Session, done: (item: Item) => boolean): Promise<Item[]> => {
  const items: Item[] = [];
  for (let i = 0; i < 100; i++) {
    items.push(...(await pull(s)));
    if (items.some(done)) return items;
  }
  assert.fail(`never saw the item; got ${JSON.stringify(items).slice(0, 600)}`);
};

/** The last status of a job, pulling (without the console's rule: a failing job is the point). */
const pullStatus = async (s: Session, jobId: number): Promise<{ items: Item[]; status: Item }> => {
  const items: Item[] = [];
  for (let i = 0; i < 100; i++) {
    const reply = await post({ action: 'pull_results', ...s });
    items.push(...(reply.body.results as Item[]));
    const status = items.find((r) => r.type === 'status' && r.jobId === jobId);
    if (status) return { items, status };
  }
  assert.fail(`job ${jobId} never ended`);
};

const asyncExec = async (s: Session, command: string): Promise<number> => {
  const reply = await post({ action: 'async_exec', command, sessionId: s.sessionId });
  assert.ok(succeeds(reply), JSON.stringify(reply));
  assert.equal(reply.state, 'SCHEDULED');
  assert.equal(reply.body.jobStatus, 'READY');
  return reply.body.jobId as number;
};

describe('the navigation bar and the console page', () => {
  it('reads the version from exec version (results[0])', async () => {
    const [first] = await exec('version');
    assert.equal(first?.type, 'version');
    assert.equal(first?.version, '0.0.0-test');
  });

  it("runs the console page's raw JSON request as typed", async () => {
    // The page sends what is typed in its box: {"action":"exec","command":"version"}, no ids.
    const res = await fetch(`${agent.url}/api`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'exec', command: 'version' }),
    });
    const reply = (await res.json()) as Reply;
    assert.ok(succeeds(reply));
    assert.equal(reply.body.results[0].type, 'version');
  });

  it('answers an unknown command as Arthas does: FAILED, Exec command failed: …: command not found', async () => {
    const reply = await post({ action: 'exec', command: 'classloader -t' });
    assert.equal(reply.state, 'FAILED');
    assert.equal(reply.message, 'Exec command failed:classloader: command not found');
    assert.deepEqual(reply.body, { command: 'classloader -t' });
  });

  it("does not say 'use GET' for OPTIONS /api: it takes POST only", async () => {
    const res = await fetch(`${agent.url}/api`, { method: 'OPTIONS' });
    const text = await res.text();
    assert.doesNotMatch(text, /use GET/);
    assert.deepEqual(JSON.parse(text), {
      state: 'REFUSED',
      message: 'Unsupported http method: OPTIONS',
    });
  });

  it('forceGc (Tools): exec vmtool --action forceGc, a success', async () => {
    await exec('vmtool --action forceGc ');
  });

  it('reset class (Tools): a reset item with its affect', async () => {
    const [first] = await exec('reset');
    assert.equal(first?.type, 'reset');
    assert.deepEqual(first?.affect, { cost: 0, methodCount: 0, classCount: 0, listenerId: 0 });
  });

  it('shutdown (Tools) sends stop: the agent keeps running and says so', async () => {
    const reply = await post({ action: 'exec', command: 'stop' });
    assert.equal(succeeds(reply), false, 'the console shows the answer in its dialog');
    const [shutdown, status] = reply.body.results as Item[];
    assert.equal(shutdown?.type, 'shutdown');
    assert.equal(shutdown?.graceful, false);
    assert.match(shutdown?.message, /keeps running/);
    assert.equal(status?.statusCode, -1);
    assert.match(status?.message, /keeps running/);
    // Still serving.
    assert.equal((await exec('version'))[0]?.type, 'version');
  });
});

describe('the dashboard page', () => {
  it('init_session, async_exec dashboard, pull_results: items with every field it draws', async () => {
    const s = await initSession();
    const dashboardId = await asyncExec(s, 'dashboard');
    const items = await pullUntil(s, (r) => r.type === 'dashboard' && r.jobId === dashboardId);
    const result = items.find((r) => r.type === 'dashboard') as Item;

    // transformRuntimeInfo: every key but timestamp and uptime shown with toString().
    assert.equal(typeof result.runtimeInfo.timestamp, 'number');
    assert.ok(Math.abs(result.runtimeInfo.timestamp - Date.now()) < 3_600_000);
    allStringable(result.runtimeInfo, 'runtimeInfo');
    assert.equal(result.runtimeInfo.javaVersion, process.version);
    for (const key of ['osName', 'osVersion', 'javaHome', 'systemLoadAverage', 'processors']) {
      assert.ok(key in result.runtimeInfo, key);
    }

    // transformMemory: heap, nonheap and buffer_pool, each entry's name, max, total and used.
    for (const group of ['heap', 'nonheap', 'buffer_pool']) {
      const entries = result.memoryInfo[group] as Item[];
      assert.ok(Array.isArray(entries) && entries.length > 0, group);
      for (const e of entries) {
        assert.equal(typeof e.name, 'string');
        for (const k of ['max', 'total', 'used']) {
          assert.ok(Number.isFinite(e[k]), `${e.name}.${k}`);
        }
      }
    }
    assert.ok(result.memoryInfo.heap.some((e: Item) => e.max > 0 && e.used > 0));

    // transformThread: every field of the first threads, with toString().
    assert.ok(result.threads.length > 0);
    for (const thread of result.threads) {
      allStringable(thread, 'thread');
      for (const key of ['id', 'name', 'cpu', 'daemon', 'deltaTime', 'group']) {
        assert.ok(key in thread, key);
      }
      for (const key of ['interrupted', 'priority', 'state', 'time']) assert.ok(key in thread, key);
    }
    assert.ok(result.threads.some((t: Item) => t.id === process.pid));

    // transformGc: name, collectionCount, collectionTime per collector.
    assert.ok(result.gcInfos.length > 0);
    for (const gc of result.gcInfos) {
      assert.equal(typeof gc.name, 'string');
      assert.ok(Number.isInteger(gc.collectionCount));
      assert.ok(Number.isFinite(gc.collectionTime));
    }

    // Leaving the page: interrupt_job, then the job ends with status 0.
    const interrupted = await post({ action: 'interrupt_job', sessionId: s.sessionId });
    assert.ok(succeeds(interrupted), JSON.stringify(interrupted));
    const { status } = await pullStatus(s, dashboardId);
    assert.equal(status.statusCode, 0);

    // Logout: close_session.
    assert.ok(succeeds(await post({ action: 'close_session', sessionId: s.sessionId })));
  });
});

describe('the option pages', () => {
  it('perCounter: exec perfcounter -d, name, units, variability and value', async () => {
    const [result] = await exec('perfcounter -d');
    assert.equal(result?.type, 'perfcounter');
    assert.ok(result?.perfCounters.length > 10);
    for (const c of result?.perfCounters as Item[]) {
      for (const k of ['name', 'units', 'variability']) assert.equal(typeof c[k], 'string', k);
      assert.ok(c.value !== null && c.value !== undefined, c.name);
    }
    assert.ok(result?.perfCounters.some((c: Item) => c.name === 'node.rusage.userCPUTime'));
  });

  it('sysenv: exec sysenv, env', async () => {
    const [result] = await exec('sysenv');
    assert.equal(result?.type, 'sysenv');
    assert.equal(typeof result?.env, 'object');
  });

  it('sysprop: exec sysprop, props; edit sends sysprop <key> <value>', async () => {
    const [result] = await exec('sysprop');
    assert.equal(result?.type, 'sysprop');
    assert.equal(result?.props['node.version'], process.version);
    for (const v of Object.values(result?.props as Record<string, unknown>)) {
      assert.equal(typeof v, 'string');
    }
    const title = process.title;
    try {
      await exec('sysprop process.title bosun-test');
      assert.equal(process.title, 'bosun-test');
    } finally {
      process.title = title;
    }
    // A read-only one: the console reverts the cell on the failure.
    const status = await execFails('sysprop node.version v0');
    assert.match(
      status.message,
      /^Error during setting system property: node.version is read-only/,
    );
  });

  it('jvm: exec jvm, jvmInfo sections', async () => {
    const [result] = await exec('jvm');
    assert.equal(result?.type, 'jvm');
    const info = result?.jvmInfo as Record<string, Item[]>;
    for (const section of ['RUNTIME', 'MEMORY', 'OPERATING-SYSTEM', 'THREAD', 'FILE-DESCRIPTOR']) {
      assert.ok(Array.isArray(info[section]) && info[section].length > 0, section);
    }
    const fds = info['FILE-DESCRIPTOR']?.find((e) => e.name === 'OPEN-FILE-DESCRIPTOR-COUNT');
    assert.ok((fds?.value as number) > 0);
    assert.ok(info['GARBAGE-COLLECTORS']?.every((e) => 'collectionCount' in e.value));
  });

  it('vmoption: exec vmoption, name, origin, value, writeable; edit a writeable one', async () => {
    const [result] = await exec('vmoption');
    assert.equal(result?.type, 'vmoption');
    const options = result?.vmOptions as Item[];
    assert.ok(options.length > 100);
    for (const o of options) {
      assert.equal(typeof o.name, 'string');
      assert.equal(typeof o.origin, 'string');
      assert.equal(typeof o.value, 'string');
      assert.equal(typeof o.writeable, 'boolean');
    }
    const traceGc = options.find((o) => o.name === 'trace-gc');
    assert.deepEqual(traceGc, {
      name: 'trace-gc',
      value: 'false',
      origin: 'DEFAULT',
      writeable: true,
    });
    const set = await exec('vmoption trace-gc false');
    assert.deepEqual(set.find((r) => r.type === 'vmoption')?.changeResult, {
      name: 'trace-gc',
      beforeValue: 'false',
      afterValue: 'false',
    });
    const [after] = await exec('vmoption trace-gc');
    assert.equal(after?.vmOptions[0].origin, 'MANAGEMENT');
    const refused = await execFails('vmoption max-old-space-size 64');
    assert.match(refused.message, /is not writeable/);
  });

  it('options: exec options, level, name, type, value, summary, description; edit one', async () => {
    const [result] = await exec('options');
    assert.equal(result?.type, 'options');
    for (const o of result?.options as Item[]) {
      assert.equal(typeof o.level, 'number');
      for (const k of ['name', 'type', 'value', 'summary', 'description']) {
        assert.equal(typeof o[k], 'string', k);
      }
    }
    // The console checks that changeResult.afterValue is what was typed.
    const [changed] = await exec('options dashboard-interval 1000');
    assert.deepEqual(changed?.changeResult, {
      name: 'dashboard-interval',
      beforeValue: 5000,
      afterValue: 1000,
    });
    await exec('options dashboard-interval 5000');
    const unknown = await execFails('options nope 1');
    assert.equal(unknown.message, 'options[nope] not found.');
  });
});

describe('the immediacy pages', () => {
  it('thread: thread --all with -i, threadStats and threadStateCount', async () => {
    // Thread.vue: `thread --all ${b} ${i}  ${n} ${state}` with b, n and state empty.
    const [result] = await exec('thread --all  -i 200   ');
    assert.equal(result?.type, 'thread');
    assert.ok(result?.threadStats.length > 0);
    for (const t of result?.threadStats as Item[]) allStringable(t, 'threadStats');
    assert.deepEqual(Object.keys(result?.threadStateCount ?? {}), [
      'NEW',
      'RUNNABLE',
      'BLOCKED',
      'WAITING',
      'TIMED_WAITING',
      'TERMINATED',
    ]);
    const counted = Object.values(result?.threadStateCount as Record<string, number>);
    assert.equal(
      counted.reduce((a, b) => a + b, 0),
      result?.threadStats.length,
    );

    const [filtered] = await exec('thread --all  -i 200   --state WAITING');
    assert.ok((filtered?.threadStats as Item[]).every((t) => t.state === 'WAITING'));
  });

  it('thread: get stackTrace sends thread <id>, threadInfo.stackTrace', async () => {
    const [result] = await exec(`thread ${process.pid} `);
    assert.equal(result?.threadInfo.threadId, process.pid);
    assert.ok(Array.isArray(result?.threadInfo.stackTrace));
  });

  it('thread: is blocking (-b) finds no blocking thread, as Arthas answers when there is none', async () => {
    const status = await execFails(
      'thread --all -b --lockedMonitors  --lockedSynchronizers -i 200   ',
    );
    assert.equal(status.statusCode, 1);
    assert.equal(status.message, 'No most blocking thread found!');
  });

  it('heapdump: heapdump [--live][path], the heapdump item with dumpFile and live', async () => {
    for (const command of ['heapdump ', 'heapdump --live', 'heapdump page.hprof']) {
      const results = await exec(command);
      const dump = results.filter((r) => r.type === 'heapdump')[0];
      assert.ok(dump, command);
      assert.equal(typeof dump.dumpFile, 'string');
      assert.equal(dump.live, true);
    }
    const outside = await execFails('heapdump /etc/x.hprof');
    assert.match(outside.message, /outside the dump directory/);
  });

  it('class pickers: sc and sm find nothing, successfully, so no dialog opens per keystroke', async () => {
    for (const command of ['sc *Mat*', 'sc -d *Math*', 'sm demo.MathGame *pri*', 'sm  *x*']) {
      const results = await exec(command);
      assert.deepEqual(
        results.map((r) => r.type),
        ['row_affect', 'status'],
      );
      assert.equal(results[0]?.rowCount, 0);
    }
  });
});

describe('the real-time pages', () => {
  it('profiler: list, status, getSamples, start, stop with outputFile under arthas-output, resume', async () => {
    const [list] = await exec('profiler list');
    const events = (list?.executeResult as string)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => !['Basic events:', 'Java method calls:', 'Perf events:', ''].includes(l));
    assert.deepEqual(events, ['cpu']);

    const [idle] = await exec('profiler status');
    assert.ok(idle?.executeResult.search('not') >= 0, 'not running');

    // Profiler.vue's start line, `${fileformat}` (a Vue ref) rendered as "[object Object]".
    const started = await exec('profiler start --event cpu   [object Object]');
    assert.equal(started[0]?.type, 'profiler');
    assert.equal(started[0]?.action, 'start');
    assert.equal(typeof started[0]?.executeResult, 'string');

    const [running] = await exec('profiler status');
    assert.equal(running?.executeResult.search('not'), -1, 'running');
    const [samples] = await exec('profiler getSamples');
    assert.ok(Number.isInteger(parseInt(samples?.executeResult)));

    const [stopped] = await exec('profiler stop');
    assert.equal(stopped?.action, 'stop');
    const match = /arthas-output\/.*/.exec(stopped?.outputFile);
    assert.ok(match, stopped?.outputFile);
    assert.match(match[0], /^arthas-output\/profile-.*\.cpuprofile$/);

    const [resumed] = await exec('profiler resume');
    assert.equal(resumed?.action, 'resume');
    assert.equal(typeof resumed?.executeResult, 'string');
    await exec('profiler stop');
  });

  it('monitor of a job: monitor -c N <job> <method>, monitorDataList with timestamp, cost, total', async () => {
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${agent.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await res.json()) as Reply;
    };
    const job = await api('POST', '/api/v1/jobs', { name: 'console-monitored', cmd: 'true' });
    const s = await initSession();
    const jobId = await asyncExec(s, 'monitor -c 1 console-monitored run ');
    await api('POST', `/api/v1/jobs/${job.id}/run`, {});
    const items = await pullUntil(
      s,
      (r) => r.type === 'monitor' && r.monitorDataList.some((d: Item) => d.total > 0),
    );
    const data = items
      .filter((r) => r.type === 'monitor')
      .flatMap((r) => r.monitorDataList as Item[])
      .find((d) => d.total > 0) as Item;
    assert.equal(data.className, 'console-monitored');
    assert.equal(data.methodName, 'run');
    // The chart's x axis shows timestamp.split(" ")[1]; the rt line is cost / total.
    assert.match(data.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.ok(Number.isFinite(data.cost / data.total));
    assert.equal(data.success + data.failed, data.total);
    await post({ action: 'interrupt_job', sessionId: s.sessionId });
    assert.equal((await pullStatus(s, jobId)).status.statusCode, 0);
    await post({ action: 'close_session', sessionId: s.sessionId });
  });

  it('monitor, watch, trace, stack and tt -t on a class: the enhancer item and -1, as Arthas', async () => {
    const s = await initSession();
    for (const command of [
      'monitor -c 120 demo.MathGame primeFactors ',
      'watch  demo.MathGame primeFactors -x 1  ',
      'trace demo.MathGame primeFactors    ',
      'stack demo.MathGame primeFactors  ',
      'tt -t demo.MathGame primeFactors  ',
    ]) {
      const jobId = await asyncExec(s, command);
      const { items, status } = await pullStatus(s, jobId);
      const enhancer = items.find((r) => r.type === 'enhancer' && r.jobId === jobId);
      assert.deepEqual(
        { success: enhancer?.success, effect: enhancer?.effect },
        { success: false, effect: { cost: 0, methodCount: 0, classCount: 0, listenerId: 0 } },
        command,
      );
      assert.equal(status.statusCode, -1, command);
      assert.match(status.message, /^No class or method is affected/);
    }
    await post({ action: 'close_session', sessionId: s.sessionId });
  });

  it('tt: -l lists an empty tunnel, -i N -p finds no fragment', async () => {
    const [list] = await exec('tt -l');
    assert.equal(list?.type, 'tt');
    assert.deepEqual(list?.timeFragmentList, []);
    const missing = await execFails('tt -i 1000 -p');
    assert.equal(missing.message, 'Time fragment[1000] does not exist.');
  });

  it('async_exec of an unknown command: FAILED, and a FAILED command item in the stream', async () => {
    const s = await initSession();
    const reply = await post({ action: 'async_exec', command: 'jad demo.MathGame', ...s });
    assert.equal(reply.state, 'FAILED');
    assert.equal(reply.message, 'Async exec command failed:jad: command not found');
    const items = await pullUntil(s, (r) => r.type === 'command');
    assert.deepEqual(
      items.find((r) => r.type === 'command'),
      {
        type: 'command',
        jobId: 0,
        state: 'FAILED',
        command: 'jad demo.MathGame',
        message: 'Async exec command failed:jad: command not found',
      },
    );
    await post({ action: 'close_session', sessionId: s.sessionId });
  });
});
