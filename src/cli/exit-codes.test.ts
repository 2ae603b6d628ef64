import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorText, EXIT, exitKindOfStatus } from './exit-codes.ts';

describe('exit codes', () => {
  it('tell usage, invalid input, not found, unavailable and denied apart from a failure', () => {
    assert.equal(EXIT[exitKindOfStatus(400)], 65);
    assert.equal(EXIT[exitKindOfStatus(413)], 65);
    assert.equal(EXIT[exitKindOfStatus(401)], 77);
    assert.equal(EXIT[exitKindOfStatus(403)], 77);
    assert.equal(EXIT[exitKindOfStatus(404)], 66);
    assert.equal(EXIT[exitKindOfStatus(503)], 69);
    assert.equal(EXIT[exitKindOfStatus(429)], 69);
    assert.equal(EXIT[exitKindOfStatus(409)], 1, 'a conflict is a refusal, not bad input');
    assert.equal(EXIT[exitKindOfStatus(500)], 1);
    const codes = Object.values(EXIT);
    assert.equal(new Set(codes).size, codes.length, 'no two kinds share a code');
  });

  it("print the API's error shape under --json, and one line for people otherwise", () => {
    assert.equal(errorText('no job x', 'NOT_FOUND', 66), 'bosun: no job x\n');
    assert.deepEqual(JSON.parse(errorText('no job x', 'NOT_FOUND', 66, true)), {
      error: { code: 'NOT_FOUND', message: 'no job x', exitCode: 66 },
    });
  });
});
