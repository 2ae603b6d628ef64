// Whole lines out of arbitrary chunks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogText } from './log-text.ts';

describe('createLogText', () => {
  it('holds back a partial line and a split UTF-8 character until complete', () => {
    const text = createLogText();
    const bytes = Buffer.from('one\ntwé\nthree');
    const cut = bytes.indexOf(0xc3) + 1; // inside 'é'
    assert.deepEqual(text.push(bytes.subarray(0, cut)), [{ type: 'text', text: 'one' }]);
    assert.deepEqual(text.push(bytes.subarray(cut)), [{ type: 'text', text: 'twé' }]);
    assert.deepEqual(text.end(), [{ type: 'text', text: 'three' }]);
    assert.deepEqual(text.end(), []);
  });

  it('keeps an empty line and splits very long output into several items', () => {
    const text = createLogText();
    assert.deepEqual(text.push(Buffer.from('\n')), [{ type: 'text', text: '' }]);
    const line = 'x'.repeat(1000);
    const items = text.push(Buffer.from(`${line}\n`.repeat(200)));
    assert.ok(items.length > 1);
    assert.deepEqual(
      items.flatMap((i) => i.text.split('\n')),
      Array(200).fill(line),
    );
  });
});
