// vminfo's own clients against a real agent (bin/bosun serve): the requests vminfo's web dashboard makes
// (cloudapp3/vminfo internal/web/static/js/app.js and websocket.js: GET /api/v1/snapshot, then the /ws
// stream) with every field it reads, and a Go client decoding each answer into vminfo's own types
// (internal/collector/snapshot.go), checked against the JSON text as Go's encoding/json reads it.
// docs/clients/vminfo.md lists the requests and fields.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startAgent, type RunningAgent } from './support/agent.ts';

// ---------------------------------------------------------------------------------------------------
// vminfo's Go types, transcribed field by field (json tag → Go type) from cloudapp3/vminfo
// internal/collector/snapshot.go (the version with health, tcp_states and the full process row, which
// the dashboard reads). Field order and omitempty do not matter to a decoder; the Go type does.

type GoType =
  | 'string'
  | 'int' // 64-bit on the platforms vminfo ships for
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'time.Time'
  | 'any'
  | { slice: GoType }
  | { map: GoType }
  | { struct: string; fields: Record<string, GoType> };

/** type SystemInfo struct (snapshot.go) */
const SystemInfo: GoType = {
  struct: 'SystemInfo',
  fields: {
    hostname: 'string',
    os: 'string',
    kernel: 'string',
    arch: 'string',
    cpu_model: 'string',
    cores: 'int',
    uptime_seconds: 'uint64',
    uptime_human: 'string',
  },
};

/** type CPUInfo struct */
const CPUInfo: GoType = {
  struct: 'CPUInfo',
  fields: {
    total_percent: 'float64',
    avg_percent: 'float64',
    max_percent: 'float64',
    frequency_mhz: 'float64',
    per_core: { slice: 'float64' },
    history: { slice: 'float64' },
  },
};

/** type MemoryInfo struct */
const MemoryInfo: GoType = {
  struct: 'MemoryInfo',
  fields: {
    total: 'uint64',
    used: 'uint64',
    available: 'uint64',
    percent: 'float64',
    swap_total: 'uint64',
    swap_used: 'uint64',
    swap_percent: 'float64',
  },
};

/** type Filesystem struct */
const Filesystem: GoType = {
  struct: 'Filesystem',
  fields: {
    mount: 'string',
    device: 'string',
    fstype: 'string',
    total: 'uint64',
    used: 'uint64',
    percent: 'float64',
  },
};

/** type DiskIO struct */
const DiskIO: GoType = {
  struct: 'DiskIO',
  fields: {
    device: 'string',
    read_bytes_sec: 'uint64',
    write_bytes_sec: 'uint64',
    iops: 'uint64',
  },
};

/** type DiskInfo struct */
const DiskInfo: GoType = {
  struct: 'DiskInfo',
  fields: { filesystems: { slice: Filesystem }, io: { slice: DiskIO } },
};

/** type NetInterface struct */
const NetInterface: GoType = {
  struct: 'NetInterface',
  fields: {
    name: 'string',
    download_sec: 'uint64',
    upload_sec: 'uint64',
    ipv4: 'string',
    rx_bytes: 'uint64',
    tx_bytes: 'uint64',
    rx_errors: 'uint64',
    tx_errors: 'uint64',
    rx_drops: 'uint64',
    tx_drops: 'uint64',
    rx_err_rate: 'float64',
    tx_err_rate: 'float64',
    rx_drop_rate: 'float64',
    tx_drop_rate: 'float64',
  },
};

/** type NetworkInfo struct */
const NetworkInfo: GoType = {
  struct: 'NetworkInfo',
  fields: {
    total_download_sec: 'uint64',
    total_upload_sec: 'uint64',
    tcp_connections: 'uint32',
    tcp_states: { map: 'uint32' },
    udp_connections: 'uint32',
    conntrack_count: 'uint32',
    conntrack_max: 'uint32',
    interfaces: { slice: NetInterface },
  },
};

/** type LoadInfo struct */
const LoadInfo: GoType = {
  struct: 'LoadInfo',
  fields: { load1: 'float64', load5: 'float64', load15: 'float64' },
};

