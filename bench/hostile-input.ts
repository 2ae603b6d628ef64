// Hostile input (issue 21): starts the real agent and sends each pathological input of the issue in
// turn, while an observer in a worker thread times GET /healthz every 10 ms and reads the agent's own
// event-loop delay from a console `dashboard -i 100` (monitorEventLoopDelay, max per 100 ms window).
// Per input: the agent's longest loop block, /healthz p99 and max, the answer, RSS before and after;
// an idle window first is the baseline. PASS when the agent's longest block stays under 50 ms.
// Loopback traffic only; nothing it sends can run a command (the one job it creates is never run).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { JOB_LIMITS } from '../src/model/jobs.ts';
import { startBosun, warmCompileCache, type BenchAgent } from './lib/agent.ts';
import { installCleanup, makeTempDir, runMain } from './lib/cleanup.ts';
import { memory, mib } from './lib/proc.ts';
import { sleep } from './lib/spawn.ts';
import { markdownTable, positive } from './lib/table.ts';

export const OPTIONS = {
  idle: { type: 'string' },
  slowloris: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const USAGE = `usage: node bench/hostile-input.ts [flags]
  --idle       seconds of the idle baseline window (default 3)
  --slowloris  seconds the 20 slow connections trickle their bodies (default 15)`;

const SERVER_CPU = 0;
/** The issue's target: no input blocks the agent's event loop longer than this. */
const TARGET_BLOCK_MS = 50;
const PROBE_EVERY_MS = 10;
/** After an input's answer, the window stays open this long for the next loop reading. */
const SETTLE_MS = 600;
/** How long the agent idles after the last input before its RSS is read against the idle one. */
const FINAL_SETTLE_MS = 5_000;
const PACKAGE_LIMIT = JOB_LIMITS.packageBytes.max;
const DEPTH = 100_000;
const SLOW_CONNECTIONS = 20;
const MALFORMED_URLS = 2_000;

// ------------------------------------------------------------------------------------------------
// The observer (a worker thread, so the sender's own work never delays a probe).

/** The parts of Arthas's answers the observer and the console inputs read. */
interface ConsoleReply {
  state?: string;
  message?: string;
  sessionId?: string;
  consumerId?: string;
  body?: {
    results?: Array<{
      type: string;
      time?: number;
      statusCode?: number;
      message?: string;
      dropped?: number;
      agent?: { rss: number; eventLoop: { delayMaxMs: number } };
    }>;
  };
}

interface ProbeSample {
  /** When the request was sent, ms since the epoch. */
  at: number;
  ms: number;
  status: number;
}

interface LoopSample {
  /** The dashboard item's time: the end of the window it measured. */
  at: number;
  maxMs: number;
  rss: number;
}

type FromObserver =
  | { type: 'probe'; samples: ProbeSample[] }
  | { type: 'loop'; samples: LoopSample[] }
  | { type: 'note'; text: string }
  | { type: 'stopped' };

async function observe(url: string): Promise<void> {
  const port = parentPort!;
  let running = true;
  const probes: ProbeSample[] = [];
  const loops: LoopSample[] = [];
  const flush = setInterval(() => {
    if (probes.length > 0) port.postMessage({ type: 'probe', samples: probes.splice(0) });
    if (loops.length > 0) port.postMessage({ type: 'loop', samples: loops.splice(0) });
  }, 100);

  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const probe = async () => {
    while (running) {
      const start = performance.now();
      const at = Date.now();
      const status = await new Promise<number>((resolve) => {
        const req = http.get(`${url}/healthz`, { agent: keepAlive, timeout: 60_000 }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(0));
      });
      probes.push({ at, ms: performance.now() - start, status });
      const wait = PROBE_EVERY_MS - (performance.now() - start);
      if (wait > 0) await sleep(wait);
    }
  };

  const api = async (body: object): Promise<ConsoleReply> => {
    const res = await fetch(`${url}/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    return (await res.json()) as ConsoleReply;
  };
  const meter = async () => {
    const { sessionId, consumerId } = await api({ action: 'init_session' });
    const started = await api({ action: 'async_exec', sessionId, command: 'dashboard -i 100' });
    if (started.state !== 'SCHEDULED') {
      port.postMessage({ type: 'note', text: `dashboard: ${JSON.stringify(started)}` });
      return;
    }
    while (running) {
      const reply: ConsoleReply = await api({
        action: 'pull_results',
        sessionId,
        consumerId,
      }).catch((err: Error) => ({ state: 'FAILED', message: err.message }));
      for (const item of reply.body?.results ?? []) {
        if (item.type === 'dashboard' && item.time !== undefined && item.agent !== undefined) {
          loops.push({
            at: item.time,
            maxMs: item.agent.eventLoop.delayMaxMs,
            rss: item.agent.rss,
          });
        } else if (item.type === 'status' || (item.type === 'message' && item.dropped)) {
          port.postMessage({ type: 'note', text: `loop meter: ${JSON.stringify(item)}` });
        }
      }
      if (reply.state !== 'SUCCEEDED') {
        port.postMessage({ type: 'note', text: `loop meter: ${JSON.stringify(reply)}` });
        await sleep(100);
      }
    }
    await api({ action: 'close_session', sessionId }).catch(() => undefined);
  };

  port.on('message', (msg: { type: string }) => {
    if (msg.type === 'stop') running = false;
  });
  await Promise.all([probe(), meter()]);
  clearInterval(flush);
  port.postMessage({ type: 'probe', samples: probes });
  port.postMessage({ type: 'loop', samples: loops });
  keepAlive.destroy();
  port.postMessage({ type: 'stopped' });
}

interface Observer {
  window(from: number, to: number): { probes: ProbeSample[]; loops: LoopSample[] };
  stop(): Promise<void>;
}

function startObserver(url: string): Observer {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'observer', url } });
  const probes: ProbeSample[] = [];
  const loops: LoopSample[] = [];
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  worker.on('message', (msg: FromObserver) => {
    if (msg.type === 'probe') probes.push(...msg.samples);
    else if (msg.type === 'loop') loops.push(...msg.samples);
    else if (msg.type === 'note') process.stdout.write(`  (observer) ${msg.text}\n`);
    else stopped();
  });
  worker.on('error', (err) => {
    process.stderr.write(`observer: ${err.stack ?? err.message}\n`);
    stopped();
  });
  return {
    window: (from, to) => ({
      probes: probes.filter((p) => p.at >= from && p.at <= to),
      loops: loops.filter((l) => l.at > from && l.at <= to),
    }),
    async stop() {
      worker.postMessage({ type: 'stop' });
      await Promise.race([done, sleep(5000)]);
      await worker.terminate();
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Sending.

interface Answer {
  status: number;
  body: string;
}

/** One request on its own connection; an error after the answer (the agent cut a body short) is fine. */
function send(
  base: URL,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: Buffer,
  timeoutMs = 120_000,
): Promise<Answer> {
  return new Promise((resolve) => {
    let answered: Answer | undefined;
    const req = http.request({
      host: base.hostname,
      port: base.port,
      method,
      path: pathAndQuery,
      headers: body === undefined ? headers : { ...headers, 'content-length': body.length },
      agent: false,
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
      res.on('end', () => {
        answered = { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
        resolve(answered);
      });
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '(cut)' }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered === undefined) resolve({ status: 0, body: err.code ?? err.message });
    });
    req.end(body);
  });
}

/**
 * A large body over a raw socket, written as the socket drains, stopping once the agent has answered:
 * an agent that refuses a body early answers and closes while it is being written, which node:http's
 * client reports as EPIPE without the answer.
 */
function sendLarge(
  base: URL,
  method: string,
  pathAndQuery: string,
  contentType: string,
  body: Buffer,
): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    let answered = false;
    let offset = 0;
    // A slice per loop turn, so an early answer is read before the agent's close resets the
    // connection (a reset drops what was received and not yet read).
    const pump = (): void => {
      if (offset >= body.length || answered || socket.destroyed) return;
      const slice = body.subarray(offset, offset + (256 << 10));
      offset += slice.length;
      if (socket.write(slice)) setImmediate(pump);
      else socket.once('drain', () => setImmediate(pump));
    };
    const finish = (): void => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw)?.[1] ?? 0);
      const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      resolve(status === 0 ? { status, body: 'closed without an answer' } : { status, body: text });
    };
    socket.on('data', (d: Buffer) => {
      answered = true;
      chunks.push(d);
      const raw = Buffer.concat(chunks).toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(raw)?.[1] ?? NaN);
      if (end !== -1 && raw.length - end - 4 >= length) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.setTimeout(120_000, () => socket.destroy());
    socket.write(
      `${method} ${pathAndQuery} HTTP/1.1\r\nHost: ${base.host}\r\nConnection: close\r\n` +
        `Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    pump();
  });
}

const postJson = (base: URL, p: string, text: string) =>
  send(base, 'POST', p, { 'content-type': 'application/json' }, Buffer.from(text));

/** "400 SeaTunnel: Invalid JSON…" — the status and the start of the message. */
function brief(a: Answer): string {
  if (a.status === 0) return `no answer (${a.body})`;
  let message = a.body;
  try {
    const json = JSON.parse(a.body) as ConsoleReply & {
      error?: { message?: string };
      sha256?: string;
    };
    message = json.error?.message ?? json.message ?? json.state ?? a.body;
    if (typeof json.sha256 === 'string') message = `stored, sha256 ${json.sha256.slice(0, 12)}…`;
    if (json.state !== undefined && json.message !== undefined) {
      message = `${json.state}: ${json.message}`;
    }
  } catch {
    // not JSON: shown as it is
  }
  const text = String(message).replace(/\s+/g, ' ');
  return `${a.status} ${text.length > 70 ? `${text.slice(0, 67)}…` : text}`;
}

function counts(statuses: number[]): string {
  const by = new Map<number, number>();
  for (const s of statuses) by.set(s, (by.get(s) ?? 0) + 1);
  return [...by]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s === 0 ? 'none' : s}×${n}`)
    .join(' ');
}

const nest = (depth: number, style: 'array' | 'object') =>
  style === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Twenty clients that send headers and then a body a byte a second (slowloris). */
async function slowloris(base: URL, seconds: number): Promise<string> {
  const started = Date.now();
  const closedAfter: number[] = [];
  const statuses: string[] = [];
  const sockets = Array.from({ length: SLOW_CONNECTIONS }, () => {
    const socket = net.connect(Number(base.port), base.hostname);
    socket.write(
      `POST /api/v1/jobs HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: application/json\r\n` +
        'Content-Length: 100000\r\n\r\n{"name":"',
    );
    let head = '';
    socket.on('data', (d: Buffer) => {
      if (head === '') head = d.toString('latin1').split('\r\n', 1)[0] ?? '';
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedAfter.push((Date.now() - started) / 1000);
      statuses.push(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 'none');
    });
    return socket;
  });
  for (let s = 0; s < seconds; s += 1) {
    await sleep(1000);
    for (const socket of sockets) if (!socket.destroyed) socket.write('a');
  }
  const open = sockets.filter((s) => !s.destroyed).length;
  for (const socket of sockets) socket.destroy();
  await sleep(50);
  const agentClosed = closedAfter.length - open;
  if (agentClosed <= 0) return `all ${SLOW_CONNECTIONS} held open ${seconds} s (bench's limit)`;
  const answered = statuses.filter((s) => s !== 'none');
  return (
    `${agentClosed} of ${SLOW_CONNECTIONS} closed by the agent after ` +
    `${Math.min(...closedAfter).toFixed(0)}–${Math.max(...closedAfter.slice(0, agentClosed)).toFixed(0)} s` +
    (answered.length > 0 ? ` (${counts(answered.map(Number))})` : '') +
    (open > 0 ? `, ${open} still open at ${seconds} s` : '')
  );
}

/** 2,000 requests whose URLs cannot be decoded or parsed, 16 at a time. */
async function malformedUrls(base: URL): Promise<string> {
  const shapes = [
    (i: number) => `/api/v1/jobs/%zz${i}`,
    (i: number) => `/%${i}`,
    (i: number) => `/hazelcast/rest/maps/job-info/%E0%A4%A${i}`,
    (i: number) => `/cloudtask/v2/jobs/%c0%af${i}`,
    (i: number) => `/api/v1/runs/\xff${i}`,
    (i: number) => `/submit-job?%zz=${i}`,
    (i: number) => `/api?%${i}`,
    (i: number) => `/logs/%%${i}`,
    (i: number) => `/running-job/%u0041${i}`,
    (i: number) => `/api/v1/nodes/${'%'.repeat(3)}${i}`,
  ];
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < MALFORMED_URLS) {
        const i = next++;
        const shape = shapes[i % shapes.length]!;
        statuses.push((await send(base, i % 3 === 0 ? 'POST' : 'GET', shape(i), {})).status);
      }
    }),
  );
  return counts(statuses);
}

