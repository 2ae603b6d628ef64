// parseJobFile: YAML and JSON in, read-only fields out, clear errors for what cannot be a job.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJobFile } from './job-file.ts';

describe('parseJobFile', () => {
  it('reads YAML', async () => {
    const job = await parseJobFile(
      'name: backup\ncmd: echo hi\nschedules:\n  - kind: every\n    everySec: 60\n',
      'job.yaml',
    );
    assert.deepEqual(job, {
      name: 'backup',
      cmd: 'echo hi',
      schedules: [{ kind: 'every', everySec: 60 }],
    });
  });

  it('reads JSON and drops what the agent keeps itself', async () => {
    const shown = {
      id: '1',
      name: 'backup',
      cmd: 'x',
      version: 3,
      lastRun: null,
      nextRunAt: null,
      schedules: [
        { id: '2', kind: 'every', everySec: 5, nextFireAt: null, description: 'every 5s' },
      ],
      webhooks: [
        { url: 'https://a', events: ['failed'], secret: '***' },
        { url: 'https://b', events: ['failed'], secret: 'new-one' },
      ],
    };
    const job = await parseJobFile(JSON.stringify(shown), 'job.json');
    assert.deepEqual(job, {
      name: 'backup',
      cmd: 'x',
      schedules: [{ kind: 'every', everySec: 5 }],
      // "***" goes back as it is: the agent keeps the stored secret for it.
      webhooks: [
        { url: 'https://a', events: ['failed'], secret: '***' },
        { url: 'https://b', events: ['failed'], secret: 'new-one' },
      ],
    });
  });

  it('names the file and the line of a syntax error', async () => {
    await assert.rejects(parseJobFile('name: a\ncmd: [unclosed\n', 'bad.yaml'), (err: Error) => {
      assert.match(err.message, /^bad\.yaml is not valid YAML or JSON: .*line \d+/);
      return true;
    });
  });

  it('refuses a list, a scalar, an empty file and a job without a name', async () => {
    await assert.rejects(parseJobFile('- a\n- b\n', 'f'), /f must hold one job.*got a list/);
    await assert.rejects(parseJobFile('hello', 'f'), /got string/);
    await assert.rejects(parseJobFile('', 'f'), /f is empty/);
    await assert.rejects(parseJobFile('cmd: x', 'f'), /"name" is missing/);
  });
});