/** type ProcessEntry struct */
const ProcessEntry: GoType = {
  struct: 'ProcessEntry',
  fields: {
    pid: 'int32',
    ppid: 'int32',
    name: 'string',
    user: 'string',
    cpu_percent: 'float64',
    mem_percent: 'float32',
    rss: 'uint64',
    status: 'string',
    command: 'string',
    threads: 'int32',
    nice: 'int32',
    uptime: 'uint64',
    started_at_unix: 'int64',
  },
};

/** type ProcessInfo struct (also the answer of GET /api/v1/processes, internal/web/server.go) */
const ProcessInfo: GoType = {
  struct: 'ProcessInfo',
  fields: { total: 'int', list: { slice: ProcessEntry } },
};

/** type HealthWarning struct */
const HealthWarning: GoType = {
  struct: 'HealthWarning',
  fields: { level: 'string', code: 'string', message: 'string' },
};

/** type HealthInfo struct */
const HealthInfo: GoType = {
  struct: 'HealthInfo',
  fields: { score: 'int', warnings: { slice: HealthWarning } },
};

/** type Snapshot struct */
const Snapshot: GoType = {
  struct: 'Snapshot',
  fields: {
    timestamp: 'time.Time',
    system: SystemInfo,
    cpu: CPUInfo,
    memory: MemoryInfo,
    disk: DiskInfo,
    network: NetworkInfo,
    load: LoadInfo,
    processes: ProcessInfo,
    health: HealthInfo,
  },
};

/** handleHealthz (internal/web/server.go) writes a map[string]any: status and the hub's client count. */
const Healthz: GoType = { struct: 'healthz', fields: { status: 'string', ws_clients: 'int' } };

/** What each route answers in vminfo (internal/web/server.go handlers). */
const ROUTE_TYPES: Record<string, GoType> = {
  '/api/v1/snapshot': Snapshot,
  '/api/v1/cpu': CPUInfo,
  '/api/v1/memory': MemoryInfo,
  '/api/v1/disk': DiskInfo,
  '/api/v1/network': NetworkInfo,
  '/api/v1/system': SystemInfo,
  '/api/v1/health': HealthInfo,
  '/api/v1/processes': ProcessInfo,
  '/healthz': Healthz,
};

// ---------------------------------------------------------------------------------------------------
// encoding/json's rules for a number into a Go type, applied to the JSON text (a JavaScript number
// cannot tell "5" from "5.0"; Go refuses "5.0" for an integer): JSON.parse keeps each number's source.

class JsonNumber {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
}

function parseKeepingNumbers(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' ? new JsonNumber(context?.source ?? String(value)) : value,
  );
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int: [-(2n ** 63n), 2n ** 63n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};
const FLOAT32_MAX = 3.4028234663852886e38;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Decodes `value` into `type` as a Go client would, listing every field Go would refuse. Beyond Go:
 * a missing field or a null is listed too (Go keeps the zero value silently, and the dashboard would
 * show "undefined"); fields Go does not know are collected in `extra` (Go ignores them).
 */
