// The terminal's line discipline: a prompt and one editable line over raw keys, echoed and redrawn
// with ANSI sequences that stay right when the line wraps past the terminal's width (the way
// linenoise's multi-line mode does it: go up to the prompt's row, clear below, write, put the cursor
// back). Pure: keys in, text to write and events out; the terminal session (tty-session.ts) does
// the I/O. One character is one column: wide (CJK) characters and combining marks are not measured.
import { createHistory, type History } from './history.ts';
import type { Key } from './keys.ts';

export type EditorEvent =
  | { readonly type: 'line'; readonly line: string }
  | { readonly type: 'interrupt' }
  | { readonly type: 'eof' };

export interface FeedResult {
  /** What to write to the terminal. */
  readonly output: string;
  /** How the line ended, if it did: the editor is then inactive until start(). */
  readonly event?: EditorEvent;
  /** The index of the first key not used (after the one that ended the line: the next line's). */
  readonly next: number;
}

export interface LineEditor {
  /** Starts a new, empty line: returns the prompt to write. */
  start(): string;
  /**
   * Applies keys in order, from index `from`, until one ends the line; redraws once, at the end.
   * An index rather than a copy of what is left: a paste may hold thousands of lines.
   */
  feed(keys: readonly Key[], from?: number): FeedResult;
  /** Erases the prompt and the line, for other output to take their place; show() draws them again. */
  hide(): string;
  show(): string;
  /** The terminal's new width; the terminal has reflowed what it shows. */
  resize(cols: number): void;
  readonly active: boolean;
  readonly line: string;
  /** The cursor's index in the line, in characters. */
  readonly cursor: number;
}

export interface LineEditorOptions {
  prompt: string;
  /** @default 80 */
  cols?: number;
  /** Shared across lines; one per terminal. */
  history?: History;
  /** Longest line, in characters; keys that would go past it are dropped. @default 65536 */
  maxLength?: number;
}

const CLEAR_SCREEN = '\x1b[H\x1b[2J';
const CLEAR_BELOW = '\x1b[J';
const up = (n: number): string => (n > 0 ? `\x1b[${n}A` : '');
const right = (n: number): string => (n > 0 ? `\x1b[${n}C` : '');

export function createLineEditor(options: LineEditorOptions): LineEditor {
  const prompt = options.prompt;
  const promptWidth = [...prompt].length;
  const history = options.history ?? createHistory();
  const maxLength = options.maxLength ?? 65_536;
  let cols = Math.max(1, options.cols ?? 80);
  let buf: string[] = [];
  let pos = 0;
  let active = false;
  /** The terminal cursor's row, counted from the prompt's first row. */
  let cursorRow = 0;

  const set = (line: string) => {
    buf = [...line];
    pos = buf.length;
  };

  /** Redraws the prompt and the line from the prompt's first row and puts the cursor at `pos`. */
  const refresh = (): string => {
    let out = `${up(cursorRow)}\r${CLEAR_BELOW}${prompt}${buf.join('')}`;
    const total = promptWidth + buf.length;
    const filled = total > 0 && total % cols === 0;
    // A line that ends exactly at the right margin leaves the cursor on that margin, not on the
    // next row: with the cursor at the end, move it down so that typing goes on there.
    const forceWrap = filled && pos === buf.length;
    if (forceWrap) out += '\r\n';
    const endRow = filled && !forceWrap ? total / cols - 1 : Math.floor(total / cols);
    const target = promptWidth + pos;
    const targetRow = Math.floor(target / cols);
    cursorRow = targetRow;
    // With the cursor at the end of the line it is where the writing left it.
    if (pos === buf.length && (forceWrap || !filled)) return out;
    return `${out}${up(endRow - targetRow)}\r${right(target % cols)}`;
  };

  const deleteRange = (from: number, to: number) => {
    buf.splice(from, to - from);
    pos = from;
  };

  /** Applies one key; returns the event if it ends the line. */
  const apply = (key: Key): { event?: EditorEvent; out?: string } => {
    if ('char' in key) {
      if (buf.length < maxLength) buf.splice(pos++, 0, key.char);
      return {};
    }
    switch (key.name) {
      case 'enter':
        return { event: { type: 'line', line: buf.join('') } };
      case 'ctrl-c':
        return { event: { type: 'interrupt' } };
      case 'ctrl-d':
        if (buf.length === 0) return { event: { type: 'eof' } };
        if (pos < buf.length) buf.splice(pos, 1);
        return {};
      case 'backspace':
        if (pos > 0) buf.splice(--pos, 1);
        return {};
      case 'delete':
        if (pos < buf.length) buf.splice(pos, 1);
        return {};
      case 'left':
        pos = Math.max(0, pos - 1);
        return {};
      case 'right':
        pos = Math.min(buf.length, pos + 1);
        return {};
      case 'home':
      case 'ctrl-a':
        pos = 0;
        return {};
      case 'end':
      case 'ctrl-e':
        pos = buf.length;
        return {};
      case 'ctrl-u':
        deleteRange(0, pos);
        return {};
      case 'ctrl-k':
        buf.length = pos;
        return {};
      case 'ctrl-w': {
        let from = pos;
        while (from > 0 && /\s/.test(buf[from - 1] as string)) from -= 1;
        while (from > 0 && !/\s/.test(buf[from - 1] as string)) from -= 1;
        deleteRange(from, pos);
        return {};
      }
      case 'up': {
        const entry = history.previous(buf.join(''));
        if (entry !== undefined) set(entry);
        return {};
      }
      case 'down': {
        const entry = history.next(buf.join(''));
        if (entry !== undefined) set(entry);
        return {};
      }
      case 'ctrl-l':
        cursorRow = 0;
        return { out: CLEAR_SCREEN };
      case 'tab':
        return {}; // no completion
    }
  };

  return {
    start() {
      buf = [];
      pos = 0;
      cursorRow = 0;
      active = true;
      return refresh();
    },

    feed(keys, from = 0) {
      if (!active) return { output: '', next: from };
      if (from >= keys.length) return { output: '', next: keys.length };
      let output = '';
      const before = buf.length;
      // Typing at the end of the line, the usual case, is echoed as it is, without a redraw.
      let appending = pos === buf.length;
      for (let i = from; i < keys.length; i++) {
        const key = keys[i] as Key;
        appending &&= 'char' in key;
        const { event, out } = apply(key);
        if (out !== undefined) output += out;
        if (event === undefined) continue;
        // The line is done: show it whole, cursor after it, and start the next row.
        pos = buf.length;
        output += refresh();
        if (event.type === 'interrupt') output += '^C';
        output += '\r\n';
        if (event.type === 'line') history.add(event.line);
        active = false;
        cursorRow = 0;
        return { output, event, next: i + 1 };
      }
      const row = (length: number) => Math.floor((promptWidth + length) / cols);
      const total = promptWidth + buf.length;
      if (appending && row(before) === row(buf.length) && total % cols !== 0) {
        return { output: output + buf.slice(before).join(''), next: keys.length };
      }
      return { output: output + refresh(), next: keys.length };
    },

    hide() {
      if (!active) return '';
      const out = `${up(cursorRow)}\r${CLEAR_BELOW}`;
      cursorRow = 0;
      return out;
    },

    show() {
      return active ? refresh() : '';
    },

    resize(newCols) {
      cols = Math.max(1, newCols);
      // The terminal reflowed the wrapped line: the cursor is now this many rows below the prompt.
      if (active) cursorRow = Math.floor((promptWidth + pos) / cols);
    },

    get active() {
      return active;
    },
    get line() {
      return buf.join('');
    },
    get cursor() {
      return pos;
    },
  };
}
