import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_COMMAND_LENGTH, parseCommandLine } from './command-line.ts';
import { CommandFailure } from './model.ts';

const fails = (line: string, message: RegExp) =>
  assert.throws(
    () => parseCommandLine(line),
    (err: unknown) =>
      err instanceof CommandFailure && err.statusCode === -10 && message.test(err.message),
  );

describe('parseCommandLine', () => {
  it('splits words on any whitespace', () => {
    assert.deepEqual(parseCommandLine('  dashboard  -i 200\t-n 3 '), {
      stages: [['dashboard', '-i', '200', '-n', '3']],
      background: false,
    });
  });

  it('keeps quoted text together, with escapes in double quotes and none in single ones', () => {
    assert.deepEqual(parseCommandLine(`echo "a b" 'c "d"' "x\\"y" 'p\\q' e\\ f ""`).stages, [
      ['echo', 'a b', 'c "d"', 'x"y', 'p\\q', 'e f', ''],
    ]);
  });

  it('reads pipes and a trailing &, but not inside quotes', () => {
    assert.deepEqual(parseCommandLine('sysenv | grep -i path|wc -l &'), {
      stages: [['sysenv'], ['grep', '-i', 'path'], ['wc', '-l']],
      background: true,
    });
    assert.deepEqual(parseCommandLine("echo 'a | b &'").stages, [['echo', 'a | b &']]);
  });

  it('refuses what it cannot run, saying why', () => {
    fails('', /'command' is required/);
    fails('   ', /'command' is required/);
    fails('sysenv |', /a command on each side/);
    fails('| grep x', /a command on each side/);
    fails('echo & echo', /'&' must come last/);
    fails('echo "open', /unterminated " quote/);
    fails('version > out.txt', /not supported/);
    fails('x'.repeat(MAX_COMMAND_LENGTH + 1), /too long/);
  });
});
