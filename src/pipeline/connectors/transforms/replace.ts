// The Replace transform: in the string field `replace_field`, replaces `pattern` by `replacement`;
// as a regular expression with `is_regex`, and then only the first match with `replace_first`.
import { optionReader, type TransformFactory } from '../connector.ts';
import { fieldNamed } from './field-list.ts';
import { configError } from '../../config-error.ts';

export const replaceTransform: TransformFactory = {
  role: 'transform',
  name: 'Replace',
  create(ctx, input) {
    const options = optionReader(ctx);
    const field = fieldNamed(options.string('replace_field'), 'replace_field', 'Replace', input);
    if (field.type.kind !== 'string') {
      throw configError(
        `Replace: replace_field "${field.name}" must be a string field, not ${field.type.kind}`,
      );
    }
    const pattern = options.string('pattern');
    const replacement = options.string('replacement');
    const isRegex = options.boolean('is_regex', false);
    const first = options.boolean('replace_first', false);
    let replace: (s: string) => string;
    if (isRegex) {
      let re: RegExp;
      try {
        re = new RegExp(pattern, first ? '' : 'g');
      } catch (err) {
        throw configError(
          `Replace: pattern is not a valid regular expression: ${(err as Error).message}`,
        );
      }
      // Java's $1 group references read the same in JavaScript.
      replace = (s) => s.replace(re, replacement);
    } else {
      replace = (s) => s.replaceAll(pattern, () => replacement);
    }
    const index = input.indexOf(field);
    return {
      fields: input,
      apply(row) {
        const value = row.values[index];
        if (typeof value !== 'string') return [row];
        const values = [...row.values];
        values[index] = replace(value);
        return [{ ...row, values }];
      },
    };
  },
};
