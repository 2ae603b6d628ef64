import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPinnedClock } from '../clock.ts';
import { createMonitor, type MonitorLogger } from './collector.ts';
import type { Monitor, Sample } from './monitor.ts';
import { parsePasswd } from './passwd.ts';
import { parsePidStat } from '../proc/pid-stat.ts';
import { detectPageSize } from './process-list.ts';

const quiet: MonitorLogger = { info() {}, warn() {}, error() {}, debug() {} };
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

/** Resolves with the next `count` samples a subscriber sees. */
function nextSamples(monitor: Monitor, count: number): Promise<Sample[]> {
  return new Promise((resolve) => {
    const seen: Sample[] = [];
    const off = monitor.subscribe((s) => {
      seen.push(s);
      if (seen.length === count) {
        off();
        resolve(seen);
      }
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const keys = (o: object) => Object.keys(o).sort();

describe('createMonitor on the real /proc', () => {
  let monitor: Monitor;

  before(async () => {
    monitor = createMonitor({ intervalMs: 200, logger: quiet, version: '9.9.9-test' });
    await monitor.start();
  });

  after(() => monitor.stop());

  it('has a sample with every vminfo field as soon as start() resolves', () => {
    const sample = monitor.latest();
    assert.ok(sample);
    const s = sample.snapshot;
    assert.deepEqual(keys(s), [
      'cpu',
      'disk',
      'health',
      'load',
      'memory',
      'network',
      'processes',
      'seq',
      'system',
      'timestamp',
    ]);
    assert.deepEqual(keys(s.system), [
      'agent',
      'arch',
      'cores',
      'cpu_model',
      'hostname',
      'kernel',
      'os',
      'uptime_human',
      'uptime_seconds',
    ]);
    assert.deepEqual(keys(s.cpu), [
      'avg_percent',
      'frequency_mhz',
      'history',
      'max_percent',
      'modes',
      'per_core',
      'total_percent',
    ]);
    for (const k of [
      'total',
      'used',
      'available',
      'percent',
      'swap_total',
      'swap_used',
      'swap_percent',
    ]) {
      assert.equal(typeof (s.memory as unknown as Record<string, unknown>)[k], 'number', k);
    }
    assert.deepEqual(keys(s.disk), ['filesystems', 'io']);
    for (const k of [
      'total_download_sec',
      'total_upload_sec',
      'tcp_connections',
      'tcp_states',
      'udp_connections',
      'conntrack_count',
      'conntrack_max',
      'interfaces',
    ]) {
      assert.ok(k in s.network, k);
    }
    assert.deepEqual(keys(s.load), ['load1', 'load15', 'load5']);
    assert.deepEqual(keys(s.processes), ['list', 'total']);
    assert.deepEqual(keys(s.health), ['score', 'warnings']);
    assert.equal(sample.json, JSON.stringify(s));
    assert.ok(Math.abs(Date.parse(s.timestamp) - sample.at) < 1);
  });

  it('reports sane values', () => {
    const s = monitor.latest()?.snapshot;
    assert.ok(s);
    assert.ok(s.system.cores >= 1);
    assert.equal(s.cpu.per_core.length, s.system.cores);
    assert.ok(s.cpu.total_percent >= 0 && s.cpu.total_percent <= 100);
    assert.ok(s.memory.total > 0);
    assert.ok(s.memory.used <= s.memory.total);
    // vminfo's total first, then the mounts, the root mount first.
    const [total, root, ...others] = s.disk.filesystems;
    assert.deepEqual([total?.mount, total?.device, total?.fstype], ['/', 'total', 'aggregate']);
    assert.equal(root?.mount, '/');
    assert.ok((root?.total ?? 0) > 0);
    assert.equal(total?.total, (root?.total ?? 0) + others.reduce((sum, f) => sum + f.total, 0));
    assert.equal(total?.used, (root?.used ?? 0) + others.reduce((sum, f) => sum + f.used, 0));
    assert.ok(s.network.interfaces.length >= 1);
    assert.ok(s.processes.total >= 1);
    assert.ok(s.system.uptime_seconds > 0);
    assert.equal(s.system.agent.pid, process.pid);
    assert.equal(s.system.agent.version, '9.9.9-test');
    assert.ok(s.system.agent.rss > 0);
    assert.ok(s.health.score >= 0 && s.health.score <= 100);
  });

  it('publishes samples with increasing seq and a process list to subscribers', async () => {
    const [a, b] = await nextSamples(monitor, 2);
    assert.ok(a && b);
    assert.equal(b.snapshot.seq, a.snapshot.seq + 1);
    assert.equal(b.hasProcesses, true);
    const self = b.snapshot.processes.list.find((p) => p.pid === process.pid);
    assert.ok(self, 'the test process is listed');
    const own = parsePidStat(readFileSync('/proc/self/stat', 'utf8'));
    assert.equal(self.ppid, process.ppid);
    assert.equal(self.name, own?.name);
    assert.ok(self.rss > 0);
    assert.ok(self.command.length > 0);
    const list = b.snapshot.processes.list;
    for (let i = 1; i < list.length; i++) {
      const p = list[i - 1];
      const q = list[i];
      assert.ok(
        p &&
          q &&
          (p.cpu_percent > q.cpu_percent || (p.cpu_percent === q.cpu_percent && p.pid < q.pid)),
      );
    }
  });

  it('grows the history and the CPU history', async () => {
    const before = monitor.history().length;
    const cpuBefore = monitor.latest()?.snapshot.cpu.history.length ?? 0;
    await nextSamples(monitor, 2);
    assert.ok(monitor.history().length >= before + 2);
    assert.ok((monitor.latest()?.snapshot.cpu.history.length ?? 0) >= cpuBefore + 2);
    const last = monitor.history().at(-1);
    assert.ok(last);
    assert.deepEqual(monitor.history(last.t * 1000 - 1), [last]);
  });

  it('reports how long each collector took', () => {
    const d = monitor.collectorDurations();
    for (const k of ['cpu', 'memory', 'network', 'disk_io', 'filesystems', 'load', 'total']) {
      assert.equal(typeof d[k], 'number', k);
    }
  });
});

describe('createMonitor without subscribers', () => {
  it('collects the process list on demand, once per tick, then keeps it on', async () => {
    const monitor = createMonitor({ intervalMs: 200, logger: quiet, version: 'x' });
    try {
      await monitor.start();
      const plain = monitor.latest();
      assert.ok(plain);
      assert.equal(plain.hasProcesses, false);
      assert.deepEqual(plain.snapshot.processes.list, []);
      assert.ok(plain.snapshot.processes.total > 1);

      const a = monitor.latestWithProcesses();
      const b = monitor.latestWithProcesses();
      assert.ok(a);
      assert.equal(a, b, 'one walk per tick');
      assert.equal(a.snapshot.seq, plain.snapshot.seq);
      assert.equal(a.hasProcesses, true);
      assert.ok(a.snapshot.processes.list.some((p) => p.pid === process.pid));
      assert.equal(a.json, JSON.stringify(a.snapshot));
      assert.equal(monitor.latest(), plain, 'the tick sample is left as it was');

      // The list stays on for the next ticks.
      await sleep(450);
      const later = monitor.latest();
      assert.ok(later && later.snapshot.seq > plain.snapshot.seq);
      assert.equal(later.hasProcesses, true);
      assert.equal(monitor.latestWithProcesses(), later);
    } finally {
      await monitor.stop();
    }
  });

  it('stops ticking after stop()', async () => {
    const monitor = createMonitor({ intervalMs: 100, logger: quiet, version: 'x' });
    await monitor.start();
    await sleep(250);
    await monitor.stop();
    const seq = monitor.latest()?.snapshot.seq;
    await sleep(350);
    assert.equal(monitor.latest()?.snapshot.seq, seq);
  });

  it('rejects a non-positive interval', () => {
    assert.throws(() => createMonitor({ intervalMs: 0, logger: quiet, version: 'x' }), /positive/);
  });
});

describe('createMonitor on a fixture tree', () => {
  const BOOT = 1_700_000_000;
  let dir: string;
  let proc: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-monitor-'));
    proc = join(dir, 'proc');
    cpSync(join(fixtures, 'proc'), proc, { recursive: true });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('wires the parsers together deterministically, rates included', async () => {
    const clock = createPinnedClock((BOOT + 100_000) * 1000);
    const warnings: string[] = [];
    const logger: MonitorLogger = { ...quiet, warn: (_obj, msg) => warnings.push(msg ?? '') };
    const monitor = createMonitor({
      intervalMs: 100,
      logger,
      clock,
      version: 'x',
      procRoot: proc,
      etcRoot: join(fixtures, 'etc'),
    });
    try {
      await monitor.start();
      const first = monitor.latest();
      assert.ok(first);
      const s = first.snapshot;
      assert.equal(s.timestamp, '2023-11-16T02:00:00.000Z');
      assert.equal(s.system.os, 'Fixture Linux 1.0');
      assert.equal(s.system.cpu_model, 'Fixture CPU @ 2.00GHz');
      assert.equal(s.system.cores, 2);
      assert.equal(s.system.uptime_seconds, 100_000);
      assert.equal(s.system.uptime_human, '1d 3h 46m');
      assert.equal(s.cpu.frequency_mhz, 2500);
      assert.equal(s.cpu.total_percent, 0, 'no tick passed between two identical readings');
      assert.deepEqual(s.memory, {
        total: 8_192_000_000,
        used: 4_096_000_000,
        available: 4_096_000_000,
        percent: 50,
        swap_total: 1_024_000_000,
        swap_used: 256_000_000,
        swap_percent: 25,
        free: 2_048_000_000,
        buffers: 102_400_000,
        cached: 1_024_000_000,
      });
      assert.deepEqual(s.load, { load1: 1.5, load5: 1, load15: 0.5 });
      assert.deepEqual(
        s.disk.filesystems.map((f) => [f.mount, f.device, f.fstype, f.error]),
        [
          ['/', 'total', 'aggregate', undefined],
          ['/', '/dev/vda', 'ext4', undefined],
          ['/nonexistent-bosun-fixture-mount', '/dev/vdb', 'ext4', 'ENOENT'],
        ],
      );
      assert.deepEqual(
        s.disk.io.map((d) => d.device),
        ['vda'],
      );
      assert.equal(s.network.tcp_connections, 8);
      assert.equal(s.network.udp_connections, 4);
      assert.equal(s.network.conntrack_count, 100);
      assert.equal(s.network.conntrack_max, 1000);
      assert.deepEqual(s.network.tcp_states, {
        ESTABLISHED: 3,
        SYN_SENT: 0,
        SYN_RECV: 1,
        FIN_WAIT1: 0,
        FIN_WAIT2: 0,
        TIME_WAIT: 1,
        CLOSE: 0,
        CLOSE_WAIT: 1,
        LAST_ACK: 0,
        LISTEN: 3,
        CLOSING: 0,
        FIN_WAIT: 0,
      });
      assert.deepEqual(
        s.network.interfaces.map((i) => i.name),
        ['eth0', 'docker0', 'lo'],
      );
      assert.equal(s.processes.total, 3);
      assert.deepEqual(s.processes.list, []);
      assert.deepEqual(
        s.health.warnings.filter((w) => w.code !== 'disk_high' && w.code !== 'inodes_high'),
        [],
      );
      assert.equal(first.raw.bootTimeSeconds, BOOT);
      assert.equal(first.raw.procsBlocked, 1);
      assert.deepEqual(first.raw.cpuSeconds['1'], {
        user: 5,
        nice: 0,
        system: 2.5,
        idle: 40,
        iowait: 0.5,
        irq: 0,
        softirq: 0.25,
        steal: 0,
      });
      assert.deepEqual(first.raw.sockstat, { tcpInuse: 5, tcpTw: 2, udpInuse: 3 });
      assert.equal(first.raw.disks[0]?.readBytes, 20000 * 512);
      assert.equal(first.raw.interfaces.find((i) => i.device === 'eth0')?.rxBytes, 1_000_000);

      // In the listener of one tick, move the counters on and the clock by 3 s; the next tick must
      // see exactly those deltas.
      const changed = new Promise<Sample>((resolve) => {
        let armed = false;
        const off = monitor.subscribe((sample) => {
          if (!armed) {
            armed = true;
            writeFileSync(
              join(proc, 'stat'),
              readFileSync(join(proc, 'stat'), 'utf8')
                .replace('cpu  1000 0 500 8000', 'cpu  1300 0 500 8300')
                .replace('cpu0 500 0 250 4000', 'cpu0 650 0 250 4150')
                .replace('cpu1 500 0 250 4000', 'cpu1 650 0 250 4150'),
            );
            writeFileSync(
              join(proc, 'net/dev'),
              readFileSync(join(proc, 'net/dev'), 'utf8').replace(
                'eth0: 1000000    1000    0',
                'eth0: 4000000    1000   30',
              ),
            );
            writeFileSync(
              join(proc, 'diskstats'),
              readFileSync(join(proc, 'diskstats'), 'utf8').replace(
                'vda 1000 0 20000 500 2000 0 40000 900 0 1500',
                'vda 1300 0 26000 500 2000 0 40000 900 0 3000',
              ),
            );
            writeFileSync(
              join(proc, '4242/stat'),
              readFileSync(join(proc, '4242/stat'), 'utf8').replace(' 250 50 ', ' 400 50 '),
            );
            clock.advance(3000);
            assert.equal(sample.hasProcesses, true);
            return;
          }
          off();
          resolve(sample);
        });
      });
      const next = (await changed).snapshot;
      assert.equal(next.cpu.total_percent, 50);
      assert.deepEqual(next.cpu.per_core, [50, 50]);
      assert.equal(next.cpu.modes.user, 50);
      assert.equal(next.cpu.modes.idle, 50);
      const eth0 = next.network.interfaces.find((i) => i.name === 'eth0');
      assert.equal(eth0?.download_sec, 1_000_000);
      assert.equal(eth0?.rx_err_rate, 10);
      assert.equal(next.network.total_download_sec, 1_000_000);
      assert.deepEqual(next.disk.io, [
        {
          device: 'vda',
          read_bytes_sec: 1_024_000,
          write_bytes_sec: 0,
          iops: 100,
          util_percent: 50,
        },
      ]);
      assert.ok(
        next.health.warnings.some(
          (w) => w.code === 'network_errors' && w.message === 'network interface errors 10/s',
        ),
      );

      const owner = statSync(join(proc, '4242')).uid;
      const user =
        parsePasswd(readFileSync(join(fixtures, 'etc/passwd'), 'utf8')).get(owner) ?? String(owner);
      const pageSize = detectPageSize();
      assert.deepEqual(next.processes.list[0], {
        pid: 4242,
        ppid: 1,
        name: '(a) b)',
        user,
        cpu_percent: 50,
        mem_percent: Math.round(((381 * pageSize) / 8_192_000_000) * 1000) / 10,
        rss: 381 * pageSize,
        status: 'R',
        command: 'python3 -c loop()',
        threads: 3,
        nice: 5,
        uptime: 99_988,
        started_at_unix: BOOT + 15,
      });
      assert.deepEqual(
        next.processes.list.map((p) => p.pid),
        [4242, 1, 2],
      );
      assert.equal(next.processes.list[2]?.command, 'kthreadd');

      const point = monitor.history().at(-1);
      assert.equal(point?.cpu, 50);
      assert.equal(point?.net_rx, 1_000_000);
      assert.equal(point?.disk_r, 1_024_000);
      assert.equal(point?.t, BOOT + 100_003);
      assert.deepEqual(warnings, [], 'a fixture tree with every file logs nothing');
    } finally {
      await monitor.stop();
    }
  });

  it('logs a missing file once and keeps ticking', async () => {
    const broken = join(dir, 'broken');
    cpSync(join(fixtures, 'proc'), broken, { recursive: true });
    rmSync(join(broken, 'loadavg'));
    const warnings: Array<{ obj: object; msg?: string }> = [];
    const logger: MonitorLogger = { ...quiet, warn: (obj, msg) => warnings.push({ obj, msg }) };
    const monitor = createMonitor({
      intervalMs: 50,
      logger,
      version: 'x',
      procRoot: broken,
      etcRoot: join(fixtures, 'etc'),
    });
    try {
      await monitor.start();
      await nextSamples(monitor, 3);
      assert.deepEqual(monitor.latest()?.snapshot.load, { load1: 0, load5: 0, load15: 0 });
      assert.equal(monitor.latest()?.snapshot.memory.total, 8_192_000_000);
      assert.equal(warnings.length, 1);
      assert.equal((warnings[0]?.obj as { collector?: string }).collector, 'load');
    } finally {
      await monitor.stop();
    }
  });
});
