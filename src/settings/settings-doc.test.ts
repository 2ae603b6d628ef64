import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DOC_HEADER, docTableRows, settingsDocRows } from './settings-doc.ts';
import { SETTINGS } from './settings.ts';

const DOC = new URL('../../docs/configuration.md', import.meta.url);

describe('the settings table of docs/configuration.md', () => {
  it('says what SETTINGS says (run node scripts/config-doc.ts to update it)', () => {
    const rows = docTableRows(readFileSync(DOC, 'utf8'));
    assert.ok(rows, 'docs/configuration.md has lost the markers around its settings table');
    assert.deepEqual(rows[0], [...DOC_HEADER]);
    assert.deepEqual(rows.slice(1), settingsDocRows());
  });

  it('has one row per setting, with its default and its range', () => {
    const rows = settingsDocRows();
    assert.equal(rows.length, SETTINGS.length);
    const interval = rows.find((r) => r[0] === '`--interval D`');
    assert.deepEqual(interval?.slice(1, 4), ['`BOSUN_INTERVAL`', '`interval`', '`3s`']);
    assert.match(interval?.[4] ?? '', /\(100ms to 1h\)$/);
    assert.equal(rows.find((r) => r[0] === '`--token [T]`')?.[3], 'none');
  });

  it('finds a disagreement', () => {
    const doc = readFileSync(DOC, 'utf8').replace('| `3s`', '| `5s`');
    assert.notDeepEqual(docTableRows(doc)?.slice(1), settingsDocRows());
  });
});
