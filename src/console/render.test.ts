// renderItem: every item type as plain text, session items, unknown and malformed items.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandItem } from './items.ts';
import type { ResultItem } from './model.ts';
import { bytes, duration, formatTime, renderItem, table } from './render.ts';

const T = new Date(2026, 7, 1, 12, 30, 5).getTime();
const at = (item: CommandItem | { type: string; [k: string]: unknown }): ResultItem =>
  ({ ...item, jobId: 1 }) as ResultItem;

describe('session items', () => {
  it('status: nothing when OK, the message or the code otherwise', () => {
    assert.equal(renderItem(at({ type: 'status', statusCode: 0 })), '');
    assert.equal(
      renderItem(at({ type: 'status', statusCode: -1, message: 'run: no job' })),
      'run: no job',
    );
    assert.equal(renderItem(at({ type: 'status', statusCode: 1 })), 'command failed with status 1');
  });

  it('message, input_status and command', () => {
    assert.equal(
      renderItem(at({ type: 'message', message: 'session is inactive' })),
      'session is inactive',
    );
    assert.equal(renderItem(at({ type: 'input_status', inputStatus: 'ALLOW_INPUT' })), '');
    assert.equal(renderItem(at({ type: 'command', command: 'version', state: 'SCHEDULED' })), '');
    assert.equal(
      renderItem(
        at({ type: 'command', command: 'x', state: 'FAILED', message: 'Another job is running.' }),
      ),
      'Another job is running.',
    );
  });

  it('welcome: version, pid, time and a hint', () => {
    assert.equal(
      renderItem(at({ type: 'welcome', version: '1.2.3', pid: 42, time: T })),
      `bosun 1.2.3  pid 42  2026-08-01 12:30:05\ntype 'help' for the commands`,
    );
  });

  it('an unknown type as key: value lines, JSON for nested values', () => {
    assert.equal(
      renderItem(at({ type: 'mystery', a: 1, b: 'two', c: { d: [3] }, e: null })),
      'a: 1\nb: two\nc: {"d":[3]}\ne: -',
    );
  });

  it('a known type with missing fields falls back to its fields instead of throwing', () => {
    assert.equal(renderItem(at({ type: 'processes', sort: 'cpu' })), 'sort: cpu');
  });
});