function goDecode(
  value: unknown,
  type: GoType,
  at: string,
  problems: string[],
  extra: Set<string>,
): void {
  if (value === null) {
    problems.push(`${at}: null`);
    return;
  }
  if (typeof type === 'string') {
    if (type === 'any') return;
    if (type === 'string') {
      if (typeof value !== 'string') problems.push(`${at}: ${describeValue(value)} into string`);
      return;
    }
    if (type === 'time.Time') {
      if (typeof value !== 'string' || !RFC3339.test(value)) {
        problems.push(`${at}: ${describeValue(value)} is not an RFC 3339 time`);
      }
      return;
    }
    if (!(value instanceof JsonNumber)) {
      problems.push(`${at}: ${describeValue(value)} into ${type}`);
      return;
    }
    if (type === 'float64') return; // any JSON number
    if (type === 'float32') {
      if (Math.abs(Number(value.source)) > FLOAT32_MAX) {
        problems.push(`${at}: ${value.source} overflows float32`);
      }
      return;
    }
    const range = INT_RANGES[type] as [bigint, bigint];
    if (!/^-?(0|[1-9]\d*)$/.test(value.source)) {
      problems.push(`${at}: cannot unmarshal number ${value.source} into Go value of type ${type}`);
      return;
    }
    const n = BigInt(value.source);
    if (n < range[0] || n > range[1]) problems.push(`${at}: ${value.source} overflows ${type}`);
    return;
  }
  if ('slice' in type) {
    if (!Array.isArray(value)) {
      problems.push(`${at}: ${describeValue(value)} into a slice`);
      return;
    }
    value.forEach((item, i) => goDecode(item, type.slice, `${at}[${i}]`, problems, extra));
    return;
  }
  if (!isPlainObject(value)) {
    problems.push(`${at}: ${describeValue(value)} into ${'map' in type ? 'a map' : type.struct}`);
    return;
  }
  if ('map' in type) {
    for (const [k, v] of Object.entries(value)) {
      goDecode(v, type.map, `${at}.${k}`, problems, extra);
    }
    return;
  }
  for (const [name, fieldType] of Object.entries(type.fields)) {
    if (!(name in value)) problems.push(`${at}.${name}: missing (${type.struct})`);
    else goDecode(value[name], fieldType, `${at}.${name}`, problems, extra);
  }
  for (const key of Object.keys(value)) {
    if (!(key in type.fields)) extra.add(`${type.struct}.${key}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof JsonNumber)
  );
}

function describeValue(value: unknown): string {
  if (value instanceof JsonNumber) return `number ${value.source}`;
  if (Array.isArray(value)) return 'an array';
  return value === null
    ? 'null'
    : typeof value === 'object'
      ? 'an object'
      : `${typeof value} ${JSON.stringify(value)}`;
}

/** The problems a Go client meets decoding `text` into `type`. */
function goProblems(text: string, type: GoType, extra = new Set<string>()): string[] {
  const problems: string[] = [];
  goDecode(parseKeepingNumbers(text), type, '$', problems, extra);
  return problems;
}

describe('the Go decoding check itself', () => {
  it('refuses what encoding/json refuses, so the replay below can fail', () => {
    const io = (iops: string) =>
      `{"device":"sda","read_bytes_sec":1,"write_bytes_sec":2,"iops":${iops}}`;
    assert.deepEqual(goProblems(io('12'), DiskIO), []);
    assert.match(
      goProblems(io('12.5'), DiskIO).join(),
      /cannot unmarshal number 12\.5 into Go value of type uint64/,
    );
    assert.match(
      goProblems(io('12.0'), DiskIO).join(),
      /12\.0/,
      'Go refuses 12.0 for an integer too',
    );
    assert.match(goProblems(io('-1'), DiskIO).join(), /-1/);
    assert.match(goProblems(io('1e3'), DiskIO).join(), /1e3/);
    assert.match(goProblems(io('18446744073709551616'), DiskIO).join(), /overflows uint64/);
    assert.match(goProblems(io('"7"'), DiskIO).join(), /string "7" into uint64/);
    assert.match(goProblems(io('null'), DiskIO).join(), /iops: null/);
    assert.match(goProblems('{"device":"sda"}', DiskIO).join(), /iops: missing/);
    assert.match(goProblems('{"score":90.5,"warnings":[]}', HealthInfo).join(), /90\.5/);
    assert.match(
      goProblems('{"pid":1,"mem_percent":1e39}', ProcessEntry).join(),
      /overflows float32/,
    );
    assert.match(goProblems('{"timestamp":"yesterday"}', Snapshot).join(), /RFC 3339/);
    assert.deepEqual(goProblems('{"a":1,"b":2}', { map: 'uint32' }), []);
    assert.match(goProblems('{"a":1.5}', { map: 'uint32' }).join(), /\$\.a/);
  });
});

// ---------------------------------------------------------------------------------------------------
// The fields vminfo's dashboard reads (app.js at cloudapp3/vminfo c2374d6), with the JavaScript type its
// code needs: `number` where it does arithmetic, compares or calls toFixed, `string` where it escapes,
// compares or calls localeCompare. `[]` walks every element of an array.

type JsKind = 'string' | 'number' | 'array' | 'object' | 'date';

const DASHBOARD_READS: ReadonlyArray<readonly [string, JsKind]> = [
  ['timestamp', 'date'], // renderHeader: new Date(snap.timestamp)
  ['system.hostname', 'string'],
  ['system.os', 'string'], // renderSystem
  ['system.kernel', 'string'],
  ['system.arch', 'string'],
  ['system.cpu_model', 'string'],
  ['system.cores', 'number'],
  ['system.uptime_human', 'string'],
  ['processes.total', 'number'],
  ['disk.io', 'array'], // renderDiskIO
  ['disk.io[].device', 'string'],
  ['disk.io[].read_bytes_sec', 'number'],
  ['disk.io[].write_bytes_sec', 'number'],
  ['disk.io[].iops', 'number'],
  ['cpu.total_percent', 'number'], // renderResources
  ['memory.percent', 'number'],
  ['memory.used', 'number'],
  ['memory.total', 'number'],
  ['memory.swap_percent', 'number'],
  ['memory.swap_used', 'number'],
  ['memory.swap_total', 'number'],
  ['disk.filesystems', 'array'],
  ['disk.filesystems[0].percent', 'number'],
  ['disk.filesystems[0].used', 'number'],
  ['disk.filesystems[0].total', 'number'],
  ['cpu.history', 'array'],
  ['cpu.history[]', 'number'],
  ['cpu.avg_percent', 'number'],
  ['cpu.max_percent', 'number'],
  ['cpu.per_core', 'array'],
  ['cpu.per_core[]', 'number'],
  ['network.total_download_sec', 'number'], // pushNetHistory, renderNetwork
  ['network.total_upload_sec', 'number'],
  ['load.load1', 'number'],
  ['load.load5', 'number'],
  ['load.load15', 'number'],
  ['network.tcp_connections', 'number'],
  ['network.udp_connections', 'number'],
  ['network.interfaces', 'array'],
  ['network.interfaces[].name', 'string'],
  ['network.interfaces[].download_sec', 'number'],
  ['network.interfaces[].upload_sec', 'number'],
  ['network.interfaces[].ipv4', 'string'],
  ['network.interfaces[].rx_bytes', 'number'],
  ['network.interfaces[].tx_bytes', 'number'],
  ['network.tcp_states', 'object'], // renderNetworkConnections
  ['network.tcp_states.ESTABLISHED', 'number'],
  ['network.tcp_states.TIME_WAIT', 'number'],
  ['network.tcp_states.SYN_RECV', 'number'],
  ['network.tcp_states.CLOSE_WAIT', 'number'],
  ['network.tcp_states.FIN_WAIT', 'number'],
  ['network.tcp_states.LISTEN', 'number'],
  ['network.conntrack_count', 'number'],
  ['network.conntrack_max', 'number'],
  ['health.score', 'number'], // renderHealth
  ['health.warnings', 'array'],
  ['health.warnings[].level', 'string'],
  ['health.warnings[].code', 'string'],
  ['health.warnings[].message', 'string'],
  ['processes.list', 'array'], // renderHealth (top 5) and renderProcesses
  ['processes.list[].pid', 'number'],
  ['processes.list[].ppid', 'number'],
  ['processes.list[].name', 'string'],
  ['processes.list[].command', 'string'],
  ['processes.list[].user', 'string'],
  ['processes.list[].status', 'string'],
  ['processes.list[].cpu_percent', 'number'],
  ['processes.list[].mem_percent', 'number'],
  ['processes.list[].rss', 'number'],
  ['processes.list[].uptime', 'number'],
];

/** The values at a dotted path, `[]` fanning out over an array, `[0]` taking its first element. */
function valuesAt(root: unknown, pathText: string): unknown[] {
  let values: unknown[] = [root];
  for (const part of pathText.split('.')) {
    const m = /^([^[]*)(\[(\d*)\])?$/.exec(part) as RegExpExecArray;
    const [, name, bracket, index] = m;
    values = values.map((v) => (v as Record<string, unknown>)?.[name as string]);
    if (bracket !== undefined) {
      values = values.flatMap((v) => {
        if (!Array.isArray(v)) return [undefined];
        return index === '' ? v : [v[Number(index)]];
      });
    }
  }
  return values;
}

function checkDashboardReads(snapshot: unknown, where: string): void {
  for (const [field, kind] of DASHBOARD_READS) {
    for (const value of valuesAt(snapshot, field)) {
      const ok =
        kind === 'array'
          ? Array.isArray(value)
          : kind === 'object'
            ? isPlainObject(value)
            : kind === 'date'
              ? typeof value === 'string' && !Number.isNaN(new Date(value).getTime())
              : kind === 'number'
                ? typeof value === 'number' && Number.isFinite(value)
                : typeof value === kind;
      assert.ok(ok, `${where}: ${field} should be ${kind}, is ${JSON.stringify(value)}`);
    }
  }
}

/** What the dashboard shows as "Disk": filesystems[0] is vminfo's total of the mounts after it. */
function checkDiskTotal(snapshot: any, where: string): void {
  const [first, ...mounts] = snapshot.disk.filesystems as Array<Record<string, any>>;
  assert.ok(first, `${where}: a filesystem row`);
  assert.deepEqual(
    [first.mount, first.device, first.fstype],
    ['/', 'total', 'aggregate'],
    `${where}: filesystems[0] is vminfo's total row`,
  );
  assert.ok(mounts.length >= 1 && mounts[0]?.mount === '/', `${where}: the root mount follows`);
  const sum = (key: string) => mounts.reduce((s, m) => s + (m[key] as number), 0);
  assert.equal(first.total, sum('total'), `${where}: total`);
  assert.equal(first.used, sum('used'), `${where}: used`);
  assert.equal(
    first.percent,
    Math.round((first.used / first.total) * 1000) / 10,
    `${where}: used / total`,
  );
}

function checkTcpStates(snapshot: any, where: string): void {
  const states = snapshot.network.tcp_states as Record<string, number>;
  for (const name of ['FIN_WAIT1', 'FIN_WAIT2', 'FIN_WAIT']) {
    assert.equal(typeof states[name], 'number', `${where}: tcp_states.${name}`);
  }
  assert.equal(states.FIN_WAIT, (states.FIN_WAIT1 ?? 0) + (states.FIN_WAIT2 ?? 0), where);
}

// ---------------------------------------------------------------------------------------------------

let agent: RunningAgent;
/** The dashboard's page origin: it is served from the agent's own origin, so fetch and /ws are same-origin. */
let origin: string;
let scratch: string;
const heldSockets: net.Socket[] = [];
let holder: net.Server;

before(async () => {
  agent = await startAgent();
  origin = new URL(agent.url).origin;
  scratch = mkdtempSync(path.join(os.tmpdir(), 'bosun-vminfo-client-'));
  // Sockets in FIN_WAIT2 (and their peers in CLOSE_WAIT): the client ends its side, the server keeps
  // its own open, so the dashboard's FIN_WAIT bar has something real to show.
  holder = net.createServer({ allowHalfOpen: true }, (socket) => heldSockets.push(socket));
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address() as net.AddressInfo;
  for (let i = 0; i < 3; i++) {
    const client = net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => client.once('connect', resolve));
    client.end();
    heldSockets.push(client);
  }
});

