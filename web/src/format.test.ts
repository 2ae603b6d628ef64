import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatBytes,
  formatBytesShort,
  formatCount,
  formatLoad,
  formatPercent,
  formatPerSec,
  formatRate,
  healthLevel,
  scoreLevel,
  truncate,
  usageLevel,
} from './format.ts';

test('formatBytes uses binary units and keeps columns narrow', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1.0 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(10 * 1024 * 1024), '10.0 MiB');
  assert.equal(formatBytes(150 * 1024 * 1024), '150 MiB');
  assert.equal(formatBytes(8 * 1024 ** 3), '8.0 GiB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3.0 TiB');
  assert.equal(formatBytes(-2048), '-2.0 KiB');
  assert.equal(formatBytes(Number.NaN), '–');
});

test('formatRate appends /s', () => {
  assert.equal(formatRate(0), '0 B/s');
  assert.equal(formatRate(2.5 * 1024 * 1024), '2.5 MiB/s');
});

test('formatBytesShort fits an axis', () => {
  assert.equal(formatBytesShort(0), '0');
  assert.equal(formatBytesShort(512), '512');
  assert.equal(formatBytesShort(1024), '1K');
  assert.equal(formatBytesShort(1536), '1.5K');
  assert.equal(formatBytesShort(20 * 1024 * 1024), '20M');
  assert.equal(formatBytesShort(3 * 1024 ** 3), '3G');
  assert.equal(formatBytesShort(Number.POSITIVE_INFINITY), '');
});

test('formatPercent keeps one decimal', () => {
  assert.equal(formatPercent(0), '0.0%');
  assert.equal(formatPercent(12.345), '12.3%');
  assert.equal(formatPercent(100), '100.0%');
  assert.equal(formatPercent(7, 0), '7%');
  assert.equal(formatPercent(Number.NaN), '–');
});

test('formatCount, formatLoad and formatPerSec', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(3.6), '4');
  assert.equal(formatLoad(0.5), '0.50');
  assert.equal(formatLoad(12.345), '12.35');
  assert.equal(formatPerSec(0), '0');
  assert.equal(formatPerSec(0.25), '0.3/s');
  assert.equal(formatPerSec(12.4), '12/s');
});

test('usageLevel and scoreLevel bands', () => {
  assert.equal(usageLevel(79.9), 'ok');
  assert.equal(usageLevel(80), 'warn');
  assert.equal(usageLevel(90), 'crit');
  assert.equal(usageLevel(86, 85, 95), 'warn');
  assert.equal(scoreLevel(100), 'ok');
  assert.equal(scoreLevel(90), 'ok');
  assert.equal(scoreLevel(80), 'warn');
  assert.equal(scoreLevel(59), 'crit');
  assert.equal(scoreLevel(0), 'crit');
});

test('healthLevel: amber while any warning stands, red for a critical', () => {
  assert.equal(healthLevel(100, []), 'ok');
  assert.equal(healthLevel(90, ['warning']), 'warn');
  assert.equal(healthLevel(80, ['critical']), 'crit');
  assert.equal(healthLevel(50, ['warning', 'warning', 'warning', 'warning', 'warning']), 'crit');
});

test('truncate keeps the start and marks the cut', () => {
  assert.equal(truncate('short', 10), 'short');
  assert.equal(truncate('exactly10!', 10), 'exactly10!');
  assert.equal(truncate('a long command line', 8), 'a long …');
  assert.equal(truncate('a long command line', 8).length, 8);
});
