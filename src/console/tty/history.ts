// The command lines a terminal has entered, walked with up and down as a shell does: the line being
// typed is kept as a draft while older entries are shown, and comes back below the newest one.

export interface History {
  /** Records an entered line (not a blank one, nor a repeat of the last one) and ends any walk. */
  add(line: string): void;
  /** The entry before the one shown, or undefined at the oldest; `current` is the line on screen. */
  previous(current: string): string | undefined;
  /** The entry after the one shown, the draft after the newest, or undefined when not walking. */
  next(current: string): string | undefined;
}

export function createHistory(limit = 500): History {
  const entries: string[] = [];
  /** entries.length when not walking; else the index of the entry shown. */
  let index = 0;
  let draft = '';
  // An entry edited during a walk keeps its edit until the walk ends (readline does the same).
  const edits = new Map<number, string>();
  const shown = (i: number): string =>
    i === entries.length ? draft : (edits.get(i) ?? entries[i] ?? '');
  const remember = (current: string) => {
    if (index === entries.length) draft = current;
    else if (current !== entries[index]) edits.set(index, current);
  };

  return {
    add(line) {
      if (line.trim() !== '' && entries.at(-1) !== line) {
        entries.push(line);
        if (entries.length > limit) entries.shift();
      }
      index = entries.length;
      draft = '';
      edits.clear();
    },
    previous(current) {
      if (index === 0) return undefined;
      remember(current);
      index -= 1;
      return shown(index);
    },
    next(current) {
      if (index >= entries.length) return undefined;
      remember(current);
      index += 1;
      return shown(index);
    },
  };
}
