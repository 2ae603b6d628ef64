// Property-based fuzz over every route Fastify registers, plus paths no route takes under each
// surface (issue 21): arbitrary parameters, methods, query strings, bodies and content types. Every
// answer is below 500, an error is in its surface's own shape (src/http/surfaces.ts), and /healthz
// still answers after each batch. Nothing is generated that could form a valid job or a console
// command that changes anything, and every request goes to 127.0.0.1.
//
// BOSUN_FUZZ_SEED pins the seed, BOSUN_FUZZ_RUNS the number of cases (default 400, in batches), and
// BOSUN_FUZZ_COLLECT=1 runs every case without stopping or shrinking and prints each distinct
// failure once, to survey what is left to fix rather than to gate on it.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

const RUNS = Number(process.env.BOSUN_FUZZ_RUNS ?? 400);
const BATCHES = 5;
const SEED = Number(process.env.BOSUN_FUZZ_SEED ?? Date.now() % 2 ** 31);
const COLLECT = process.env.BOSUN_FUZZ_COLLECT === '1';
/** A request with no answer by then counts as a failure (a stall is as bad as a 500). */
const ANSWER_TIMEOUT_MS = 10_000;
/** Generous on purpose: the point is "still answers", not a latency budget on a shared machine. */
const HEALTHZ_TIMEOUT_MS = 5_000;
/** What is kept of an answer's body to check its shape and to print it. */
const MAX_BODY_KEPT = 1 << 20;

let agent: InProcessAgent;
let port: number;
before(async () => {
  agent = await startInProcessAgent();
  port = Number(new URL(agent.url).port);
});
after(async () => {
  await agent?.stop();
});

// ---------------------------------------------------------------------------------------------
// Surfaces and their error shapes (the specs and src/http/surfaces.ts), written out again here as
// the test's own oracle.

type Surface = 'native' | 'seatunnel' | 'cloudtask' | 'arthas';

/** SeaTunnel's v2 endpoints, which have no prefix; a path is theirs when its first segment is one. */
const SEATUNNEL_V2 = new Set([
  'running-jobs',
  'running-job',
  'job-info',
  'finished-jobs',
  'submit-job',
  'submit-jobs',
  'stop-job',
  'stop-jobs',
  'encrypt-config',
  'overview',
  'update-tags',
  'thread-dump',
  'running-threads',
  'logs',
  'log',
  'get-all-log-name',
  'system-monitoring-information',
]);

function surfaceOf(pathname: string): Surface {
  if (pathname.startsWith('/cloudtask/')) return 'cloudtask';
  if (pathname.startsWith('/hazelcast/rest/')) return 'seatunnel';
  if (SEATUNNEL_V2.has(pathname.slice(1).split('/', 1)[0] ?? '')) return 'seatunnel';
  if (pathname === '/api') return 'arthas';
  return 'native';
}

const isText = (v: unknown): v is string => typeof v === 'string';
const keysAre = (v: unknown, keys: string[]): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.keys(v).sort().join() === [...keys].sort().join();

/** Why an error body is not in its surface's shape, or undefined when it is. */
function shapeProblem(surface: Exclude<Surface, 'arthas'>, text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the error body is not JSON';
  }
  switch (surface) {
    case 'native':
      return keysAre(body, ['error']) &&
        keysAre(body.error, ['code', 'message']) &&
        isText(body.error.code) &&
        isText(body.error.message)
        ? undefined
        : 'not the native shape {"error":{"code","message"}}';
    case 'seatunnel':
      return keysAre(body, ['message', 'status']) && body.status === 'fail' && isText(body.message)
        ? undefined
        : `not SeaTunnel's shape {"status":"fail","message"}`;
    case 'cloudtask':
      return keysAre(body, ['content', 'error']) && isText(body.content) && isText(body.error)
        ? undefined
        : `not Cloudtask's shape {content, error}`;
  }
}

