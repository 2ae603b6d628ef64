// The footprint benchmark's clients, in a process of their own so the agent is never charged for
// them: `--ws URL --clients N` or `--get URL --every S`. Prints {"ready":true} once connected; then
// answers "mark" (zero the counters) and "stats" on stdin with the counters as a JSON line.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

interface Counters {
  /** Messages (ws) or completed responses (get), per client. */
  perClient: number[];
  bytes: number;
  errors: number;
}

const counters: Counters = { perClient: [], bytes: 0, errors: 0 };

function openWs(url: string, index: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('message', (data: Buffer) => {
      counters.perClient[index] = (counters.perClient[index] ?? 0) + 1;
      counters.bytes += data.length;
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', (err) => {
      counters.errors += 1;
      reject(err);
    });
    socket.on('close', () => {
      counters.errors += 1;
    });
  });
}

async function connectAll(url: string, clients: number): Promise<WebSocket[]> {
  counters.perClient = new Array<number>(clients).fill(0);
  return Promise.all(Array.from({ length: clients }, (_, i) => openWs(url, i)));
}

/** One client GETting `url` every `everyS` seconds, like a scraper or a polling dashboard. */
function poll(url: string, everyS: number): void {
  counters.perClient = [0];
  let busy = false;
  const once = async () => {
    if (busy) return;
    busy = true;
    try {
      const res = await fetch(url);
      const body = await res.arrayBuffer();
      if (res.ok) {
        counters.perClient[0] = (counters.perClient[0] ?? 0) + 1;
        counters.bytes += body.byteLength;
      } else counters.errors += 1;
    } catch {
      counters.errors += 1;
    } finally {
      busy = false;
    }
  };
  setInterval(() => void once(), everyS * 1000);
}

function answerCommands(): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'mark') {
      counters.perClient.fill(0);
      counters.bytes = 0;
      counters.errors = 0;
    }
    process.stdout.write(`${JSON.stringify(counters)}\n`);
  });
  // The benchmark closing our stdin (or dying) ends this process.
  lines.on('close', () => process.exit(0));
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      ws: { type: 'string' },
      clients: { type: 'string', default: '1' },
      get: { type: 'string' },
      every: { type: 'string', default: '1' },
    },
  });
  answerCommands();
  if (values.ws) await connectAll(values.ws, Number(values.clients));
  else if (values.get) poll(values.get, Number(values.every));
  else throw new Error('usage: load-client.ts --ws URL [--clients N] | --get URL [--every S]');
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
}
