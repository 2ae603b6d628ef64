import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { complete, renderCompletion, type AgentLookup, type Completion } from './completion.ts';
import { createProgram } from './program.ts';

const program = createProgram('0.0.0', () => {});
const values = (c: Completion): string[] =>
  c.files ? ['<files>'] : c.candidates.map((x) => x.value);
const at = (line: string[], lookup?: AgentLookup) => complete(program, line, lookup);

describe('complete', () => {
  it('offers the commands, then the subcommands of the one typed, by prefix', async () => {
    const top = values(await at(['']));
    for (const name of ['serve', 'jobs', 'runs', 'logs', 'completion', 'service', 'pipeline']) {
      assert.ok(top.includes(name), name);
    }
    assert.ok(!top.includes('__complete') && !top.includes('help'), 'hidden ones are not offered');
    assert.deepEqual(values(await at(['j'])), ['jobs']);
    assert.deepEqual(values(await at(['jobs', 'ru'])), ['run']);
    assert.deepEqual(
      values(await at(['jobs', 'list', ''])),
      [],
      'an alias, then nothing positional',
    );
  });

  it("offers a command's flags with their descriptions, --help too", async () => {
    const flags = await at(['jobs', 'ls', '--']);
    assert.ok(!flags.files);
    const limit = flags.candidates.find((c) => c.value === '--limit');
    assert.match(limit?.description ?? '', /jobs per page/);
    assert.ok(values(flags).includes('--help'));
    assert.deepEqual(values(await at(['jobs', 'ls', '--li'])), ['--limit']);
  });

  it("offers an option's choices, after a space or an =", async () => {
    assert.deepEqual(values(await at(['runs', 'ls', '--state', 'ti'])), ['timed_out']);
    assert.deepEqual(values(await at(['runs', 'ls', '--state=ru'])), ['--state=running']);
    assert.deepEqual(values(await at(['serve', '--log-format', ''])), ['auto', 'json', 'pretty']);
    assert.deepEqual(values(await at(['completion', ''])), ['bash', 'zsh', 'fish']);
  });

  it('lets the shell complete files where a file goes', async () => {
    assert.deepEqual(values(await at(['jobs', 'add', '-f', ''])), ['<files>']);
    assert.deepEqual(values(await at(['submit', 'pi'])), ['<files>']);
    assert.deepEqual(values(await at(['pipeline', 'run', ''])), ['<files>']);
  });

  it('skips the values of the flags before, so the positional is still known', async () => {
    const asked: Array<[string, string, unknown]> = [];
    const lookup: AgentLookup = async (what, prefix, flags) => {
      asked.push([what, prefix, flags]);
      return [{ value: `${prefix}x`, description: 'a job' }];
    };
    const line = ['jobs', 'show', '--url', 'http://db1:8600', '--token=t', 'ba'];
    assert.deepEqual(values(await at(line, lookup)), ['bax']);
    assert.deepEqual(asked, [['job', 'ba', { url: 'http://db1:8600', token: 't' }]]);
    await at(['runs', 'ls', '--job', 'ni'], lookup);
    await at(['logs', '12'], lookup);
    assert.deepEqual(
      asked.slice(1).map(([what, prefix]) => [what, prefix]),
      [
        ['job', 'ni'],
        ['run', '12'],
      ],
    );
  });

  it('offers nothing when the agent cannot answer, and never throws', async () => {
    const failing: AgentLookup = async () => {
      throw new Error('ECONNREFUSED');
    };
    assert.deepEqual(values(await at(['jobs', 'show', ''], failing)), []);
    assert.deepEqual(values(await at(['jobs', 'show', ''])), []);
  });
});

describe('renderCompletion', () => {
  it('writes the kind first, then value<TAB>description lines on one line each', () => {
    assert.equal(renderCompletion({ files: true }), 'files\n');
    assert.equal(
      renderCompletion({
        files: false,
        candidates: [
          { value: 'ls', description: 'list\n  jobs' },
          { value: 'bash', description: '' },
        ],
      }),
      'words\nls\tlist jobs\nbash\n',
    );
  });
});
