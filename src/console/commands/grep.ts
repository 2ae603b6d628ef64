// `cmd | grep [-i] [-v] [-n] [-e] [-m n] [-A n] [-B n] [-C n] <pattern>`: a pipe stage keeping the lines
// that match, as Arthas's grep: the pattern is plain text unless -e makes it a regular expression.
import { intOption, type StageSpec } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';

export const grepStage: StageSpec = {
  kind: 'stage',
  name: 'grep',
  summary: 'keep the lines that match (after a pipe)',
  usage: 'cmd | grep [-i] [-v] [-n] [-e] [-m <n>] [-A <n>] [-B <n>] [-C <n>] <pattern>',
  optionHelp: [
    '-e, --regex             the pattern is a regular expression (JavaScript syntax)',
    '-i, --ignore-case       ignore case',
    '-v, --invert-match      keep the lines that do not match',
    '-n, --line-number       prefix each line with its number',
    '-m, --max-count <n>     stop after n matching lines',
    '-A, --after-context <n>   also n lines after each match',
    '-B, --before-context <n>  also n lines before each match',
    '-C, --context <n>       also n lines before and after each match',
  ],
  examples: ['sysenv | grep PATH', 'ps | grep -i -e "node|java"', 'logs 12 | grep -n -C 2 error'],
  options: {
    regex: { type: 'boolean', short: 'e' },
    'ignore-case': { type: 'boolean', short: 'i' },
    'invert-match': { type: 'boolean', short: 'v' },
    'line-number': { type: 'boolean', short: 'n' },
    'max-count': { type: 'string', short: 'm' },
    'after-context': { type: 'string', short: 'A' },
    'before-context': { type: 'string', short: 'B' },
    context: { type: 'string', short: 'C' },
  },
  positionals: { min: 1, max: 1 },
  create({ values, positionals }) {
    const pattern = positionals[0] ?? '';
    const ignoreCase = values['ignore-case'] === true;
    const invert = values['invert-match'] === true;
    const numbered = values['line-number'] === true;
    const max = intOption(values['max-count'], 'grep: -m', { min: 1 });
    const context = intOption(values.context, 'grep: -C', { min: 0 }) ?? 0;
    const after = intOption(values['after-context'], 'grep: -A', { min: 0 }) ?? context;
    const before = intOption(values['before-context'], 'grep: -B', { min: 0 }) ?? context;
    const matches = matcher(pattern, values.regex === true, ignoreCase);

    let lineNo = 0;
    let matched = 0;
    let afterLeft = 0;
    /** The last printed line number, to mark gaps between groups with `--` as grep does. */
    let lastShown = 0;
    const held: Array<{ no: number; text: string }> = [];
    const show = (no: number, text: string, sep: string): string[] => {
      const gap = (before > 0 || after > 0) && lastShown > 0 && no > lastShown + 1;
      lastShown = no;
      const line = numbered ? `${no}${sep}${text}` : text;
      return gap ? ['--', line] : [line];
    };

    return {
      line(text) {
        lineNo += 1;
        const done = max !== undefined && matched >= max;
        const hit = !done && matches(text) !== invert;
        if (hit) {
          matched += 1;
          const out = held.splice(0).flatMap((h) => show(h.no, h.text, '-'));
          out.push(...show(lineNo, text, ':'));
          afterLeft = after;
          return out;
        }
        if (afterLeft > 0) {
          afterLeft -= 1;
          return show(lineNo, text, '-');
        }
        if (before > 0 && !done) {
          held.push({ no: lineNo, text });
          if (held.length > before) held.shift();
        }
        return [];
      },
      end() {
        return [];
      },
    };
  },
};

function matcher(pattern: string, regex: boolean, ignoreCase: boolean): (line: string) => boolean {
  if (regex) {
    let re: RegExp;
    try {
      re = new RegExp(pattern, ignoreCase ? 'i' : '');
    } catch (err) {
      throw new CommandFailure(
        `grep: bad regular expression '${pattern}': ${(err as Error).message.replace(/^Invalid regular expression: /, '')}; drop -e to match it as plain text`,
        STATUS.BAD_ARGS,
      );
    }
    return (line) => re.test(line);
  }
  if (!ignoreCase) return (line) => line.includes(pattern);
  const lower = pattern.toLowerCase();
  return (line) => line.toLowerCase().includes(lower);
}
