// The line discipline: keystroke sequences in, the screen a terminal would show and the lines
// entered out. The screen is a small model of a VT terminal (autowrap, CR, LF, cursor up/right,
// erase below, clear screen): enough to check that echo and redraws leave what a user would see.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHistory } from './history.ts';
import { createKeyDecoder } from './keys.ts';
import { createLineEditor, type EditorEvent } from './line-editor.ts';

/** A terminal screen of `cols` columns that grows downwards (no scrolling needed here). */
function createScreen(cols: number) {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  /** After writing in the last column the cursor stays there until the next character. */
  let pendingWrap = false;
  const line = (r: number) => (rows[r] ??= []);
  const write = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (c === '\x1b') {
        // eslint-disable-next-line no-control-regex -- a terminal model reads escape sequences
        const match = /^\x1b\[(\d*)([A-Za-z])/.exec(text.slice(i));
        assert.ok(match, `unknown escape sequence at ${JSON.stringify(text.slice(i, i + 8))}`);
        const n = Number(match[1] || 1);
        switch (match[2]) {
          case 'A':
            row = Math.max(0, row - n);
            break;
          case 'C':
            col = Math.min(cols - 1, col + n);
            break;
          case 'H':
            row = 0;
            col = 0;
            break;
          case 'J':
            if (match[1] === '2') {
              rows.length = 0;
              rows.push([]);
            } else {
              line(row).length = Math.min(line(row).length, col);
              rows.length = row + 1;
            }
            break;
          default:
            assert.fail(`unexpected sequence ${match[0]}`);
        }
        pendingWrap = false;
        i += match[0].length - 1;
      } else if (c === '\r') {
        col = 0;
        pendingWrap = false;
      } else if (c === '\n') {
        row += 1;
        line(row);
        pendingWrap = false;
      } else {
        if (pendingWrap) {
          row += 1;
          col = 0;
          pendingWrap = false;
        }
        const r = line(row);
        while (r.length < col) r.push(' ');
        r[col] = c;
        if (col === cols - 1) pendingWrap = true;
        else col += 1;
      }
    }
  };
  return {
    write,
    text: () =>
      rows
        .map((r) => r.join('').trimEnd())
        .join('\n')
        .trimEnd(),
    cursor: () => ({ row, col }),
  };
}

/** An editor on a screen, fed raw keystrokes as a terminal client sends them; a new prompt after each line. */
function terminal(cols = 80, prompt = '$ ', editorCols = cols) {
  const screen = createScreen(cols);
  const history = createHistory();
  const editor = createLineEditor({ prompt, cols: editorCols, history });
  const decoder = createKeyDecoder();
  const events: EditorEvent[] = [];
  screen.write(editor.start());
  return {
    screen,
    editor,
    events,
    type(data: string) {
      const keys = decoder.decode(data);
      let next = 0;
      for (;;) {
        const fed = editor.feed(keys, next);
        screen.write(fed.output);
        if (fed.event === undefined) return;
        events.push(fed.event);
        if (fed.event.type === 'eof') return;
        screen.write(editor.start());
        next = fed.next;
      }
    },
    lines: () => events.flatMap((e) => (e.type === 'line' ? [e.line] : [])),
  };
}

const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const UP = '\x1b[A';
const DOWN = '\x1b[B';
const HOME = '\x1b[H';
const END = '\x1b[F';
const DELETE = '\x1b[3~';

