import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJobLabels, jobNamePattern, OTHER_JOBS } from './job-label.ts';

describe('jobNamePattern', () => {
  it('replaces the generated parts of a name with *', () => {
    assert.equal(jobNamePattern('seatunnel-job-1a2b3c4d'), 'seatunnel-job-*');
    assert.equal(jobNamePattern('seatunnel-1234567890123'), 'seatunnel-*');
    assert.equal(
      jobNamePattern('seatunnel-job-0f8fad5b-d9cb-469f-a165-70867728950e'),
      'seatunnel-job-*',
    );
    assert.equal(jobNamePattern('export-20261207-nightly'), 'export-*-nightly');
  });

  it('keeps names a person wrote', () => {
    for (const name of [
      'backup',
      'pg-dump-app',
      'report_v2',
      'deadbeef',
      'cafe-1234',
      'etl-2026',
    ]) {
      assert.equal(jobNamePattern(name), name);
    }
  });
});

describe('createJobLabels', () => {
  it('gives generated names one value, however many there are', () => {
    const labels = createJobLabels(10);
    for (let i = 0; i < 1000; i++) {
      assert.equal(
        labels.of(`seatunnel-job-${(0x10000000 + i * 7919).toString(16)}`),
        'seatunnel-job-*',
      );
    }
    assert.equal(labels.size, 1);
  });

  it('counts every name past the cap under other, and keeps the values already given', () => {
    const labels = createJobLabels(3);
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e', 'a', 'c'].map((n) => labels.of(n)),
      ['a', 'b', 'c', OTHER_JOBS, OTHER_JOBS, 'a', 'c'],
    );
    assert.equal(labels.size, 3);
  });

  it('does not let a job named other take a value of its own', () => {
    const labels = createJobLabels(3);
    assert.equal(labels.of('other'), OTHER_JOBS);
    assert.equal(labels.size, 0);
  });
});
