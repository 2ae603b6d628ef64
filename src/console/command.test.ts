// Integer options: every one has both bounds, and a value outside them names the range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TIMER_MS } from '../long-timeout.ts';
import { intOption } from './command.ts';
import { CommandFailure, STATUS } from './model.ts';

describe('intOption', () => {
  it('reads a whole number within its bounds, and nothing when absent', () => {
    assert.equal(intOption('42', 'x: -n', { min: 1, max: 100 }), 42);
    assert.equal(intOption(' 7 ', 'x: -n', { min: 1, max: 100 }), 7);
    assert.equal(intOption(undefined, 'x: -n', { min: 1, max: 100 }), undefined);
  });

  it('refuses what is out of range or not a whole number, stating the range', () => {
    for (const value of ['0', '101', '1.5', 'soon', '', '99999999999999999999']) {
      assert.throws(
        () => intOption(value, 'x: -i', { min: 1, max: 100 }),
        (err: unknown) => {
          assert.ok(err instanceof CommandFailure);
          assert.equal(err.statusCode, STATUS.BAD_ARGS);
          assert.equal(err.message, `x: -i must be a whole number from 1 to 100, not '${value}'`);
          return true;
        },
      );
    }
  });

  it('knows the longest delay a timer can take', () => {
    assert.equal(MAX_TIMER_MS, 2_147_483_647);
  });
});