describe('line editor', () => {
  it('echoes typed text after the prompt and enters the line on Enter', () => {
    const t = terminal();
    t.type('version');
    assert.equal(t.screen.text(), '$ version');
    assert.deepEqual(t.screen.cursor(), { row: 0, col: 9 });
    t.type('\r');
    assert.deepEqual(t.lines(), ['version']);
    assert.equal(t.screen.text(), '$ version\n$');
    assert.deepEqual(t.screen.cursor(), { row: 1, col: 2 });
  });

  it('inserts and deletes at the cursor: left, right, backspace, delete', () => {
    const t = terminal();
    t.type(`thred${LEFT}a${RIGHT}${RIGHT}x\x7f`);
    assert.equal(t.editor.line, 'thread');
    t.type(`${LEFT}${LEFT}${LEFT}${DELETE}`);
    assert.equal(t.editor.line, 'thrad');
    assert.equal(t.screen.text(), '$ thrad');
    assert.equal(t.editor.cursor, 3);
    assert.deepEqual(t.screen.cursor(), { row: 0, col: 5 });
  });

  it('home and end, and Ctrl-A and Ctrl-E, move to the ends', () => {
    const t = terminal();
    t.type(`echo hi${HOME}x`);
    assert.equal(t.editor.line, 'xecho hi');
    t.type(`${END}y\x01z\x05!`);
    assert.equal(t.editor.line, 'zxecho hiy!');
    t.type('\x1bOH<\x1b[4~>');
    assert.equal(t.editor.line, '<zxecho hiy!>');
    assert.equal(t.screen.text(), '$ <zxecho hiy!>');
  });

  it('Ctrl-U kills before the cursor, Ctrl-K after it, Ctrl-W the word before it', () => {
    const t = terminal();
    t.type(`sysenv | grep PATH${LEFT}${LEFT}${LEFT}${LEFT}\x0b`);
    assert.equal(t.editor.line, 'sysenv | grep ');
    t.type('\x17');
    assert.equal(t.editor.line, 'sysenv | ');
    t.type('\x17');
    assert.equal(t.editor.line, 'sysenv ');
    t.type(`grep${LEFT}${LEFT}\x15`);
    assert.equal(t.editor.line, 'ep');
    assert.equal(t.screen.text(), '$ ep');
    assert.deepEqual(t.screen.cursor(), { row: 0, col: 2 });
  });

  it('walks the history with up and down, keeping the line being typed', () => {
    const t = terminal();
    t.type('version\rjobs\rjobs\rhelp\r');
    assert.deepEqual(t.lines(), ['version', 'jobs', 'jobs', 'help']);
    t.type(`draft${UP}`);
    assert.equal(t.editor.line, 'help');
    t.type(UP);
    assert.equal(t.editor.line, 'jobs', 'a repeated line is kept once');
    t.type(UP + UP);
    assert.equal(t.editor.line, 'version');
    t.type(UP);
    assert.equal(t.editor.line, 'version', 'stays at the oldest');
    t.type(DOWN + DOWN + DOWN);
    assert.equal(t.editor.line, 'draft');
    t.type(`${UP}x\r`);
    assert.equal(t.lines().at(-1), 'helpx');
    assert.match(t.screen.text(), /\$ helpx\n\$$/);
  });

  it('Ctrl-C abandons the line, Ctrl-D ends only an empty one', () => {
    const t = terminal();
    t.type('dashbo\x03');
    assert.deepEqual(t.events, [{ type: 'interrupt' }]);
    assert.equal(t.screen.text(), '$ dashbo^C\n$');
    t.type(`ab${LEFT}\x04`);
    assert.equal(t.editor.line, 'a', 'Ctrl-D deletes under the cursor on a line with text');
    t.type('\x15\x04');
    assert.deepEqual(t.events.at(-1), { type: 'eof' });
    assert.equal(t.editor.active, false);
  });

  it('wraps past the width and redraws wrapped lines right', () => {
    const t = terminal(10, '> ');
    t.type('0123456789abcdef');
    assert.equal(t.screen.text(), '> 01234567\n89abcdef');
    assert.deepEqual(t.screen.cursor(), { row: 1, col: 8 });
    t.type('gh');
    assert.equal(
      t.screen.text(),
      '> 01234567\n89abcdefgh',
      'exactly the width: the cursor goes below',
    );
    assert.deepEqual(t.screen.cursor(), { row: 2, col: 0 });
    t.type('\x01');
    assert.deepEqual(t.screen.cursor(), { row: 0, col: 2 });
    t.type('\x0b');
    assert.equal(t.screen.text(), '>', 'killing the whole line clears the rows below');
    t.type('abcdefghijklmnopqrstu');
    for (let i = 0; i < 12; i++) t.type(LEFT);
    t.type('\x7f');
    assert.equal(t.editor.line, 'abcdefghjklmnopqrstu');
    assert.equal(t.screen.text(), '> abcdefgh\njklmnopqrs\ntu');
    assert.deepEqual(t.screen.cursor(), { row: 1, col: 0 });
    t.type('\r');
    assert.deepEqual(t.screen.cursor(), { row: 3, col: 2 }, 'the next prompt below the whole line');
  });

  it('takes a new width from resize', () => {
    // The window shrank to 6 columns; the client says so before the next key.
    const t = terminal(6, '> ', 80);
    t.editor.resize(6);
    t.type('abcdefgh');
    assert.equal(t.screen.text(), '> abcd\nefgh');
  });

  it('hides the line for other output and shows it again', () => {
    const t = terminal(10, '> ');
    t.type('abcdefghijkl');
    t.screen.write(`${t.editor.hide()}[1] done\r\n${t.editor.show()}`);
    assert.equal(t.screen.text(), '[1] done\n> abcdefgh\nijkl');
    t.type('m');
    assert.equal(t.editor.line, 'abcdefghijklm');
  });

  it('Enter in a paste ends a line and the rest goes on the next one', () => {
    const t = terminal();
    t.type('version\r\njobs\rhel');
    assert.deepEqual(t.lines(), ['version', 'jobs']);
    assert.equal(t.editor.line, 'hel');
    assert.equal(t.screen.text(), '$ version\n$ jobs\n$ hel');
  });

  it('Ctrl-L clears the screen and draws the line at the top', () => {
    const t = terminal();
    t.type('one\rtwo\x0c');
    assert.equal(t.screen.text(), '$ two');
  });

  it('drops keys past the longest line', () => {
    const screen = createScreen(80);
    const editor = createLineEditor({ prompt: '$ ', maxLength: 3 });
    screen.write(editor.start());
    screen.write(editor.feed([{ char: 'a' }, { char: 'b' }, { char: 'c' }, { char: 'd' }]).output);
    assert.equal(editor.line, 'abc');
  });
});

describe('key decoder', () => {
  it('keeps an escape sequence cut between two reads', () => {
    const decoder = createKeyDecoder();
    assert.deepEqual(decoder.decode('a\x1b['), [{ char: 'a' }]);
    assert.deepEqual(decoder.decode('Db'), [{ name: 'left' }, { char: 'b' }]);
    assert.deepEqual(decoder.decode('\x1b'), []);
    assert.deepEqual(decoder.decode('[3~'), [{ name: 'delete' }]);
  });

  it('reads code points beyond the BMP as one character and drops unknown sequences', () => {
    const decoder = createKeyDecoder();
    assert.deepEqual(decoder.decode('😀\x1b[15~\x1b[1;5Cé\x07'), [
      { char: '😀' },
      { name: 'right' },
      { char: 'é' },
    ]);
  });
});
