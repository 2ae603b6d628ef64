// Turns a run's output bytes into text items of whole lines: a UTF-8 character or a line split across
// chunks is held back until it is complete, so `logs 7 | grep x` sees real lines.
import type { TextItem } from '../../items.ts';

/** Text items are kept below this, so one item never holds a whole 8 MiB log. */
const MAX_ITEM_CHARS = 64 * 1024;

export interface LogText {
  /** Items for the complete lines so far. */
  push(chunk: Uint8Array): TextItem[];
  /** An item for what is left (a last line without a newline), if anything. */
  end(): TextItem[];
}

export function createLogText(): LogText {
  const decoder = new TextDecoder('utf-8');
  let partial = '';

  function items(text: string): TextItem[] {
    const out: TextItem[] = [];
    let rest = text;
    while (rest.length > MAX_ITEM_CHARS) {
      const cut = rest.lastIndexOf('\n', MAX_ITEM_CHARS);
      const at = cut > 0 ? cut : MAX_ITEM_CHARS;
      out.push({ type: 'text', text: rest.slice(0, at) });
      rest = rest.slice(cut > 0 ? at + 1 : at);
    }
    if (rest !== '') out.push({ type: 'text', text: rest });
    return out;
  }

  return {
    push(chunk) {
      const text = partial + decoder.decode(chunk, { stream: true });
      const last = text.lastIndexOf('\n');
      if (last < 0) {
        partial = text;
        return [];
      }
      partial = text.slice(last + 1);
      // An empty line is still a line: keep it as one item with an empty text.
      const whole = text.slice(0, last);
      return whole === '' ? [{ type: 'text', text: '' }] : items(whole);
    },
    end() {
      const text = partial + decoder.decode();
      partial = '';
      return items(text);
    },
  };
}
