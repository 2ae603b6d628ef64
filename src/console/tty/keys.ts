// Decodes a terminal's raw keystrokes (what xterm.js and Arthas's web terminal send as
// `{"action":"read","data":…}`) into keys: printable text, control keys and the VT/xterm escape
// sequences of the arrows, Home/End and Delete. An escape sequence cut between two frames is kept
// until the rest arrives, so a key never splits into garbage.

export type NamedKey =
  | 'enter'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'home'
  | 'end'
  | 'ctrl-a'
  | 'ctrl-c'
  | 'ctrl-d'
  | 'ctrl-e'
  | 'ctrl-k'
  | 'ctrl-l'
  | 'ctrl-u'
  | 'ctrl-w'
  | 'tab';

/** One key: a printable character (one code point) or a named key. */
export type Key = { readonly char: string } | { readonly name: NamedKey };

export interface KeyDecoder {
  /** The keys in `data`, after whatever an earlier call left unfinished. */
  decode(data: string): Key[];
}

/** Control characters with a meaning; the others are dropped. */
const CONTROL: Readonly<Record<string, NamedKey>> = {
  '\x01': 'ctrl-a',
  '\x02': 'left', // Ctrl-B
  '\x03': 'ctrl-c',
  '\x04': 'ctrl-d',
  '\x05': 'ctrl-e',
  '\x06': 'right', // Ctrl-F
  '\x08': 'backspace', // Ctrl-H, what some terminals send for Backspace
  '\x09': 'tab',
  '\x0b': 'ctrl-k',
  '\x0c': 'ctrl-l',
  '\x0e': 'down', // Ctrl-N
  '\x10': 'up', // Ctrl-P
  '\x15': 'ctrl-u',
  '\x17': 'ctrl-w',
  '\x7f': 'backspace',
};

/** CSI final bytes without parameters that mean a key (`ESC [ A`, and `ESC O A` alike). */
const CSI_FINAL: Readonly<Record<string, NamedKey>> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
};

/** `ESC [ n ~` keys (VT220 editing keys, as xterm sends them). */
const CSI_TILDE: Readonly<Record<string, NamedKey>> = {
  '1': 'home',
  '3': 'delete',
  '4': 'end',
  '7': 'home',
  '8': 'end',
};

export function createKeyDecoder(): KeyDecoder {
  let pending = '';
  return {
    decode(data) {
      const input = pending + data;
      pending = '';
      const keys: Key[] = [];
      let i = 0;
      while (i < input.length) {
        const c = input[i] as string;
        if (c === '\x1b') {
          const end = escapeEnd(input, i);
          if (end === undefined) {
            // Unfinished: wait for the rest (bounded, so a stray ESC cannot hold input forever).
            if (input.length - i < 16) pending = input.slice(i);
            break;
          }
          const key = escapeKey(input.slice(i, end));
          if (key !== undefined) keys.push({ name: key });
          i = end;
          continue;
        }
        if (c === '\r' || c === '\n') {
          keys.push({ name: 'enter' });
          // CR LF (a pasted Windows line) is one Enter.
          i += c === '\r' && input[i + 1] === '\n' ? 2 : 1;
          continue;
        }
        const code = c.codePointAt(0) as number;
        if (code < 0x20 || code === 0x7f) {
          const named = CONTROL[c];
          if (named !== undefined) keys.push({ name: named });
          i += 1;
          continue;
        }
        const char = String.fromCodePoint(input.codePointAt(i) as number);
        keys.push({ char });
        i += char.length;
      }
      return keys;
    },
  };
}

/** Where the escape sequence starting at `start` ends (exclusive), or undefined if cut short. */
function escapeEnd(input: string, start: number): number | undefined {
  const next = input[start + 1];
  if (next === undefined) return undefined;
  if (next === '[') {
    // CSI: parameter and intermediate bytes, then one final byte in @..~.
    for (let j = start + 2; j < input.length; j++) {
      const code = input.charCodeAt(j);
      if (code >= 0x40 && code <= 0x7e) return j + 1;
      if (code < 0x20 || code > 0x3f) return j; // not a CSI after all: drop what came before
    }
    return undefined;
  }
  if (next === 'O') return start + 2 < input.length ? start + 3 : undefined; // SS3 and one byte
  return start + 2; // Alt+key: dropped with its key
}

function escapeKey(sequence: string): NamedKey | undefined {
  const body = sequence.slice(2);
  if (sequence[1] === 'O') return CSI_FINAL[body];
  if (sequence[1] !== '[') return undefined;
  const final = body.at(-1) ?? '';
  const params = body.slice(0, -1);
  if (final === '~') return CSI_TILDE[params.split(';')[0] ?? ''];
  // `ESC [ 1 ; 5 C` (Ctrl+arrow) moves as the plain arrow.
  if (params === '' || /^1;\d+$/.test(params)) return CSI_FINAL[final];
  return undefined;
}
