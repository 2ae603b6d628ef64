// The Sql transform (specs/seatunnel.md §5): `query` is one SELECT over the input table, compiled
// once; each row becomes the selected values, or nothing when WHERE is not true. A select item
// without an alias is named after its column, or else after its expression's text (`id + 1`).
import { optionReader, type TransformFactory } from '../connector.ts';
import { compileQuery } from './sql/compile.ts';
import { parseQuery } from './sql/parse-query.ts';

export const sqlTransform: TransformFactory = {
  role: 'transform',
  name: 'Sql',
  create(ctx, input) {
    const query = parseQuery(optionReader(ctx).string('query'));
    const inputs = ctx.plugin.inputs;
    if (!inputs.some((t) => t.toLowerCase() === query.table.toLowerCase())) {
      // SeaTunnel only warns: the query runs on the transform's input whatever it names.
      ctx.log(
        `WARN Sql: the query reads table "${query.table}", which is not this transform's input (${inputs.map((t) => `"${t}"`).join(', ')}); it runs on the input`,
      );
    }
    const { fields, columns, where } = compileQuery(query, input);
    const width = columns.length;
    return {
      fields,
      apply(row) {
        const values = row.values;
        if (where && !where(values)) return [];
        const out = new Array<unknown>(width);
        for (let i = 0; i < width; i++) {
          out[i] = (columns[i] as (v: readonly unknown[]) => unknown)(values);
        }
        return [{ kind: row.kind, table: row.table, values: out }];
      },
    };
  },
};
