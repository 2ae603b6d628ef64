// grep -e on RE2: patterns that make a backtracking engine run for seconds finish at once, JavaScript
// syntax keeps working, and what RE2 cannot do is named in the error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STATUS } from '../model.ts';
import { grepStage } from './grep.ts';
import { failure, runStage } from '../../../test/support/console-commands.ts';

describe('grep -e', () => {
  it('matches (a+)+$ against long runs of a followed by another character without backtracking', () => {
    // With V8's RegExp the 27-character line alone took seconds, growing 1.5–2× per character.
    const lines = ['a'.repeat(27) + '!', 'a'.repeat(100_000) + '!', 'a'.repeat(30), 'b'];
    assert.deepEqual(runStage(grepStage, ['-e', '(a+)+$'], lines), ['a'.repeat(30)]);
    assert.deepEqual(runStage(grepStage, ['-v', '-e', '(a+)+$'], lines), [lines[0], lines[1], 'b']);
  });

  it('keeps -i, -n and -m with regular expressions', () => {
    const lines = ['Node 24', 'java 21', 'python 3', 'NODE again'];
    assert.deepEqual(runStage(grepStage, ['-i', '-n', '-e', '^(node|java)\\b'], lines), [
      '1:Node 24',
      '2:java 21',
      '4:NODE again',
    ]);
    assert.deepEqual(runStage(grepStage, ['-i', '-m', '1', '-e', 'node'], lines), ['Node 24']);
  });

  it('accepts JavaScript-only syntax: \\u escapes, named groups, [^], a / unescaped', () => {
    assert.deepEqual(runStage(grepStage, ['-e', '\\u0041b'], ['Ab', 'ab']), ['Ab']);
    assert.deepEqual(runStage(grepStage, ['-e', '(?<n>\\d+)ms'], ['12ms', 'ms']), ['12ms']);
    assert.deepEqual(runStage(grepStage, ['-e', 'a[^]c'], ['a-c', 'ac']), ['a-c']);
    assert.deepEqual(runStage(grepStage, ['-e', '^/usr/bin'], ['/usr/bin/x', 'x']), ['/usr/bin/x']);
  });

  it('names backreferences and lookaround as unsupported, and says how to go on', () => {
    for (const [pattern, what] of [
      ['(a)\\1', 'a backreference (\\1)'],
      ['(?<x>a)\\k<x>', 'a backreference (\\k<…>)'],
      ['a(?=b)', 'a lookahead (?=…)'],
      ['a(?!b)', 'a lookahead (?!…)'],
      ['(?<=a)b', 'a lookbehind (?<=…)'],
      ['(?<!a)b', 'a lookbehind (?<!…)'],
    ] as const) {
      const err = failure(() => runStage(grepStage, ['-e', pattern], ['ab']));
      assert.equal(err.statusCode, STATUS.BAD_ARGS);
      assert.equal(
        err.message,
        `grep: '${pattern}' uses ${what}, which grep's regular expressions (RE2, linear time) do not support; rewrite the pattern without it, or drop -e to match it as plain text`,
      );
    }
  });

  it('reads (?= inside a character class as the characters it is', () => {
    assert.deepEqual(runStage(grepStage, ['-e', '[(?=]x'], ['(x', '=x', 'x']), ['(x', '=x']);
  });

  it("reports RE2's own parse errors as a bad regular expression", () => {
    const err = failure(() => runStage(grepStage, ['-e', 'a{2,1}'], ['a']));
    assert.equal(err.statusCode, STATUS.BAD_ARGS);
    assert.match(err.message, /^grep: bad regular expression 'a\{2,1\}': invalid repeat count/);
  });

  it('bounds -m, -A, -B and -C, naming the range', () => {
    for (const flag of ['-m', '-A', '-B', '-C']) {
      const err = failure(() => runStage(grepStage, [flag, '1000001', 'a'], ['a']));
      assert.equal(err.statusCode, STATUS.BAD_ARGS);
      assert.match(
        err.message,
        new RegExp(`^grep: ${flag} must be a whole number from \\d to 1000000, not '1000001'$`),
      );
    }
  });
});
