import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactInteger, jsonDepth, parseJson, valueDepth } from './parse-json.ts';

describe('parseJson', () => {
  it('parses what JSON.parse parses', () => {
    assert.deepEqual(parseJson('{"a":[1,{"b":"x"}]}'), { a: [1, { b: 'x' }] });
  });

  it('counts only brackets outside strings, escapes included', () => {
    assert.equal(jsonDepth('{"a":"[[[{{\\"[["}'), 1);
    assert.equal(jsonDepth('[[],[[]]]'), 3);
    assert.equal(jsonDepth('"x"'), 0);
  });

  it('refuses deep nesting with a SyntaxError that names the limit', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    assert.throws(() => parseJson(deep), {
      name: 'SyntaxError',
      message: /nested 100000 levels deep; at most 64/,
    });
    assert.doesNotThrow(() => parseJson('['.repeat(64) + ']'.repeat(64)));
  });

  it('refuses prototype-poisoning keys as Fastify does', () => {
    assert.throws(() => parseJson('{"a":{"__proto__":{"x":1}}}'), /"__proto__" is not accepted/);
    assert.throws(() => parseJson('{"constructor":{"prototype":{}}}'), /"constructor"/);
    assert.deepEqual(parseJson('{"constructor":"x"}'), { constructor: 'x' });
  });

  it('still reports malformed JSON as JSON.parse does', () => {
    assert.throws(() => parseJson('{"a":'), SyntaxError);
  });

  it('measures the depth of a parsed value as the text scan does, at any depth', () => {
    assert.equal(valueDepth({ a: [1, { b: [] }] }), jsonDepth('{"a":[1,{"b":[]}]}'));
    assert.equal(valueDepth('x'), 0);
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.equal(valueDepth(deep), 200_000);
  });

  it('reads integers beyond 2^53 exactly on request, at any depth, and leaves the rest as numbers', () => {
    const text = '[{"jobId":862969647010611201,"n":-9223372036854775808,"small":42,"f":1.5e300}]';
    assert.deepEqual(parseJson(text, { exactIntegers: true }), [
      { jobId: 862969647010611201n, n: -9223372036854775808n, small: 42, f: 1.5e300 },
    ]);
    // Without the option, JSON.parse's rounding: the id SeaTunnel's tests send comes back wrong.
    assert.equal((parseJson(text) as Array<{ jobId: number }>)[0]?.jobId, 862969647010611200);
    // A long digit run inside a string is a string.
    assert.deepEqual(parseJson('{"id":"862969647010611201"}', { exactIntegers: true }), {
      id: '862969647010611201',
    });
    assert.equal(parseJson('9007199254740991', { exactIntegers: true }), 9007199254740991);
  });

  it('keeps the nesting limit and the poisoned-key check with exact integers', () => {
    const deep = '['.repeat(65) + '12345678901234567890' + ']'.repeat(65);
    assert.throws(() => parseJson(deep, { exactIntegers: true }), /at most 64/);
    assert.throws(
      () => parseJson('{"__proto__":{"id":12345678901234567890}}', { exactIntegers: true }),
      /"__proto__" is not accepted/,
    );
    assert.throws(() => parseJson('[[1]]', 1), /nested 2 levels deep; at most 1/);
  });
});

describe('exactInteger', () => {
  it('writes its digits as a JSON number, even beyond 2^53, and refuses anything else', () => {
    assert.equal(
      JSON.stringify({ jobId: exactInteger('862969647010611201') }),
      '{"jobId":862969647010611201}',
    );
    assert.equal(JSON.stringify([exactInteger(-9223372036854775808n)]), '[-9223372036854775808]');
    assert.throws(() => exactInteger('12a'), /not an integer/);
    assert.throws(() => exactInteger('1.5'), /not an integer/);
  });
});
