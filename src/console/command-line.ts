// The console's command-line grammar: words with '…' and "…" quoting and backslash escapes, pipes
// (`cmd | grep x`) and a trailing `&` for a background job, as Arthas's shell reads them.
import { CommandFailure, STATUS } from './model.ts';

export interface CommandLine {
  /** One argv per pipe stage; never empty, no stage empty. */
  readonly stages: ReadonlyArray<readonly string[]>;
  readonly background: boolean;
}

/** Longest command line accepted, in characters. */
export const MAX_COMMAND_LENGTH = 64 * 1024;

const ONE_WORD = /^[^\s"'\\|&>]+$/;
const SPECIAL = /["'\\|&>]/;
const WHITESPACE = /\s+/;

export function parseCommandLine(line: string): CommandLine {
  if (line.length > MAX_COMMAND_LENGTH) {
    throw new CommandFailure(
      `command line too long: ${line.length} characters, at most ${MAX_COMMAND_LENGTH}`,
      STATUS.BAD_ARGS,
    );
  }
  // Most lines are a bare name, or plain words: no character walk for those.
  if (ONE_WORD.test(line)) return { stages: [[line]], background: false };
  if (!SPECIAL.test(line)) {
    const words = line.split(WHITESPACE).filter((w) => w !== '');
    if (words.length === 0) throw new CommandFailure("'command' is required", STATUS.BAD_ARGS);
    return { stages: [words], background: false };
  }
  const stages: string[][] = [[]];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  let background = false;
  const endWord = () => {
    if (word !== undefined) stages[stages.length - 1]?.push(word);
    word = undefined;
  };

  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (background && !/\s/.test(c)) {
      throw new CommandFailure(
        "'&' must come last: it runs the whole line in the background",
        STATUS.BAD_ARGS,
      );
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i] as string;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + (line[++i] as string);
    } else if (/\s/.test(c)) {
      endWord();
    } else if (c === '|') {
      endWord();
      stages.push([]);
    } else if (c === '&') {
      endWord();
      background = true;
    } else if (c === '>') {
      throw new CommandFailure(
        "redirecting output ('>') is not supported here; run the command with 'bosun exec' and redirect in your shell",
        STATUS.BAD_ARGS,
      );
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new CommandFailure(`unterminated ${quote} quote`, STATUS.BAD_ARGS);
  endWord();

  if (stages.length === 1 && stages[0]?.length === 0) {
    throw new CommandFailure("'command' is required", STATUS.BAD_ARGS);
  }
  if (stages.some((s) => s.length === 0)) {
    throw new CommandFailure(
      "a pipe needs a command on each side, e.g. 'sysenv | grep PATH'",
      STATUS.BAD_ARGS,
    );
  }
  return { stages, background };
}
