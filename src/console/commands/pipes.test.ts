// grep and wc as pipe stages, and cat with its size cap.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STATUS } from '../model.ts';
import { CAT_LIMIT_BYTES, catCommand } from './cat.ts';
import { grepStage } from './grep.ts';
import {
  createTestDeps,
  failure,
  runCommand,
  runStage,
  type TestDeps,
} from '../../../test/support/console-commands.ts';
import { wcStage } from './wc.ts';

const LINES = ['alpha one', 'Beta two', 'gamma three', 'delta four', 'beta five', 'zeta six'];

describe('grep', () => {
  it('keeps lines containing the text, case-sensitive by default', () => {
    assert.deepEqual(runStage(grepStage, ['beta'], LINES), ['beta five']);
  });

  it('-i ignores case, -v inverts, -n numbers the lines', () => {
    assert.deepEqual(runStage(grepStage, ['-i', 'beta'], LINES), ['Beta two', 'beta five']);
    assert.deepEqual(runStage(grepStage, ['-v', '-i', 'e'], LINES), []);
    assert.deepEqual(runStage(grepStage, ['-n', 'ta'], LINES), [
      '2:Beta two',
      '4:delta four',
      '5:beta five',
      '6:zeta six',
    ]);
  });

  it('matches the pattern as text unless -e makes it a regular expression', () => {
    assert.deepEqual(runStage(grepStage, ['^a'], LINES), []);
    assert.deepEqual(runStage(grepStage, ['^a'], ['x ^a y']), ['x ^a y']);
    assert.deepEqual(runStage(grepStage, ['-e', '^(alpha|zeta)'], LINES), [
      'alpha one',
      'zeta six',
    ]);
  });

  it('-m stops after n matches', () => {
    assert.deepEqual(runStage(grepStage, ['-m', '2', 'a'], LINES), ['alpha one', 'Beta two']);
  });

  it('-A, -B and -C add context, with -- between groups', () => {
    assert.deepEqual(runStage(grepStage, ['-n', '-B', '1', 'delta'], LINES), [
      '3-gamma three',
      '4:delta four',
    ]);
    assert.deepEqual(runStage(grepStage, ['-A', '1', '-e', 'alpha|beta'], LINES), [
      'alpha one',
      'Beta two',
      '--',
      'beta five',
      'zeta six',
    ]);
  });

  it('fails with BAD_ARGS on a bad regular expression or option value', () => {
    const bad = failure(() => runStage(grepStage, ['-e', '('], LINES));
    assert.equal(bad.statusCode, STATUS.BAD_ARGS);
    assert.match(
      bad.message,
      /^grep: bad regular expression '\(': .*drop -e to match it as plain text$/,
    );
    assert.equal(
      failure(() => runStage(grepStage, ['-m', 'x', 'a'], LINES)).statusCode,
      STATUS.BAD_ARGS,
    );
  });
});

describe('wc', () => {
  it('-l counts the lines', () => {
    assert.deepEqual(runStage(wcStage, ['-l'], LINES), ['6']);
    assert.deepEqual(runStage(wcStage, ['-l'], []), ['0']);
  });

  it('says to use -l without it', () => {
    assert.equal(
      failure(() => runStage(wcStage, [], LINES)).message,
      "wc: only line counts are supported; type 'wc -l'",
    );
  });
});

describe('cat', () => {
  let t: TestDeps;
  let dir: string;
  before(async () => {
    t = await createTestDeps();
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-cat-'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a small file whole', async () => {
    const file = path.join(dir, 'small.txt');
    writeFileSync(file, 'one\ntwo\n');
    const [item] = await runCommand(catCommand, [file], t.deps);
    assert.deepEqual(item, {
      type: 'cat',
      file,
      content: 'one\ntwo\n',
      size: 8,
      truncated: false,
      jobId: 1,
    });
  });

  it('cuts at 128 KiB on a character boundary and says so', async () => {
    const file = path.join(dir, 'big.txt');
    // 'é' is two bytes: an odd offset puts the cut inside one.
    writeFileSync(file, `x${'é'.repeat(CAT_LIMIT_BYTES)}`);
    const [item] = await runCommand(catCommand, [file], t.deps);
    assert.equal(item?.truncated, true);
    assert.equal(item?.size, 1 + 2 * CAT_LIMIT_BYTES);
    const content = String(item?.content);
    assert.equal(Buffer.byteLength(content), CAT_LIMIT_BYTES - 1);
    assert.ok(!content.includes('\uFFFD'));
  });

  it('refuses a directory and a missing file with what is wrong', async () => {
    await assert.rejects(runCommand(catCommand, [dir], t.deps), {
      message: `cat: ${dir} is a directory; give a file in it`,
      statusCode: STATUS.FAILED,
    });
    await assert.rejects(runCommand(catCommand, [path.join(dir, 'nope')], t.deps), {
      message: `cat: no such file ${path.join(dir, 'nope')}`,
    });
  });
});