/** A request whose one header is 64 KiB (the agent reads 16 KiB of head at most). */
function oversizedHeader(base: URL): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    let head = '';
    socket.write(
      `GET /api/v1/jobs HTTP/1.1\r\nHost: ${base.host}\r\nX-Big: ${'a'.repeat(64 << 10)}\r\n\r\n`,
    );
    socket.on('data', (d: Buffer) => (head += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d+)/.exec(head)?.[1];
      const body = head.split('\r\n\r\n')[1] ?? '';
      resolve(status === undefined ? 'no answer' : brief({ status: Number(status), body }));
    });
    socket.setTimeout(30_000, () => socket.destroy());
  });
}

/** A .tar.gz of random bytes just under the package limit (random data does not compress). */
function makePackage(): Buffer {
  const dir = makeTempDir('package');
  const blob = PACKAGE_LIMIT - (256 << 10);
  execFileSync(
    'sh',
    [
      '-c',
      `head -c ${blob} /dev/urandom > blob && tar -cf - blob | gzip -1 > pkg.tar.gz && rm blob`,
    ],
    { cwd: dir },
  );
  const file = path.join(dir, 'pkg.tar.gz');
  if (statSync(file).size > PACKAGE_LIMIT) throw new Error('the package came out over the limit');
  return readFileSync(file);
}

