// Issue 21's reproducers, one by one, against a real agent: each gets its 4xx in the error shape of
// the surface it was sent to, quickly, and the agent stays responsive. Shapes are checked in-process
// (inject); what is about the wire goes over loopback TCP: a body refused before it is read, raw
// request lines and heads, a request in pieces, and the fast lane's own parse of Arthas's POST /api.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

let agent: InProcessAgent;
before(async () => {
  agent = await startInProcessAgent();
});
after(async () => {
  await agent?.stop();
});

/** In-process (inject): the answer's shape. */
const send = async (method: string, path: string, body?: string, type?: string) => {
  const res = await injectClient(agent)(
    method,
    path,
    body,
    type === undefined ? {} : { 'content-type': type },
  );
  return { ...res, json: () => JSON.parse(res.text) };
};

/** Over loopback TCP, with fetch. */
const sendWire = async (
  method: string,
  path: string,
  body?: string | Uint8Array<ArrayBuffer>,
  type?: string,
) => {
  const res = await fetch(agent.url + path, {
    method,
    ...(body === undefined ? {} : { body }),
    headers: type === undefined ? {} : { 'content-type': type },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
};

/** A raw request, for what fetch refuses to send (a bad URL, oversized heads). */
const raw = (text: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(agent.url).port), '127.0.0.1');
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(text);
  });
const bodyOf = (answer: string): any => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

const SHAPES: Record<string, (body: any) => boolean> = {
  native: (b) => typeof b.error?.code === 'string' && typeof b.error?.message === 'string',
  seatunnel: (b) => b.status === 'fail' && typeof b.message === 'string',
  cloudtask: (b) => typeof b.content === 'string' && typeof b.error === 'string',
  arthas: (b) => typeof b.state === 'string' && typeof b.message === 'string',
};

