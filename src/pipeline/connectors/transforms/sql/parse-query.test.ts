// Tests of reading a Sql transform query into its typed tree, and of printing expressions back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exprText, parseQuery, type SqlExpr } from './parse-query.ts';

const expr = (text: string): SqlExpr => {
  const item = parseQuery(`SELECT ${text} FROM t`).items[0];
  assert.equal(item?.kind, 'expr');
  return (item as Extract<typeof item, { kind: 'expr' }>).expr;
};

describe('Sql query parsing', () => {
  it('reads the table, the items and WHERE', () => {
    const q = parseQuery('SELECT *, a AS b FROM "my-table" WHERE a > 1');
    assert.equal(q.table, 'my-table');
    assert.deepEqual(q.items[0], { kind: 'star' });
    assert.deepEqual(q.items[1], {
      kind: 'expr',
      expr: { kind: 'column', path: ['a'] },
      alias: 'b',
    });
    assert.equal(q.where?.kind, 'binary');
  });

  it('reads dotted column paths of any depth', () => {
    assert.deepEqual(expr('a.b'), { kind: 'column', path: ['a', 'b'] });
    assert.deepEqual(expr('a.b.c'), { kind: 'column', path: ['a', 'b', 'c'] });
    assert.deepEqual(expr('a.b.c.d'), { kind: 'column', path: ['a', 'b', 'c', 'd'] });
    assert.deepEqual(expr('"x"."y"'), { kind: 'column', path: ['x', 'y'] });
  });

  it('types number literals by size and form', () => {
    assert.deepEqual(expr('5'), { kind: 'literal', value: 5, type: { kind: 'int' } });
    assert.deepEqual(expr('3000000000'), {
      kind: 'literal',
      value: 3_000_000_000,
      type: { kind: 'bigint' },
    });
    assert.deepEqual(expr('2.5'), { kind: 'literal', value: 2.5, type: { kind: 'double' } });
    assert.deepEqual(expr('1e3'), { kind: 'literal', value: 1000, type: { kind: 'double' } });
  });

  it("accepts SeaTunnel's CAST(x AS STRING) and LONG, but not inside quotes", () => {
    assert.equal(exprText(expr('CAST(a AS string)')), 'CAST(a AS VARCHAR)');
    assert.equal(exprText(expr('CAST(a AS Long)')), 'CAST(a AS BIGINT)');
    assert.deepEqual(expr("'AS STRING)'"), {
      kind: 'literal',
      value: 'AS STRING)',
      type: { kind: 'string' },
    });
  });

  it('prints expressions back as text', () => {
    for (const text of [
      'a + 1',
      '(a + 1) * 2',
      "UPPER(CONCAT(a, 'x'))",
      'a IS NOT NULL',
      'a NOT IN (1, 2)',
      'a BETWEEN 1 AND 2',
      "a LIKE 'x%'",
      "CASE a WHEN 1 THEN 'one' ELSE NULL END",
      'NOT a',
      '-a',
      'CAST(a AS DECIMAL(10, 2))',
      'TRUE',
    ]) {
      assert.equal(exprText(expr(text)), text);
    }
  });
});
