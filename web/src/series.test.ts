import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSeries, pointOf } from './series.ts';
import type { HistoryPoint, Snapshot } from './types.ts';

function point(t: number, cpu = t): HistoryPoint {
  return {
    t,
    cpu,
    mem: 50,
    swap: 0,
    load1: 0,
    net_rx: 1,
    net_tx: 2,
    disk_r: 3,
    disk_w: 4,
    score: 100,
  };
}

test('appends in order and ignores the same tick seen twice', () => {
  const s = createSeries();
  s.setInterval(1);
  assert.equal(s.add([point(100), point(101), point(102)]), true);
  assert.equal(s.add([point(102)]), false, 'the /ws copy of the last history point');
  assert.equal(s.add([point(102.1)]), false, 'within a quarter interval is the same tick');
  s.add([point(103)]);
  assert.deepEqual(s.t, [100, 101, 102, 103]);
  assert.deepEqual(s.values.cpu, [100, 101, 102, 103]);
  assert.equal(s.lastT(), 103);
});

test('a gap of several intervals gets a null row so the line breaks', () => {
  const s = createSeries();
  s.setInterval(3);
  s.add([point(0), point(3), point(60)]);
  assert.deepEqual(s.t, [0, 3, 6, 60]);
  assert.deepEqual(s.values.cpu, [0, 3, null, 60]);
});

test('a coarser history than the nominal interval is not taken for gaps', () => {
  const s = createSeries();
  s.setInterval(0.5);
  s.add([point(0), point(3), point(6), point(9)]);
  assert.deepEqual(s.values.cpu, [0, 3, 6, 9]);
});

test('late points (history after /ws) are merged in order', () => {
  const s = createSeries();
  s.setInterval(1);
  s.add([point(10), point(11)]);
  assert.equal(s.add([point(7), point(8), point(9), point(10)]), true);
  assert.deepEqual(s.t, [7, 8, 9, 10, 11]);
  assert.deepEqual(s.values.cpu, [7, 8, 9, 10, 11]);
});

test('keeps about maxAge seconds, trimming in batches', () => {
  const s = createSeries(600);
  s.setInterval(1);
  const points: HistoryPoint[] = [];
  for (let t = 0; t < 1000; t++) points.push(point(t));
  s.add(points);
  assert.ok(s.t.length <= 600 + 101, `kept ${s.t.length}`);
  assert.equal(s.lastT(), 999);
  assert.ok((s.t[0] as number) >= 999 - 600 - 101);
  assert.equal(s.values.cpu.length, s.t.length);
});

test('indexAt finds the first point at or after a time', () => {
  const s = createSeries();
  s.setInterval(1);
  s.add([point(10), point(11), point(12)]);
  assert.equal(s.indexAt(0), 0);
  assert.equal(s.indexAt(11), 1);
  assert.equal(s.indexAt(11.5), 2);
  assert.equal(s.indexAt(99), 3);
});

test('pointOf sums disk I/O over devices', () => {
  const snapshot = {
    timestamp: '2026-06-14T12:00:00.000Z',
    cpu: { total_percent: 12.5 },
    memory: { percent: 40, swap_percent: 1 },
    load: { load1: 0.7 },
    network: { total_download_sec: 100, total_upload_sec: 50 },
    disk: {
      io: [
        { read_bytes_sec: 10, write_bytes_sec: 20 },
        { read_bytes_sec: 1, write_bytes_sec: 2 },
      ],
    },
    health: { score: 90 },
  } as unknown as Snapshot;
  assert.deepEqual(pointOf(snapshot), {
    t: Date.parse('2026-06-14T12:00:00Z') / 1000,
    cpu: 12.5,
    mem: 40,
    swap: 1,
    load1: 0.7,
    net_rx: 100,
    net_tx: 50,
    disk_r: 11,
    disk_w: 22,
    score: 90,
  });
});
