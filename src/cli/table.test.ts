// renderTable: alignment, padding and styling that never shifts columns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTable } from './table.ts';

describe('renderTable', () => {
  it('aligns columns two spaces apart without trailing blanks', () => {
    const text = renderTable(
      ['ID', 'NAME', 'ENABLED'],
      [
        ['1', 'backup', 'yes'],
        ['22', 'x', 'no'],
      ],
    );
    assert.equal(text, 'ID  NAME    ENABLED\n1   backup  yes\n22  x       no\n');
  });

  it('right-aligns the columns it is told to', () => {
    const text = renderTable(
      ['N', 'EXIT'],
      [
        ['a', '0'],
        ['b', '137'],
      ],
      { rightAlign: [1] },
    );
    assert.equal(text, 'N  EXIT\na     0\nb   137\n');
  });

  it('styles cells without counting the styling as width', () => {
    const text = renderTable(['STATE', 'X'], [['ok', '1']], {
      style: (col, t) => (col === 0 ? `<${t}>` : t),
    });
    assert.equal(text, 'STATE  X\n<ok>     1\n');
  });

  it('prints only the header for no rows, and counts code points', () => {
    assert.equal(renderTable(['A', 'B'], []), 'A  B\n');
    assert.equal(renderTable(['A', 'B'], [['é–', 'x']]), 'A   B\né–  x\n');
  });
});