/** Arthas answers everything with 200 and a state, but failed auth (empty 401) and a cross-site 403. */
function arthasProblem(status: number, text: string): string | undefined {
  if (status === 401) return text === '' ? undefined : 'an Arthas 401 must have an empty body';
  if (status !== 200 && status !== 403) {
    return `Arthas answers HTTP 200 with a state, not ${status}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the Arthas answer is not JSON';
  }
  if (typeof body !== 'object' || body === null || !isText((body as { state?: unknown }).state)) {
    return 'the Arthas answer has no state';
  }
  const { state, message } = body as { state: string; message?: unknown };
  if ((state === 'FAILED' || state === 'REFUSED' || status === 403) && !isText(message)) {
    return `an Arthas ${state} answer has no message`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Requests, sent raw with node:http so paths reach the agent as generated (fetch would normalise
// dot segments and re-encode).

type BodySpec =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'deep'; depth: number; style: 'array' | 'object'; at: DeepPlace }
  | { kind: 'big'; size: number };

type DeepPlace = 'root' | 'pipeline' | 'source' | 'list' | 'field';

interface Case {
  method: string;
  path: string;
  /** The registered pattern or prefix it came from, to group failures. */
  from: string;
  contentType: string | undefined;
  /** Headers besides the content type: encodings, a foreign Origin or Host, Expect. */
  headers: Record<string, string>;
  chunked: boolean;
  body: BodySpec;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Bytes came after the answer was complete (a body on an answer to HEAD). */
  trailingBytes?: boolean;
}

function nest(depth: number, style: 'array' | 'object', inner = '1'): string {
  return style === 'array'
    ? '['.repeat(depth) + inner + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}

function bodyBytes(spec: BodySpec): Buffer | undefined {
  switch (spec.kind) {
    case 'none':
      return undefined;
    case 'json':
      return Buffer.from(JSON.stringify(spec.value) ?? 'null');
    case 'text':
      return Buffer.from(spec.text);
    case 'bytes':
      return Buffer.from(spec.bytes);
    case 'big':
      return Buffer.alloc(spec.size, 'a');
    case 'deep': {
      const deep = nest(spec.depth, spec.style);
      const text = {
        root: deep,
        // Invalid as a pipeline on purpose: nothing can be created from it.
        pipeline: `{"name":"fuzz-deep","kind":"pipeline","pipeline":{"format":"json","config":${nest(spec.depth, 'object')}}}`,
        source: `{"env":{"shade.identifier":"base64"},"source":${deep}}`,
        list: `[${deep}]`,
        field: `{"jobId":${deep},"tags":${deep}}`,
      }[spec.at];
      return Buffer.from(text);
    }
  }
}

function send(c: Case): Promise<Answer> {
  const body = bodyBytes(c.body);
  const headers: Record<string, string> = { ...c.headers };
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  // Framed either way: node:http sends a GET, HEAD, DELETE or OPTIONS body unframed otherwise.
  if (body !== undefined) {
    if (c.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port,
      method: c.method,
      path: c.path,
      headers,
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    let answered: Answer | undefined;
    request.on('response', (response) => {
      // An event stream never ends by itself: its status and headers are the answer.
      if ((response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        clearTimeout(timer);
        response.destroy();
        return resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' });
      }
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept < MAX_BODY_KEPT) chunks.push(chunk);
        kept += chunk.length;
      });
      response.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      answered = { status: response.statusCode ?? 0, headers: response.headers, body: '' };
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ ...(answered as Answer), body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('error', (err) => {
      clearTimeout(timer);
      const code = (err as NodeJS.ErrnoException).code ?? err.message;
      // Bytes after a complete answer on a closed connection: for HEAD, a body it must not have.
      if (answered !== undefined && code === 'HPE_CLOSED_CONNECTION') {
        return resolve({ ...answered, trailingBytes: true });
      }
      reject(new Error(`no answer: ${code}`));
    });
    // A body the agent refuses early (413) may end the connection while it is being written;
    // the answer has then arrived already, and a write error after it does not matter.
    request.end(body);
  });
}

/** Why the answer breaks the rules, or undefined. */
function problemOf(c: Case, a: Answer): string | undefined {
  if (a.status >= 500) return `answered ${a.status}`;
  if (a.trailingBytes) {
    return `bytes after the ${a.status} answer (a body on an answer to ${c.method}?)`;
  }
  const surface = surfaceOf(c.path.split('?', 1)[0] ?? '/');
  if (c.method === 'HEAD') {
    return surface === 'arthas' && a.status >= 400 && a.status !== 401 && a.status !== 403
      ? `Arthas answers HTTP 200 with a state, not ${a.status}`
      : undefined;
  }
  if (surface === 'arthas') return arthasProblem(a.status, a.body);
  if (a.status < 400) return undefined;
  return shapeProblem(surface, a.body);
}

/** Bytes a terminal would not show (raw latin1 in a path, control characters) as \xHH. */
const visible = (text: string): string =>
  text.replace(/[^\x21-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const excerpt = (text: string, max = 300): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;

function describeCase(c: Case): string {
  const body = bodyBytes(c.body);
  const headers = [
    ...Object.entries(c.headers).map(([k, v]) => `${k}: ${v}`),
    c.contentType === undefined ? 'no content-type' : `content-type: ${c.contentType}`,
    body === undefined ? 'no body' : c.chunked ? 'chunked' : `content-length: ${body.length}`,
  ].join(', ');
  const shown =
    c.body.kind === 'deep'
      ? `JSON nested ${c.body.depth} deep (${c.body.style}, at ${c.body.at}): ${excerpt(body?.toString() ?? '', 80)}`
      : body === undefined
        ? '(none)'
        : excerpt(JSON.stringify(body.toString('latin1')), 200);
  return `${c.method} ${excerpt(visible(c.path), 200)}\n  ${headers}\n  body: ${shown}`;
}

// ---------------------------------------------------------------------------------------------
// Safety: nothing generated may form a job with a command, a pipeline with a connector, or a
// console command other than version and help.

const HARMLESS_COMMANDS = new Set(['version', 'help']);
const CONNECTOR = /^(fakesource|localfile|jdbc|console|filter|fieldmapper|replace|copy|sql)$/i;

function isSafe(value: unknown, depth = 0): boolean {
  if (depth > 20 || value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every((v) => isSafe(v, depth + 1));
  for (const [key, v] of Object.entries(value)) {
    if (key === 'cmd' && typeof v === 'string') return false;
    if (key === 'plugin_name' || CONNECTOR.test(key)) return false;
    if (key === 'command' && typeof v === 'string' && !HARMLESS_COMMANDS.has(v.trim())) {
      return false;
    }
    if (typeof v === 'string' && CONNECTOR.test(v)) return false;
    if (!isSafe(v, depth + 1)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Generators.

/** UTF-8 percent-encoding of any string (lone surrogates made well-formed first). */
const encode = (s: string): string => encodeURIComponent(s.toWellFormed());

const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }).map(encode) },
  { weight: 2, arbitrary: fc.string({ maxLength: 16 }).map(encode) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0',
      '1',
      '-1',
      '1e999',
      '9007199254740993',
      '00',
      'NaN',
      'null',
      'job-1.log',
      '%zz',
      '%',
      '%e2%82',
      '%00',
      '%2F',
      '%2e%2e',
      '..',
      '.',
      '~',
      '%ff',
      'a%20b',
    ),
  },
  // Raw bytes above 0x7f, which node:http sends as latin1: not valid UTF-8 in a URL.
  {
    weight: 1,
    arbitrary: fc
      .array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 4 })
      .map((codes) => String.fromCharCode(...codes)),
  },
  // Long: past Fastify's parameter limit, and past the 16 KiB a request head may have.
  { weight: 1, arbitrary: fc.constantFrom(101, 1000, 20_000).map((n) => 'a'.repeat(n)) },
);

const queryKey = fc.oneof(
  fc.constantFrom(
    'limit',
    'cursor',
    'count',
    'tail',
    'follow',
    'state',
    'jobId',
    'jobName',
    'resume',
    'savepoint',
    'format',
    'isStartWithSavePoint',
    'pid',
    'sort',
    'n',
    'name',
    'q',
    'since',
    'tag1',
  ),
  fc.string({ maxLength: 6 }).map(encode),
);
const queryValue = fc.oneof(
  fc.constantFrom(
    '1e999',
    '-1',
    '0',
    '1',
    '-0',
    '1.5',
    '99999999999999999999',
    '9007199254740993',
    'abc',
    '',
    'NaN',
    'Infinity',
    '0x10',
    '%zz',
    'true',
    'hocon',
    'sql',
    'json',
    'FINISHED',
  ),
  fc.integer().map(String),
  fc.string({ unit: 'binary', maxLength: 12 }).map(encode),
);
const query: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(queryKey, queryValue).map(([k, v]) => `${k}=${v}`) },
      { weight: 1, arbitrary: queryKey },
    ),
    { maxLength: 4 },
  )
  .map((parts) => (parts.length === 0 ? '' : `?${parts.join('&')}`));

/** Values of the wrong type for a known field, or of no particular type. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, '', 'x'),
  fc.constantFrom({}, [], [null], [null, null], [{}, null], [[]], { '': null }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const KNOWN_FIELDS = [
  // native jobs
  'name',
  'kind',
  'cmd',
  'pipeline',
  'env',
  'cwd',
  'timeoutSec',
  'graceSec',
  'schedules',
  'retries',
  'enabled',
  'overlap',
  'labels',
  'target',
  'notify',
  // SeaTunnel
  'jobId',
  'jobName',
  'isStopWithSavePoint',
  'isStartWithSavePoint',
  'params',
  'source',
  'sink',
  'transform',
  // Cloudtask
  'runtime',
  'jobid',
  'action',
] as const;
const knownFields = fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), oddValue, {
  minKeys: 1,
  maxKeys: 4,
});

/** Numbers JSON can write but a double cannot hold, written as text. */
const extremeNumberText = fc
  .tuple(
    fc.constantFrom('timeoutSec', 'jobId', 'retries', 'limit', 'everySec', 'parallelism'),
    fc.constantFrom('1e999', '-1e999', '-0', '1e-999', '123456789012345678901234567890', '1E400'),
  )
  .map(([k, v]) => `{"${k}":${v}}`);

const jsonBody: fc.Arbitrary<BodySpec> = fc
  .oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 3, arbitrary: knownFields },
    {
      weight: 2,
      arbitrary: oddValue.map((source) => ({ env: { 'shade.identifier': 'base64' }, source })),
    },
    { weight: 2, arbitrary: fc.array(fc.oneof(fc.constant(null), oddValue), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(knownFields, { minLength: 1, maxLength: 3 }) },
  )
  .filter((value) => isSafe(value))
  .map((value) => ({ kind: 'json' as const, value }));

const deepBody: fc.Arbitrary<BodySpec> = fc.record({
  kind: fc.constant('deep' as const),
  depth: fc.oneof(fc.integer({ min: 100, max: 5000 }), fc.constantFrom(10_000, 100_000)),
  style: fc.constantFrom('array' as const, 'object' as const),
  at: fc.constantFrom<DeepPlace>('root', 'pipeline', 'source', 'list', 'field'),
});

const rawBody: fc.Arbitrary<BodySpec> = fc.oneof(
  fc
    .constantFrom(
      '{',
      '{"a":',
      'nul',
      '\u0000',
      '{"a":1}garbage',
      '[1,]',
      "{'a':1}",
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      'a=1&b=2',
      '--x\r\nContent-Disposition: form-data; name="config_file"\r\n\r\n{}\r\n--x--\r\n',
      ' ',
      '""',
      '1e999',
    )
    .map((text) => ({ kind: 'text' as const, text })),
  fc
    .string({ unit: 'binary', maxLength: 64 })
    .filter((text) => isSafe(tryParse(text)))
    .map((text) => ({ kind: 'text' as const, text })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'bytes' as const, bytes: [...bytes] })),
  fc.constant<BodySpec>({ kind: 'bytes', bytes: [0xff, 0xfe, 0x7b, 0x7d] }),
  extremeNumberText.map((text) => ({ kind: 'text' as const, text })),
);

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const anyBody: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 5, arbitrary: jsonBody },
  { weight: 2, arbitrary: deepBody },
  { weight: 2, arbitrary: rawBody },
  // Past the app's 1 MiB body limit (and Arthas's 256 KiB).
  { weight: 1, arbitrary: fc.constant({ kind: 'big' as const, size: (1 << 20) + 4096 }) },
);

/** Arthas's envelope only, with harmless commands (see the head comment). */
const anyish: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom(null, '', [], {}, [null], { '': 1 }),
);
const arthasBody: fc.Arbitrary<BodySpec> = fc
  .record(
    {
      action: fc.oneof(
        fc.constantFrom(
          'exec',
          'EXEC',
          ' Exec ',
          'async_exec',
          'interrupt_job',
          'pull_results',
          'init_session',
          'join_session',
          'close_session',
          'session_info',
          'foo',
          '',
        ),
        anyish,
      ),
      sessionId: anyish,
      consumerId: anyish,
      command: fc.oneof(
        fc.constantFrom('version', 'help', ' version ', '', '  '),
        fc.integer({ min: 0, max: 99 }),
        fc.constantFrom(null, true, [], {}, ['version']),
      ),
      execTimeout: fc.oneof(
        fc.integer(),
        fc.constantFrom(1e12, 2 ** 31, 2 ** 31 - 1, -1, 0, 1.5, 1e308, '1e12', 'abc', '', null),
      ),
      jobId: anyish,
      requestId: anyish,
    },
    { requiredKeys: [] },
  )
  .filter((value) => isSafe(value))
  .map((value) => ({ kind: 'json' as const, value }));

/** What POST /api gets: the envelope, or bytes that are not JSON at all. */
const arthasAny: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 6, arbitrary: arthasBody },
  { weight: 1, arbitrary: deepBody },
  { weight: 1, arbitrary: rawBody },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'big' as const, size: (1 << 20) + 4096 }) },
);

const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  undefined,
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'multipart/form-data; boundary=x',
  'application/gzip',
  'application/xml',
  '',
] as const;
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...CONTENT_TYPES.slice(0, 5)) },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES.slice(5)) },
);

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Record<string, string>>(
      { 'content-encoding': 'gzip' },
      { 'content-encoding': 'br' },
      { accept: 'text/html' },
      { 'accept-encoding': 'gzip' },
      { expect: '100-continue' },
      // Refused by the cross-site rules, in the surface's own shape.
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { host: 'evil.example' },
    ),
  },
);

const OTHER_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'FOO',
];

/** Paths no route takes, under each surface's prefix. */
const UNROUTED_PREFIXES = [
  '/api/v1/',
  '/api/v1/jobs/0/',
  '/cloudtask/v2/',
  '/cloudtask/v2/jobs/0/',
  '/hazelcast/rest/maps/',
  '/submit-job/',
  '/stop-jobs/',
  '/overview/',
  '/running-job/0/',
  '/logs/0/',
  '/system-monitoring-information/',
  '/api/',
  '/',
];

function caseArbitrary(routes: ReadonlyArray<{ method: string; url: string }>): fc.Arbitrary<Case> {
  // Routes that take a body are where most of the bad input goes, and HEAD mirrors GET.
  const weightOf = (method: string) =>
    method === 'HEAD' || method === 'OPTIONS' ? 1 : method === 'GET' ? 2 : 6;
  const routed = fc
    .oneof(...routes.map((r) => ({ weight: weightOf(r.method), arbitrary: fc.constant(r) })))
    .chain(({ method, url }) =>
      fc
        .record({
          path: fillPattern(url),
          method: fc.oneof(
            { weight: 4, arbitrary: fc.constant(method) },
            { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
          ),
        })
        .map((r) => ({ ...r, from: url })),
    );
  const unrouted = fc
    .record({
      prefix: fc.constantFrom(...UNROUTED_PREFIXES),
      rest: fc.array(segment, { minLength: 1, maxLength: 3 }),
      method: fc.constantFrom(...OTHER_METHODS),
    })
    .map(({ prefix, rest, method }) => ({
      path: prefix + rest.join('/'),
      method,
      from: `${prefix}…`,
    }));
  return fc
    .record({
      target: fc.oneof({ weight: 4, arbitrary: routed }, { weight: 1, arbitrary: unrouted }),
      query,
      contentType,
      headers: extraHeaders,
      chunked: fc.boolean(),
      generic: anyBody,
      arthas: arthasAny,
      bodyless: fc.oneof(
        { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
        { weight: 1, arbitrary: anyBody },
      ),
    })
    .map(({ target, query, contentType, headers, chunked, generic, arthas, bodyless }) => ({
      method: target.method,
      path: target.path + query,
      from: target.from,
      contentType,
      headers,
      chunked,
      // Generic JSON never reaches the console (its envelope is fuzzed on its own), and a GET
      // mostly has no body.
      body:
        target.path === '/api'
          ? arthas
          : target.method === 'GET' || target.method === 'HEAD'
            ? bodyless
            : generic,
    }));
}

/** A find-my-way pattern with its `:params` and `*` filled with arbitrary text. */
function fillPattern(url: string): fc.Arbitrary<string> {
  const parts = url.split(/(:[A-Za-z0-9_]+(?:\([^)]*\))?|\*)/);
  return fc
    .tuple(
      ...parts.map((part) =>
        part === '*'
          ? fc.array(segment, { maxLength: 3 }).map((s) => s.join('/'))
          : part.startsWith(':')
            ? segment
            : fc.constant(part),
      ),
    )
    .map((filled) => filled.join(''));
}

// ---------------------------------------------------------------------------------------------

async function healthzAnswers(): Promise<void> {
  const res = await fetch(`${agent.url}/healthz`, {
    signal: AbortSignal.timeout(HEALTHZ_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  assert.equal(res.status, 200, '/healthz answers 200 after a batch');
}

async function noJobWasCreated(): Promise<void> {
  const res = await fetch(`${agent.url}/api/v1/jobs`);
  const { jobs } = (await res.json()) as { jobs: Array<{ name: string }> };
  assert.deepEqual(
    jobs.map((j) => j.name),
    [],
    'the fuzz must never create a job: the generators or the validation let one through',
  );
}

interface Finding {
  key: string;
  count: number;
  example: string;
}

describe('fuzz over every registered route', () => {
  it('answers every request below 500, errors in the surface shape, /healthz alive', async (t) => {
    const cases = caseArbitrary(agent.agent.routes());
    const findings = new Map<string, Finding>();
    const statuses = new Map<number, number>();
    const perBatch = Math.max(1, Math.ceil(RUNS / BATCHES));
    t.diagnostic(`seed ${SEED}, ${perBatch * BATCHES} cases in ${BATCHES} batches`);
    const rssBefore = process.memoryUsage.rss();

    const property = fc.asyncProperty(cases, async (c) => {
      let problem: string | undefined;
      let answer: Answer | undefined;
      try {
        answer = await send(c);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        problem = problemOf(c, answer);
      } catch (err) {
        problem = (err as Error).message;
      }
      if (problem === undefined) return;
      const shown =
        `${problem}\n  ${describeCase(c)}\n` +
        (answer === undefined
          ? '  (no answer)'
          : `  answer: ${answer.status} ${excerpt(answer.body, 400)}`);
      if (!COLLECT) assert.fail(shown);
      const key = `${c.method} ${c.from} → ${answer?.status ?? 'none'}: ${problem}`;
      const seen = findings.get(key);
      if (seen === undefined) findings.set(key, { key, count: 1, example: shown });
      else {
        seen.count += 1;
        // Keep the shortest example: the closest thing to shrinking when collecting.
        if (shown.length < seen.example.length) seen.example = shown;
      }
    });

    for (let batch = 0; batch < BATCHES; batch += 1) {
      await fc.assert(property, { numRuns: perBatch, seed: SEED + batch });
      await healthzAnswers();
      await noJobWasCreated();
    }
    // Reported, not asserted: the agent shares this process with the test runner here;
    // bench/hostile-input.ts measures a real agent's RSS after hostile input.
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    t.diagnostic(`RSS of this process: ${mib(rssBefore)} → ${mib(process.memoryUsage.rss())} MiB`);
    t.diagnostic(
      `statuses: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    if (COLLECT) {
      for (const f of [...findings.values()].sort((a, b) => a.key.localeCompare(b.key))) {
        process.stdout.write(`\n[${f.count}×] ${f.key}\n${f.example}\n`);
      }
      t.diagnostic(`${findings.size} distinct failures (BOSUN_FUZZ_COLLECT=1 does not fail)`);
    }
  });
});
