// The FieldMapper transform: `field_mapper { src = dst }` keeps only the listed fields, in the listed
// order, renamed.
import { optionReader, type TransformFactory } from '../connector.ts';
import { fieldMapping, fieldNamed } from './field-list.ts';
import { configError } from '../../config-error.ts';

export const fieldMapperTransform: TransformFactory = {
  role: 'transform',
  name: 'FieldMapper',
  create(ctx, input) {
    const mapping = fieldMapping(
      optionReader(ctx).raw('field_mapper'),
      "FieldMapper: option 'field_mapper' must map fields to new names, e.g. field_mapper { id = user_id }",
    );
    const pairs = mapping.map(([src, dst]) => {
      if (typeof dst !== 'string' || dst === '') {
        throw configError(`FieldMapper: the new name of "${src}" must be text`);
      }
      return { field: fieldNamed(src, 'field_mapper', 'FieldMapper', input), name: dst };
    });
    const indexes = pairs.map((p) => input.indexOf(p.field));
    return {
      fields: pairs.map((p) => ({ name: p.name, type: p.field.type })),
      apply: (row) => [{ ...row, values: indexes.map((i) => row.values[i]) }],
    };
  },
};
