import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LEASE_MS, leaseTiming, MIN_LEASE_MS } from './lease-timing.ts';

test('every run is dead by every hand before its lease can be taken over, at any lease', () => {
  for (const leaseMs of [MIN_LEASE_MS, DEFAULT_LEASE_MS, 30_000, 600_000]) {
    const t = leaseTiming(leaseMs);
    const agentKillsBy = t.fenceAfterMs + t.fenceGraceMs;
    assert.ok(agentKillsBy < t.helperKillAfterMs, 'the helper is the backstop, not the first');
    assert.ok(t.helperKillAfterMs < t.leaseMs, 'fence + grace + slack < lease');
    // The worst case: the outage begins as a renewal is due; one is retried every renewRetryMs.
    const ridesOut = t.fenceAfterMs - t.renewMs - t.renewRetryMs;
    assert.ok(ridesOut >= leaseMs * 0.45, 'an outage of nearly half the lease is ridden out');
    assert.ok(t.reapMs <= t.renewMs);
  }
  const d = leaseTiming(DEFAULT_LEASE_MS);
  assert.ok(d.leaseMs + d.reapMs <= 15_000, 'a dead node fails over within 15 s');
  assert.ok(d.fenceAfterMs - d.renewMs - d.renewRetryMs >= 5000, 'a 5 s outage kills no run');
});
