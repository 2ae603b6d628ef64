import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { describe, it } from 'node:test';
import { releaseStartupMemory } from './startup-memory.ts';

const newSpaceSize = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

describe('releaseStartupMemory', () => {
  it('shrinks the young generation a start-up burst grew', async () => {
    // Objects that survive scavenges make V8 grow the young generation, as loading modules does.
    let kept: unknown[] = [];
    for (let i = 0; i < 400_000; i++) {
      kept.push({ i, s: `x${i}` });
      if (kept.length > 100_000) kept = [];
    }
    const grown = newSpaceSize();
    assert.ok(grown > 2 << 20, `the burst should grow the young generation (${grown} bytes)`);
    releaseStartupMemory(0);
    await sleep(20);
    assert.ok(newSpaceSize() <= grown / 4, `${newSpaceSize()} of ${grown} bytes left`);
    assert.ok(kept.length > 0);
  });
});