describe('hostile input', () => {
  it('refuses a 50 MB octet-stream body on a JSON route at once (415), never buffering it', async () => {
    const job = await send(
      'POST',
      '/api/v1/jobs',
      JSON.stringify({ name: 'h', cmd: 'true' }),
      'application/json',
    );
    const id = job.json().id as string;
    const res = await sendWire(
      'PATCH',
      `/api/v1/jobs/${id}`,
      new Uint8Array(50 << 20),
      'application/octet-stream',
    );
    assert.equal(res.status, 415, res.text);
    assert.ok(SHAPES.native!(res.json()));
  });

  it('refuses JSON nested 100,000 deep on every surface, in its shape', async () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    for (const [path, shape] of [
      ['/api/v1/jobs', 'native'],
      ['/update-tags', 'seatunnel'],
      ['/stop-job', 'seatunnel'],
      ['/submit-jobs', 'seatunnel'],
      ['/encrypt-config', 'seatunnel'],
      ['/hazelcast/rest/maps/submit-job', 'seatunnel'],
      ['/cloudtask/v2/jobs', 'cloudtask'],
    ] as const) {
      const res = await send('POST', path, deep, 'application/json');
      assert.ok(
        res.status >= 400 && res.status < 500,
        `${path}: ${res.status} ${res.text.slice(0, 200)}`,
      );
      assert.ok(SHAPES[shape]!(res.json()), `${path}: ${res.text.slice(0, 200)}`);
    }
    // Under the route's body limit: on the wire, the fast lane parses it.
    const arthas = await sendWire('POST', '/api', deep.slice(0, 200_000), 'application/json');
    assert.equal(arthas.json().state, 'FAILED');
  });

  it('answers an empty JSON body with a 400 in each surface’s shape', async () => {
    const native = await send('POST', '/api/v1/jobs', '', 'application/json');
    assert.equal(native.status, 400);
    assert.equal(
      native.json().error.message,
      'the request body must be a JSON object; it was empty',
    );
    const seatunnel = await send('POST', '/submit-job', '', 'application/json');
    assert.equal(seatunnel.status, 400);
    assert.ok(SHAPES.seatunnel!(seatunnel.json()), seatunnel.text);
  });

  it('answers limit=1e999 with a 400 naming the field', async () => {
    for (const path of ['/api/v1/jobs?limit=1e999', '/api/v1/runs?limit=1e999']) {
      const res = await send('GET', path);
      assert.equal(res.status, 400, res.text);
      assert.match(res.json().error.message, /"limit" must be a finite number/);
    }
  });

  it('answers 405 with Allow in each surface’s shape', async () => {
    for (const [path, shape] of [
      ['/api/v1/snapshot', 'native'],
      ['/hazelcast/rest/maps/overview', 'seatunnel'],
      ['/overview', 'seatunnel'],
      ['/cloudtask/v2/_ping', 'cloudtask'],
    ] as const) {
      const res = await send('DELETE', path);
      assert.equal(res.status, 405, `${path}: ${res.text}`);
      assert.match(res.headers.get('allow') ?? '', /GET/);
      assert.ok(SHAPES[shape]!(res.json()), `${path}: ${res.text}`);
    }
    const options = await send('OPTIONS', '/api');
    assert.equal(options.json().state, 'REFUSED');
  });

  it('answers a malformed URL (400), a URL too long (414) and headers too large (431) in each surface’s shape', async () => {
    const host = `host: ${new URL(agent.url).host}\r\n`;
    for (const [path, shape] of [
      ['/api/v1/jobs', 'native'],
      ['/overview', 'seatunnel'],
      ['/cloudtask/v2/jobs', 'cloudtask'],
    ] as const) {
      const bad = await raw(`GET ${path}/%zz HTTP/1.1\r\n${host}connection: close\r\n\r\n`);
      assert.match(bad, /^HTTP\/1\.1 400 /, bad);
      assert.ok(SHAPES[shape]!(bodyOf(bad)), bad);
      const long = await raw(`GET ${path}?x=${'a'.repeat(20_000)} HTTP/1.1\r\n${host}\r\n`);
      assert.match(long, /^HTTP\/1\.1 414 /, long.slice(0, 200));
      assert.ok(SHAPES[shape]!(bodyOf(long)), long.slice(0, 300));
      const big = await raw(`GET ${path} HTTP/1.1\r\n${host}x-big: ${'a'.repeat(20_000)}\r\n\r\n`);
      assert.match(big, /^HTTP\/1\.1 431 /, big.slice(0, 200));
      assert.ok(SHAPES[shape]!(bodyOf(big)), big.slice(0, 300));
    }
  });

  it('answers a malformed request that carries a large body, rather than resetting it', async () => {
    const host = `host: ${new URL(agent.url).host}\r\n`;
    for (let i = 0; i < 5; i++) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(agent.url).port), '127.0.0.1');
        let out = '';
        socket.on('data', (d) => (out += d.toString('latin1')));
        socket.on('close', () => resolve(out));
        socket.on('error', reject);
        socket.write(
          Buffer.from(`GET /api/\xbd HTTP/1.1\r\n${host}content-length: 1048576\r\n\r\n`, 'latin1'),
        );
        socket.end(Buffer.alloc(1 << 20, 'a'));
      });
      assert.match(answer, /^HTTP\/1\.1 400 /, answer.slice(0, 200));
    }
  });

  it('answers a URL over 8 KiB with a 414 in its surface’s shape, however it arrives', async () => {
    const port = Number(new URL(agent.url).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let out = '';
      socket.on('data', (d) => (out += d.toString('latin1')));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
      // In three pieces, as a network may deliver it.
      const line = `GET /running-jobs?x=${'a'.repeat(10_000)} HTTP/1.1\r\n`;
      socket.write(line.slice(0, 4000));
      setTimeout(() => socket.write(line.slice(4000, 8000)), 20);
      setTimeout(
        () => socket.end(`${line.slice(8000)}host: 127.0.0.1\r\nconnection: close\r\n\r\n`),
        40,
      );
    });
    assert.match(answer, /^HTTP\/1\.1 414 /, answer.slice(0, 200));
    assert.ok(SHAPES.seatunnel!(bodyOf(answer)), answer.slice(0, 300));
  });

  it('names the limit the route applied when a body is too large', async () => {
    const arthas = await send(
      'POST',
      '/api',
      JSON.stringify({ action: 'exec', pad: 'x'.repeat(300_000) }),
      'application/json',
    );
    assert.match(arthas.json().message, /at most 262144 bytes/);
  });

  it('checks a pipeline config given as text for depth too, in every form', async () => {
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const json = await send(
      'POST',
      '/api/v1/jobs',
      JSON.stringify({
        name: 'deep-text',
        kind: 'pipeline',
        pipeline: { format: 'json', config: `{"env":${deep}}` },
      }),
      'application/json',
    );
    assert.equal(json.status, 400, json.text.slice(0, 300));
    const hocon = await send(
      'POST',
      '/api/v1/jobs',
      JSON.stringify({
        name: 'deep-hocon',
        kind: 'pipeline',
        pipeline: { format: 'hocon', config: `env { a = ${'['.repeat(3000)}${']'.repeat(3000)} }` },
      }),
      'application/json',
    );
    assert.equal(hocon.status, 400, hocon.text.slice(0, 300));
    assert.match(hocon.json().error.message, /nests deeper than 64 levels/);
  });

  it('answers HEAD on the event stream with its headers, not the stream', async () => {
    const res = await fetch(`${agent.url}/api/v1/events`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  });

  it('stays responsive after all of it', async () => {
    const res = await fetch(`${agent.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200);
  });
});