describe('command items', () => {
  it('text, version, echo and help text as they are', () => {
    assert.equal(renderItem(at({ type: 'text', text: 'a\nb' })), 'a\nb');
    assert.equal(renderItem(at({ type: 'version', version: '0.1.0' })), '0.1.0');
    assert.equal(renderItem(at({ type: 'echo', content: 'hi there' })), 'hi there');
    assert.equal(renderItem(at({ type: 'help', text: 'USAGE: x' })), 'USAGE: x');
  });

  it('help: an aligned command list and a hint', () => {
    const out = renderItem(
      at({
        type: 'help',
        commands: [
          { name: 'cat', summary: 'show files' },
          { name: 'dashboard', summary: 'host view' },
        ],
      }),
    );
    assert.equal(
      out,
      [
        'NAME       DESCRIPTION',
        'cat        show files',
        'dashboard  host view',
        '',
        "type 'help <command>' or '<command> -h' for details",
      ].join('\n'),
    );
  });

  it('history numbered from its first entry', () => {
    const history = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const out = renderItem(at({ type: 'history', history, first: 1 })).split('\n');
    assert.equal(out[0], ' 1  a');
    assert.equal(out[9], '10  j');
  });

  it('cat: the content without its last newline, and a note when cut', () => {
    assert.equal(
      renderItem(at({ type: 'cat', file: '/f', content: 'x\n', size: 2, truncated: false })),
      'x',
    );
    assert.equal(
      renderItem(at({ type: 'cat', file: '/f', content: 'abc', size: 4096, truncated: true })),
      'abc\n[cat: /f cut after 3 B of 4.0 KiB]',
    );
  });

  it('sysenv as NAME=value lines, config as aligned keys', () => {
    assert.equal(
      renderItem(at({ type: 'sysenv', env: { A: '1', TOKEN: '***' } })),
      'A=1\nTOKEN=***',
    );
    assert.equal(
      renderItem(
        at({ type: 'config', config: { port: 8600, dataDir: '/d', token: null, health: {} } }),
      ),
      'port     8600\ndataDir  /d\ntoken    -\nhealth   {}',
    );
  });

  it('processes as a table with right-aligned numbers and a footer', () => {
    const proc = { ppid: 1, user: 'root', memPercent: 1, rss: 2048, status: 'S', name: 'node' };
    const out = renderItem(
      at({
        type: 'processes',
        sort: 'cpu',
        total: 120,
        processes: [
          { ...proc, pid: 7, cpuPercent: 12.5, command: 'node agent.js' },
          { ...proc, pid: 1234, cpuPercent: 0, command: '' },
        ],
      }),
    );
    assert.equal(
      out,
      [
        ' PID  PPID  USER  %CPU  %MEM      RSS  STAT  NAME  COMMAND',
        '   7     1  root  12.5   1.0  2.0 KiB  S     node  node agent.js',
        '1234     1  root   0.0   1.0  2.0 KiB  S     node  [node]',
        '2 of 120 processes, by cpu',
      ].join('\n'),
    );
  });

  it('jobs, runs and run events', () => {
    assert.equal(renderItem(at({ type: 'jobs', jobs: [] })), 'no jobs');
    const run = {
      id: '12',
      job: 'nightly',
      state: 'failed',
      trigger: 'manual',
      attempt: 1,
      createdAt: T,
      startedAt: T,
      finishedAt: T + 65_000,
      exitCode: 2,
    };
    assert.equal(
      renderItem(at({ type: 'run', event: 'state', run })),
      'run 12 of nightly: failed (exit code 2)',
    );
    assert.match(
      renderItem(at({ type: 'run', event: 'created', run })),
      /^run 12 of nightly started .*'logs 12 -f'/,
    );
    assert.equal(
      renderItem(at({ type: 'runs', runs: [run] })),
      [
        'RUN  JOB      STATE   TRIGGER  ATTEMPT  STARTED              TOOK   EXIT',
        '12   nightly  failed  manual         1  2026-08-01 12:30:05  1m 5s     2',
      ].join('\n'),
    );
  });

  it('schedule: next and last runs, and the next times of one job', () => {
    const out = renderItem(
      at({
        type: 'schedule',
        jobs: [
          {
            id: 'j',
            name: 'nightly',
            enabled: true,
            schedules: ['cron 0 3 * * *'],
            next: [T, T + 86_400_000],
            lastRun: { id: '9', state: 'succeeded', at: T },
          },
        ],
      }),
    );
    assert.equal(
      out,
      [
        'JOB      ENABLED  NEXT                 LAST               SCHEDULES',
        'nightly  yes      2026-08-01 12:30:05  succeeded (run 9)  cron 0 3 * * *',
        '',
        'next runs of nightly:',
        '  2026-08-01 12:30:05',
        '  2026-08-02 12:30:05',
      ].join('\n'),
    );
  });

  it('schedule: says how many jobs the listing left out', () => {
    const job = { id: 'j', name: 'a', enabled: false, schedules: [], next: [] };
    const out = renderItem(at({ type: 'schedule', jobs: [job], more: 41 }));
    assert.match(out, /\n… and 41 more; 'schedule <job>' shows one/);
  });

  it('monitor: a row per job, or a line saying nothing ran', () => {
    assert.equal(
      renderItem(at({ type: 'monitor', timestamp: T, cycleSec: 60, monitorDataList: [] })),
      '2026-08-01 12:30:05  no runs in the last 60s',
    );
    const data = {
      job: 'backup',
      total: 4,
      success: 3,
      failed: 1,
      canceled: 0,
      skipped: 0,
      running: 1,
      avgDurationMs: 1500,
      avgWaitMs: 20,
    };
    const lines = renderItem(
      at({ type: 'monitor', timestamp: T, cycleSec: 60, monitorDataList: [data] }),
    ).split('\n');
    assert.match(
      lines[0] ?? '',
      /^TIMESTAMP +JOB +TOTAL +SUCCESS +FAIL +CANCEL +SKIP +RUNNING +AVG-TIME +AVG-WAIT +FAIL-RATE$/,
    );
    assert.match(
      lines[1] ?? '',
      /^2026-08-01 12:30:05 +backup +4 +3 +1 +0 +0 +1 +1500\.0 ms +20\.0 ms +25\.0%$/,
    );
  });

  it('dashboard: host, agent, and the runs or none', () => {
    const loop = { delayMeanMs: 1.25, delayP99Ms: 5, delayMaxMs: 12, utilization: 0.034 };
    const out = renderItem(
      at({
        type: 'dashboard',
        time: T,
        host: {
          hostname: 'web-1',
          cpuPercent: 12.3,
          cores: 4,
          load: [0.5, 0.4, 0.3],
          memory: { total: 8 * 2 ** 30, used: 2 ** 30, percent: 12.5 },
          swap: { total: 0, used: 0, percent: 0 },
          disks: [{ mount: '/', total: 100 * 2 ** 30, used: 40 * 2 ** 30, percent: 40 }],
          healthScore: 95,
        },
        agent: {
          pid: 42,
          uptimeSec: 3700,
          rss: 80 * 2 ** 20,
          heapUsed: 2 ** 20,
          heapTotal: 2 ** 21,
          eventLoop: loop,
        },
        runs: [],
      }),
    );
    assert.equal(
      out,
      [
        'bosun dashboard  2026-08-01 12:30:05',
        '',
        'host    web-1  cpu 12.3% of 4 cores  load 0.50 0.40 0.30  health 95',
        'memory  1.0 GiB / 8.0 GiB (12.5%)  swap 0 B / 0 B (0.0%)',
        'disk    /  40.0 GiB / 100.0 GiB (40.0%)',
        'agent   pid 42  up 1h 1m  rss 80.0 MiB  heap 1.0 MiB / 2.0 MiB',
        'loop    delay mean 1.3 ms p99 5.0 ms max 12.0 ms, busy 3.4%',
        '',
        'no runs running',
      ].join('\n'),
    );
  });

  it('memory, agent, heapdump and profiler', () => {
    const entry = (name: string, used: number, total: number, max = -1) => ({
      name,
      used,
      total,
      max,
    });
    const memory = renderItem(
      at({
        type: 'memory',
        memoryInfo: {
          heap: [entry('heap', 512, 1024, 4096)],
          nonheap: [entry('rss', 2048, 2048)],
          buffer_pool: [],
        },
        system: { total: 4096, free: 1024 },
      }),
    );
    assert.equal(
      memory,
      [
        'AREA     NAME       USED    TOTAL      MAX   USAGE',
        'heap     heap      512 B  1.0 KiB  4.0 KiB   12.5%',
        'nonheap  rss     2.0 KiB  2.0 KiB        -  100.0%',
        'system   memory  3.0 KiB  4.0 KiB        -   75.0%',
      ].join('\n'),
    );
    assert.equal(
      renderItem(
        at({
          type: 'heapdump',
          dumpFile: '/d/h.heapsnapshot',
          live: false,
          url: '/api/v1/dumps/h.heapsnapshot',
          size: 2048,
        }),
      ),
      'Heap dump written to /d/h.heapsnapshot (2.0 KiB)\ndownload: /api/v1/dumps/h.heapsnapshot',
    );
    assert.equal(
      renderItem(
        at({
          type: 'profiler',
          action: 'start',
          executeResult: 'Profiling started\n',
          running: true,
          startedAt: T,
          duration: 30,
        }),
      ),
      'profiler started; it stops by itself after 30s',
    );
    assert.equal(
      renderItem(
        at({
          type: 'profiler',
          action: 'stop',
          executeResult: 'OK\n',
          running: false,
          outputFile: '/arthas-output/p.cpuprofile',
          file: '/d/p.cpuprofile',
          url: '/u',
        }),
      ),
      'profiler stopped; profile written to /d/p.cpuprofile\ndownload: /u',
    );
    assert.equal(
      renderItem(
        at({
          type: 'profiler',
          action: 'status',
          executeResult: 'Profiler is not active\n',
          running: false,
        }),
      ),
      'profiler is not running',
    );
  });
});

describe('helpers', () => {
  it('bytes, duration, formatTime and table', () => {
    assert.deepEqual(
      [bytes(0), bytes(1023), bytes(1536), bytes(5 * 2 ** 30)],
      ['0 B', '1023 B', '1.5 KiB', '5.0 GiB'],
    );
    assert.deepEqual(
      [duration(5), duration(65), duration(3700), duration(90_000)],
      ['5s', '1m 5s', '1h 1m', '1d 1h'],
    );
    assert.equal(formatTime(T), '2026-08-01 12:30:05');
    assert.equal(
      table(
        ['A', 'B'],
        [
          ['xx', 'y'],
          ['z', ''],
        ],
      ),
      'A   B\nxx  y\nz',
    );
  });
});
