// The Copy transform: `fields { newName = srcField }` appends copies after the existing fields.
import { optionReader, type TransformFactory } from '../connector.ts';
import { fieldMapping, fieldNamed } from './field-list.ts';
import { configError } from '../../config-error.ts';

export const copyTransform: TransformFactory = {
  role: 'transform',
  name: 'Copy',
  create(ctx, input) {
    const mapping = fieldMapping(
      optionReader(ctx).raw('fields'),
      "Copy: option 'fields' must map new fields to the fields they copy, e.g. fields { name2 = name }",
    );
    const copies = mapping.map(([name, src]) => {
      if (input.some((f) => f.name === name)) {
        throw configError(`Copy: a field named "${name}" exists already; pick another name`);
      }
      return { name, field: fieldNamed(src, 'fields', 'Copy', input) };
    });
    const indexes = copies.map((c) => input.indexOf(c.field));
    return {
      fields: [...input, ...copies.map((c) => ({ name: c.name, type: c.field.type }))],
      apply: (row) => [{ ...row, values: [...row.values, ...indexes.map((i) => row.values[i])] }],
    };
  },
};
