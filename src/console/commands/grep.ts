// `cmd | grep [-i] [-v] [-n] [-e] [-m n] [-A n] [-B n] [-C n] <pattern>`: a pipe stage keeping the lines
// that match, as Arthas's grep: the pattern is plain text unless -e makes it a regular expression.
// Regular expressions run on RE2 (re2js), in time linear in the line: V8's backtracking engine let
// one pattern like `(a+)+$` block the agent for seconds, and no interrupt can stop a running match.
import { RE2JS, RE2JSException } from 're2js';
import { intOption, MAX_COUNT, type StageSpec } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';

export const grepStage: StageSpec = {
  kind: 'stage',
  name: 'grep',
  summary: 'keep the lines that match (after a pipe)',
  usage: 'cmd | grep [-i] [-v] [-n] [-e] [-m <n>] [-A <n>] [-B <n>] [-C <n>] <pattern>',
  optionHelp: [
    '-e, --regex             the pattern is a regular expression (JavaScript syntax without',
    '                        backreferences or lookaround: RE2, which runs in linear time)',
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
    const max = intOption(values['max-count'], 'grep: -m', { min: 1, max: MAX_COUNT });
    const context = intOption(values.context, 'grep: -C', { min: 0, max: MAX_COUNT }) ?? 0;
    const after =
      intOption(values['after-context'], 'grep: -A', { min: 0, max: MAX_COUNT }) ?? context;
    const before =
      intOption(values['before-context'], 'grep: -B', { min: 0, max: MAX_COUNT }) ?? context;
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
    const re = compile(pattern, ignoreCase);
    return (line) => re.test(line);
  }
  if (!ignoreCase) return (line) => line.includes(pattern);
  const lower = pattern.toLowerCase();
  return (line) => line.toLowerCase().includes(lower);
}

function compile(pattern: string, ignoreCase: boolean): RE2JS {
  const missing = unsupported(pattern);
  if (missing !== undefined) {
    throw new CommandFailure(
      `grep: '${pattern}' uses ${missing}, which grep's regular expressions (RE2, linear time) do not support; rewrite the pattern without it, or drop -e to match it as plain text`,
      STATUS.BAD_ARGS,
    );
  }
  try {
    // translateRegExp turns the JavaScript-only syntax (\u0041, \cA, [^]) into RE2's.
    return RE2JS.compile(RE2JS.translateRegExp(pattern), ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    throw new CommandFailure(
      `grep: bad regular expression '${pattern}': ${err.message.replace(/^error parsing regexp: /, '')}; drop -e to match it as plain text`,
      STATUS.BAD_ARGS,
    );
  }
}

/**
 * Names the first JavaScript feature RE2 leaves out by design (it needs backtracking), or undefined.
 * Checked before translating: translateRegExp would quietly turn `\k<name>` into the text `k<name>`,
 * and RE2's own errors for these ("invalid named capture") do not say what is missing.
 */
function unsupported(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\\${next})`;
      if (!inClass && next === 'k' && pattern[i + 2] === '<') return 'a backreference (\\k<…>)';
      i += 1;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && pattern[i + 1] === '?') {
      const kind = pattern.slice(i + 2, i + 4);
      if (kind[0] === '=' || kind[0] === '!') return `a lookahead (?${kind[0]}…)`;
      if (kind === '<=' || kind === '<!') return `a lookbehind (?${kind}…)`;
    }
  }
  return undefined;
}
