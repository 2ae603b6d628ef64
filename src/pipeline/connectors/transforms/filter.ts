// The Filter transform: keeps `include_fields` or drops `exclude_fields` (never both); 2.3.3's `fields`
// is the same keep-list.
import type { Field } from '../../data-type.ts';
import { optionReader, type TransformFactory } from '../connector.ts';
import { fieldList } from './field-list.ts';
import { configError } from '../../config-error.ts';

export const filterTransform: TransformFactory = {
  role: 'transform',
  name: 'Filter',
  create(ctx, input) {
    const options = optionReader(ctx);
    const include = options.raw('include_fields') ?? options.raw('fields');
    const exclude = options.raw('exclude_fields');
    if ((include === undefined) === (exclude === undefined)) {
      throw configError(
        "Filter: give either 'include_fields' (the fields to keep) or 'exclude_fields' (the fields to drop), not both",
      );
    }
    const named = fieldList(
      include ?? exclude,
      include !== undefined ? 'include_fields' : 'exclude_fields',
      'Filter',
      input,
    );
    const kept: Field[] = include !== undefined ? named : input.filter((f) => !named.includes(f));
    const indexes = kept.map((f) => input.indexOf(f));
    return {
      fields: kept,
      apply: (row) => [{ ...row, values: indexes.map((i) => row.values[i]) }],
    };
  },
};