after(async () => {
  for (const s of heldSockets) s.destroy();
  await new Promise<void>((resolve) => holder?.close(() => resolve()));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  await agent?.stop();
});

/** Some disk writes, so that the io rows have non-zero rates while the replay reads them. */
function touchDisk(): void {
  const file = path.join(scratch, `io-${Date.now()}`);
  writeFileSync(file, Buffer.alloc(256 * 1024, 1));
  const fd = openSync(file, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

async function getText(pathText: string, headers: Record<string, string> = {}) {
  const res = await fetch(agent.url + pathText, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Opens /ws as websocket.js does (ws:// on the page's host, Origin the page's) and takes `count` messages. */
function wsMessages(count: number, headers: Record<string, string> = {}): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${agent.url.replace(/^http/, 'ws')}/ws`, { origin, headers });
    const messages: string[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`only ${messages.length} of ${count} /ws messages`));
    }, 30_000);
    ws.on('message', (data) => {
      messages.push(String(data));
      if (messages.length === count) {
        clearTimeout(timer);
        ws.close();
        resolve(messages);
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe("vminfo's dashboard, replayed", () => {
  it('GET /api/v1/snapshot (its first request) gives every field it reads, with the types its code needs', async () => {
    touchDisk();
    const res = await getText('/api/v1/snapshot', { accept: '*/*', 'accept-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const snapshot = JSON.parse(res.text);
    checkDashboardReads(snapshot, 'GET /api/v1/snapshot');
    checkDiskTotal(snapshot, 'GET /api/v1/snapshot');
    checkTcpStates(snapshot, 'GET /api/v1/snapshot');
    assert.ok(snapshot.processes.list.length > 0, 'the process table and Top CPU have rows');
    assert.ok(snapshot.processes.list.length <= snapshot.processes.total);
  });

  it('/ws (its live stream) sends nothing but snapshots, each with every field it reads', async () => {
    touchDisk();
    const messages = await wsMessages(3);
    const seqs: number[] = [];
    for (const [i, text] of messages.entries()) {
      const snapshot = JSON.parse(text); // websocket.js: JSON.parse(event.data), then handleSnapshot
      checkDashboardReads(snapshot, `/ws message ${i}`);
      checkDiskTotal(snapshot, `/ws message ${i}`);
      checkTcpStates(snapshot, `/ws message ${i}`);
      assert.ok(snapshot.processes.list.length > 0, `/ws message ${i}: process rows`);
      seqs.push(snapshot.seq);
    }
    assert.ok((seqs[2] as number) > (seqs[0] as number), 'live: later messages are later samples');
  });

  it('shows FIN_WAIT: the sum of FIN_WAIT1 and FIN_WAIT2, both kept as vminfo has them', async () => {
    // The agent reads the TCP tables every 10th tick; wait for a reading that saw the held sockets.
    const deadline = Date.now() + 30_000;
    let states: Record<string, number> = {};
    while (Date.now() < deadline) {
      states = JSON.parse((await getText('/api/v1/network')).text).tcp_states;
      if ((states.FIN_WAIT2 ?? 0) >= 1 && (states.CLOSE_WAIT ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(
      (states.FIN_WAIT2 ?? 0) >= 1,
      `held FIN_WAIT2 sockets seen: ${JSON.stringify(states)}`,
    );
    assert.ok((states.FIN_WAIT ?? 0) >= 1);
    assert.equal(states.FIN_WAIT, (states.FIN_WAIT1 ?? 0) + (states.FIN_WAIT2 ?? 0));
  });

  it('shows whole IOPS', async () => {
    for (let i = 0; i < 3; i++) {
      touchDisk();
      const [text] = await wsMessages(2).then((m) => m.slice(1));
      for (const row of JSON.parse(text as string).disk.io) {
        assert.ok(
          Number.isSafeInteger(row.iops) && row.iops >= 0,
          `iops ${row.iops} of ${row.device}`,
        );
      }
    }
  });
});

describe('a Go client decoding into vminfo’s types', () => {
  it('decodes every route’s answer with no error, over several real samples', async () => {
    const extra = new Set<string>();
    for (let round = 0; round < 3; round++) {
      touchDisk();
      for (const [route, type] of Object.entries(ROUTE_TYPES)) {
        const res = await getText(route);
        assert.equal(res.status, 200, route);
        assert.deepEqual(goProblems(res.text, type, extra), [], `${route} (round ${round})`);
      }
      for (const query of ['sort=cpu', 'sort=mem&limit=10', 'sort=name', 'sort=pid&filter=node']) {
        const res = await getText(`/api/v1/processes?${query}`);
        assert.equal(res.status, 200, query);
        assert.deepEqual(goProblems(res.text, ProcessInfo, extra), [], query);
      }
      await new Promise((r) => setTimeout(r, 600)); // the next sample
    }
    // bosun's additions, which a Go client ignores: named here so a new one is a decision, not an accident.
    const additions = [
      'CPUInfo.modes',
      'DiskIO.util_percent',
      'Filesystem.available',
      'Filesystem.inodes_percent',
      'Filesystem.inodes_total',
      'Filesystem.inodes_used',
      'Filesystem.readonly',
      'MemoryInfo.buffers',
      'MemoryInfo.cached',
      'MemoryInfo.free',
      'ProcessInfo.matched',
      'Snapshot.seq',
      'SystemInfo.agent',
      'healthz.store',
    ];
    // Filesystem.error only on a mount whose statfs failed, which this host may or may not have.
    assert.deepEqual([...extra].filter((name) => name !== 'Filesystem.error').sort(), additions);
  });

  it('decodes every /ws message into Snapshot with no error', async () => {
    touchDisk();
    for (const text of await wsMessages(4)) {
      assert.deepEqual(goProblems(text, Snapshot), []);
    }
  });
});

describe('GET /api/v1/processes as vminfo answers it', () => {
  const list = async (query: string) => {
    const res = await getText(`/api/v1/processes?${query}`);
    assert.equal(res.status, 200, `${query}: ${res.text.slice(0, 200)}`);
    return JSON.parse(res.text) as { total: number; list: Array<Record<string, any>> };
  };
  const inOrder = <T>(rows: T[], before: (a: T, b: T) => boolean) =>
    rows.every((row, i) => i === 0 || !before(row, rows[i - 1] as T));

  it('sort=name: trimmed, case-insensitive, ties by pid', async () => {
    const { list: rows } = await list('sort=name');
    const key = (r: Record<string, any>) => String(r.name).trim().toLowerCase();
    assert.ok(rows.length > 1);
    assert.ok(
      inOrder(rows, (a, b) => key(a) < key(b) || (key(a) === key(b) && a.pid < b.pid)),
      rows.map((r) => r.name).join(', '),
    );
  });

  it('sort=mem: memory percent, highest first, in any case', async () => {
    for (const sort of ['mem', 'MEM']) {
      const { list: rows } = await list(`sort=${sort}`);
      assert.ok(
        inOrder(rows, (a, b) => a.mem_percent > b.mem_percent),
        sort,
      );
    }
  });

  it('an unknown sort falls back to cpu as vminfo does, not a 400', async () => {
    for (const sort of ['size', 'rss', '']) {
      const { list: rows } = await list(`sort=${sort}`);
      assert.ok(rows.length > 1);
      assert.ok(
        inOrder(
          rows,
          (a, b) =>
            a.cpu_percent > b.cpu_percent || (a.cpu_percent === b.cpu_percent && a.pid < b.pid),
        ),
        `sort=${sort}`,
      );
    }
  });

  it('filter, q when filter is blank, limit; a bad limit is a 400 in the native error shape', async () => {
    const byQ = await list(`filter=&q=${agent.child.pid}`);
    assert.ok(byQ.list.some((r) => r.pid === agent.child.pid));
    assert.equal((await list('limit=3')).list.length, 3);
    for (const limit of ['-1', 'ten', '2.5']) {
      const res = await getText(`/api/v1/processes?limit=${limit}`);
      assert.equal(res.status, 400, limit);
      const body = JSON.parse(res.text);
      assert.equal(body.error.code, 'INVALID_INPUT');
      assert.match(body.error.message, /limit/);
    }
  });
});

describe("vminfo's dashboard in token mode", () => {
  let secured: RunningAgent;
  const TOKEN = 'vminfo-client-token-0123456789';
  before(async () => {
    secured = await startAgent({ args: ['--token', TOKEN] });
  });
  after(async () => {
    await secured?.stop();
  });

  it('works after the page visit with ?token=: the snapshot and /ws carry the cookie', async () => {
    const visit = await fetch(`${secured.url}/?token=${TOKEN}`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    assert.equal(visit.status, 302);
    const cookie = (visit.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
    assert.ok(cookie.includes('='), 'a session cookie');

    const res = await fetch(`${secured.url}/api/v1/snapshot`, { headers: { cookie } });
    assert.equal(res.status, 200);
    const text = await res.text();
    checkDashboardReads(JSON.parse(text), 'token mode GET /api/v1/snapshot');
    assert.deepEqual(goProblems(text, Snapshot), []);

    const securedOrigin = new URL(secured.url).origin;
    const message = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${secured.url.replace(/^http/, 'ws')}/ws`, {
        origin: securedOrigin,
        headers: { cookie },
      });
      ws.once('message', (data) => {
        ws.close();
        resolve(String(data));
      });
      ws.once('unexpected-response', (_req, r) =>
        reject(new Error(`/ws answered ${r.statusCode}`)),
      );
      ws.once('error', reject);
    });
    checkDashboardReads(JSON.parse(message), 'token mode /ws');
    assert.deepEqual(goProblems(message, Snapshot), []);
  });
});