/** A few KiB of .tar.gz that inflates to a tiny archive and then 64 MiB of zeros after its end. */
function makeInflatingPackage(): Buffer {
  const dir = makeTempDir('inflating');
  execFileSync(
    'sh',
    [
      '-c',
      'echo x > a.txt && (tar -cf - a.txt; head -c 67108864 /dev/zero) | gzip -9 > pkg.tar.gz',
    ],
    { cwd: dir },
  );
  return readFileSync(path.join(dir, 'pkg.tar.gz'));
}

// ------------------------------------------------------------------------------------------------

interface Input {
  name: string;
  run(base: URL): Promise<string>;
}

function inputs(
  base: URL,
  slowSeconds: number,
  pkg: Buffer,
  inflating: Buffer,
  jobId: string,
): Input[] {
  const exec = (command: string, extra: object = {}) =>
    postJson(base, '/api', JSON.stringify({ action: 'exec', command, ...extra })).then((a) => {
      const state = (() => {
        try {
          const json = JSON.parse(a.body) as ConsoleReply;
          const last = json.body?.results?.at(-1);
          return `${a.status} ${json.state}${json.message ? `: ${json.message}` : ''}${last?.type === 'status' && last.statusCode !== 0 ? ` (status ${last.statusCode}: ${last.message ?? ''})` : ''}`;
        } catch {
          return brief(a);
        }
      })();
      return state.length > 80 ? `${state.slice(0, 77)}…` : state;
    });
  return [
    {
      name: 'PATCH /api/v1/jobs/1, 50 MB application/octet-stream',
      run: async () =>
        brief(
          await sendLarge(
            base,
            'PATCH',
            '/api/v1/jobs/1',
            'application/octet-stream',
            Buffer.alloc(50_000_000, 0x61),
          ),
        ),
    },
    {
      name: `POST /api/v1/jobs, pipeline config nested ${DEPTH} deep`,
      run: async () =>
        brief(
          await postJson(
            base,
            '/api/v1/jobs',
            `{"name":"hostile-deep","kind":"pipeline","pipeline":{"format":"json","config":${nest(DEPTH, 'object')}}}`,
          ),
        ),
    },
    ...(
      [
        ['/update-tags', 'object'],
        ['/stop-job', 'object'],
        ['/submit-jobs', 'array'],
        ['/encrypt-config', 'object'],
      ] as const
    ).map(([p, style]) => ({
      name: `POST ${p}, JSON nested ${DEPTH} deep`,
      run: async () => brief(await postJson(base, p, nest(DEPTH, style))),
    })),
    {
      name: "console: echo <26 a>! | grep -e '(a+)+$'",
      run: () => exec(`echo ${'a'.repeat(26)}! | grep -e '(a+)+$'`),
    },
    {
      name: 'console: exec version, execTimeout 1e12',
      run: () => exec('version', { execTimeout: 1e12 }),
    },
    {
      name: `slowloris: ${SLOW_CONNECTIONS} partial bodies, 1 byte/s for ${slowSeconds} s`,
      run: () => slowloris(base, slowSeconds),
    },
    { name: `${MALFORMED_URLS} malformed URLs`, run: () => malformedUrls(base) },
    { name: 'one 64 KiB request header', run: () => oversizedHeader(base) },
    {
      name: `PUT /api/v1/jobs/:id/package, ${(inflating.length / 1024).toFixed(0)} KiB .tar.gz inflating to a 64 MiB trailer`,
      run: async () =>
        brief(
          await sendLarge(
            base,
            'PUT',
            `/api/v1/jobs/${jobId}/package`,
            'application/gzip',
            inflating,
          ),
        ),
    },
    {
      name: `PUT /api/v1/jobs/:id/package, ${mib(pkg.length)} MiB .tar.gz (limit ${mib(PACKAGE_LIMIT)})`,
      run: async () =>
        brief(
          await sendLarge(base, 'PUT', `/api/v1/jobs/${jobId}/package`, 'application/gzip', pkg),
        ),
    },
  ];
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

interface Row {
  name: string;
  answer: string;
  loopMax: number;
  p99: number;
  max: number;
  probes: number;
  failedProbes: number;
  rssBefore: number;
  rssAfter: number;
}

function measureWindow(
  observer: Observer,
  from: number,
  to: number,
): Pick<Row, 'loopMax' | 'p99' | 'max' | 'probes' | 'failedProbes'> {
  const { probes, loops } = observer.window(from, to);
  const ms = probes.map((p) => p.ms);
  return {
    loopMax: loops.length === 0 ? NaN : Math.max(...loops.map((l) => l.maxMs)),
    p99: quantile(ms, 0.99),
    max: ms.length === 0 ? NaN : Math.max(...ms),
    probes: probes.length,
    failedProbes: probes.filter((p) => p.status !== 200).length,
  };
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const idleSeconds = positive('idle', values.idle, 3);
  const slowSeconds = Math.round(positive('slowloris', values.slowloris, 15));
  installCleanup(150 + idleSeconds + slowSeconds);

  process.stdout.write(
    `hostile-input: agent on CPU ${SERVER_CPU}; /healthz probed every ${PROBE_EVERY_MS} ms from a ` +
      `worker thread; the agent's loop delay from console \`dashboard -i 100\`; target: longest ` +
      `block < ${TARGET_BLOCK_MS} ms\n`,
  );
  const pkg = makePackage();
  const inflating = makeInflatingPackage();
  await warmCompileCache();
  let agent: BenchAgent | undefined;
  let observer: Observer | undefined;
  try {
    agent = await startBosun({ cpu: SERVER_CPU });
    const base = new URL(agent.url);
    // The package's job: a command that is never run (no schedule, nobody starts it).
    const created = await postJson(base, '/api/v1/jobs', '{"name":"hostile-package","cmd":"true"}');
    if (created.status !== 201) throw new Error(`creating the package's job: ${brief(created)}`);
    const jobId = (JSON.parse(created.body) as { id: string }).id;
    observer = startObserver(agent.url);
    await sleep(1000); // the observer's first samples and the dashboard's first window

    const rss = () => memory(agent!.pid).rss;
    const idleFrom = Date.now();
    const idleRss = rss();
    await sleep(idleSeconds * 1000);
    const idle: Row = {
      name: `idle (${idleSeconds} s, baseline)`,
      answer: '-',
      ...measureWindow(observer, idleFrom, Date.now()),
      rssBefore: idleRss,
      rssAfter: rss(),
    };
    process.stdout.write(`  ${idle.name}: ${describeRow(idle)}\n`);

    const rows: Row[] = [];
    for (const input of inputs(base, slowSeconds, pkg, inflating, jobId)) {
      const rssBefore = rss();
      const from = Date.now();
      let answer: string;
      try {
        answer = await input.run(base);
      } catch (err) {
        answer = `bench error: ${(err as Error).message}`;
      }
      await sleep(SETTLE_MS);
      const row: Row = {
        name: input.name,
        answer,
        ...measureWindow(observer, from, Date.now()),
        rssBefore,
        rssAfter: rss(),
      };
      rows.push(row);
      process.stdout.write(`  ${row.name}: ${row.answer}; ${describeRow(row)}\n`);
    }
    await send(base, 'DELETE', `/api/v1/jobs/${jobId}`, {});
    await observer.stop();
    observer = undefined;

    const header = [
      'input',
      'answer',
      'agent loop max ms',
      '/healthz p99 ms',
      '/healthz max ms',
      'p99 vs idle',
      'RSS MiB before → after',
      `block < ${TARGET_BLOCK_MS} ms`,
    ];
    const cells = (r: Row, verdictText: string) => [
      r.name,
      r.answer,
      fmt(r.loopMax),
      fmt(r.p99),
      fmt(r.max),
      idle.p99 > 0 ? `${(r.p99 / idle.p99).toFixed(1)}×` : 'n/a',
      `${mib(r.rssBefore)} → ${mib(r.rssAfter)}`,
      verdictText,
    ];
    const table = [
      cells(idle, '-'),
      ...rows.map((r) => {
        const block = Number.isNaN(r.loopMax) ? r.max : r.loopMax;
        const note = Number.isNaN(r.loopMax) ? ' (from /healthz)' : '';
        const lost = r.failedProbes > 0 ? `, ${r.failedProbes} probes failed` : '';
        return cells(r, `${block < TARGET_BLOCK_MS ? 'PASS' : 'FAIL'}${note}${lost}`);
      }),
    ];
    // A console pipe in a cell would end the cell in Markdown.
    const escaped = table.map((row) => row.map((cell) => cell.replaceAll('|', '\\|')));
    process.stdout.write(`\n${markdownTable(header, escaped)}\n`);
    const endRss = rss();
    await sleep(FINAL_SETTLE_MS);
    const finalRss = rss();
    process.stdout.write(
      `\nagent RSS: ${mib(idleRss)} MiB idle, ${mib(endRss)} MiB after the last input, ` +
        `${mib(finalRss)} MiB ${FINAL_SETTLE_MS / 1000} s later ` +
        `(${(finalRss / idleRss).toFixed(2)}× idle; the issue asks < 2×)\n`,
    );
    const failed = rows.filter(
      (r) => !((Number.isNaN(r.loopMax) ? r.max : r.loopMax) < TARGET_BLOCK_MS),
    );
    process.stdout.write(
      failed.length === 0
        ? `PASS: no input blocked the agent's event loop ${TARGET_BLOCK_MS} ms or more\n`
        : `FAIL: ${failed.length} of ${rows.length} inputs blocked it ${TARGET_BLOCK_MS} ms or more\n`,
    );
  } finally {
    await observer?.stop();
    await agent?.stop();
  }
}

const fmt = (n: number): string => (Number.isNaN(n) ? 'n/a' : n < 10 ? n.toFixed(2) : n.toFixed(0));

function describeRow(r: Row): string {
  return (
    `loop max ${fmt(r.loopMax)} ms, /healthz p99 ${fmt(r.p99)} ms max ${fmt(r.max)} ms ` +
    `(${r.probes} probes${r.failedProbes > 0 ? `, ${r.failedProbes} failed` : ''}), ` +
    `RSS ${mib(r.rssBefore)} → ${mib(r.rssAfter)} MiB`
  );
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'observer') {
  void observe((workerData as { url: string }).url);
} else if (isMainThread && import.meta.main) {
  runMain(() => main(process.argv.slice(2)));
}
