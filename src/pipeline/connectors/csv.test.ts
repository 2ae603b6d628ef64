// The CSV tokenizer and writer the LocalFile connectors share: cells, quotes, delimiters, records
// over several lines, and what the writer quotes reading back as it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCellWriter, parseCsvRecord, readCsvRecord, stripCr } from './csv.ts';

/** A line source over fixed lines, as the LocalFile source's line reader gives them. */
const linesOf = (lines: string[]) => {
  let i = 0;
  const next = async (): Promise<string | null> => lines[i++] ?? null;
  return { next, read: () => i };
};

describe('parseCsvRecord', () => {
  it('splits plain cells at the delimiter, keeping empty ones', () => {
    assert.deepEqual(parseCsvRecord('a,b,,d,', ','), ['a', 'b', '', 'd', '']);
    assert.deepEqual(parseCsvRecord('', ','), ['']);
    assert.deepEqual(parseCsvRecord(' a , b ', ','), [' a ', ' b ']);
  });

  it('reads quoted cells with delimiters, doubled quotes and line breaks inside', () => {
    assert.deepEqual(parseCsvRecord('"Smith, J","say ""hi""",1', ','), [
      'Smith, J',
      'say "hi"',
      '1',
    ]);
    assert.deepEqual(parseCsvRecord('"two\nlines","cr\r\nlf",""', ','), [
      'two\nlines',
      'cr\r\nlf',
      '',
    ]);
    assert.deepEqual(parseCsvRecord('""""', ','), ['"']);
  });

  it('takes any delimiter, of one character or several', () => {
    assert.deepEqual(parseCsvRecord('a|"b|c"|d', '|'), ['a', 'b|c', 'd']);
    assert.deepEqual(parseCsvRecord('a\u0001b', '\u0001'), ['a', 'b']);
    assert.deepEqual(parseCsvRecord('a::"b::c"::d,e', '::'), ['a', 'b::c', 'd,e']);
    assert.deepEqual(parseCsvRecord('a,b', '|'), ['a,b']);
  });

  it('keeps text after a closing quote, and quotes inside an unquoted cell, as they are', () => {
    assert.deepEqual(parseCsvRecord('"a"b,c', ','), ['ab', 'c']);
    assert.deepEqual(parseCsvRecord('5" disk,x', ','), ['5" disk', 'x']);
  });

  it('says undefined while a quoted cell is open', () => {
    assert.equal(parseCsvRecord('"open,2', ','), undefined);
    assert.equal(parseCsvRecord('a,"b""', ','), undefined);
    assert.equal(parseCsvRecord('a,"', ','), undefined);
  });
});

describe('readCsvRecord', () => {
  it('is one line when its quotes close, without the line end \\r', async () => {
    const src = linesOf(['never read']);
    assert.deepEqual(await readCsvRecord('a,"b"\r', src.next, ','), {
      text: 'a,"b"',
      cells: ['a', 'b'],
      lines: 1,
    });
    assert.equal(src.read(), 0);
  });

  it('joins lines while a quoted cell is open, keeping a \\r inside the cell', async () => {
    const src = linesOf(['lines",2\r', 'next,3']);
    assert.deepEqual(await readCsvRecord('"two\r', src.next, ','), {
      text: '"two\r\nlines",2',
      cells: ['two\r\nlines', '2'],
      lines: 2,
    });
    assert.equal(src.read(), 1);
    const three = linesOf(['', 'c"']);
    assert.deepEqual(await readCsvRecord('"a', three.next, ','), {
      text: '"a\n\nc"',
      cells: ['a\n\nc'],
      lines: 3,
    });
  });

  it('gives no cells when the input ends inside quotes, with every line it read', async () => {
    const src = linesOf(['more']);
    assert.deepEqual(await readCsvRecord('"open,2', src.next, ','), {
      text: '"open,2\nmore',
      cells: undefined,
      lines: 2,
    });
  });
});

describe('csvCellWriter', () => {
  it('leaves plain text alone and quotes what parseCsvRecord would split', () => {
    const cell = csvCellWriter(',');
    assert.equal(cell('plain text'), 'plain text');
    assert.equal(cell('a,b'), '"a,b"');
    assert.equal(cell('say "hi"'), '"say ""hi"""');
    assert.equal(cell('two\nlines'), '"two\nlines"');
    assert.equal(cell('cr\r'), '"cr\r"');
  });

  it('quotes a cell holding another delimiter, so that it reads back as one cell', () => {
    for (const delimiter of ['|', '\u0001', '::', ',']) {
      const cell = csvCellWriter(delimiter);
      const values = ['x|y', 'a\u0001b', 'c::d', 'e,f', 'q"q', 'n\nl', ''];
      const record = values.map(cell).join(delimiter);
      assert.deepEqual(parseCsvRecord(record, delimiter), values, delimiter);
    }
  });
});

describe('stripCr', () => {
  it('drops one \\r at the end only', () => {
    assert.equal(stripCr('a\r'), 'a');
    assert.equal(stripCr('a\r\r'), 'a\r');
    assert.equal(stripCr('a\rb'), 'a\rb');
  });
});
