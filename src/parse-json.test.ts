import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonDepth, parseJson, valueDepth } from './parse-json.ts';

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
});
