// Compiles a parsed Sql query against its input fields, once, into closures over a row's values:
// one per output field, and the WHERE test. Names and types are resolved here, so unknown columns and
// functions fail at create time and applying a row does no lookups.
import { formatDataType, type DataType, type Field } from '../../../data-type.ts';
import { dateText, parseDateTime, timestampText } from '../../../date-time.ts';
import { DATE_UNITS, FUNCTIONS } from './functions.ts';
import { exprText, invalid, type SelectQuery, type SqlExpr } from './parse-query.ts';
import {
  arithmeticType,
  compare,
  isIntegral,
  lastOf,
  likeRegExp,
  sqlEquals,
  toNumber,
  toText,
} from './values.ts';

export type Values = readonly unknown[];
export type Eval = (values: Values) => unknown;

export interface Compiled {
  readonly eval: Eval;
  readonly type: DataType;
}

export interface CompiledQuery {
  readonly fields: Field[];
  readonly columns: Eval[];
  /** True for rows to keep; undefined without WHERE. */
  readonly where: ((values: Values) => boolean) | undefined;
}

const BOOLEAN: DataType = { kind: 'boolean' };

const isNull = (v: unknown) => v === null || v === undefined;

export function compileQuery(query: SelectQuery, input: readonly Field[]): CompiledQuery {
  const scope = { input, table: query.table };
  const fields: Field[] = [];
  const columns: Eval[] = [];
  for (const item of query.items) {
    if (item.kind === 'star') {
      input.forEach((field, i) => {
        fields.push(field);
        columns.push((v) => v[i]);
      });
      continue;
    }
    const compiled = compileExpr(item.expr, scope);
    const name =
      item.alias ??
      (item.expr.kind === 'column' ? (item.expr.path.at(-1) as string) : exprText(item.expr));
    fields.push({ name, type: compiled.type });
    columns.push(compiled.eval);
  }
  let where: CompiledQuery['where'];
  if (query.where) {
    const test = compileExpr(query.where, scope).eval;
    where = (v) => test(v) === true;
  }
  return { fields, columns, where };
}

interface Scope {
  readonly input: readonly Field[];
  readonly table: string;
}

export function compileExpr(e: SqlExpr, scope: Scope): Compiled {
  switch (e.kind) {
    case 'column':
      return compileColumn(e.path, scope);
    case 'literal': {
      const value = e.value;
      return { eval: () => value, type: e.type };
    }
    case 'unary':
      return compileUnary(e.op, compileExpr(e.expr, scope));
    case 'binary':
      return compileBinary(e.op, compileExpr(e.left, scope), compileExpr(e.right, scope));
    case 'is-null': {
      const inner = compileExpr(e.expr, scope).eval;
      const not = e.not;
      return { eval: (v) => isNull(inner(v)) !== not, type: BOOLEAN };
    }
    case 'in': {
      const inner = compileExpr(e.expr, scope).eval;
      const items = e.list.map((x) => compileExpr(x, scope).eval);
      const not = e.not;
      return {
        eval: (v) => {
          const x = inner(v);
          if (isNull(x)) return null;
          let sawNull = false;
          for (const item of items) {
            const eq = sqlEquals(x, item(v));
            if (eq === true) return !not;
            if (eq === null) sawNull = true;
          }
          return sawNull ? null : not;
        },
        type: BOOLEAN,
      };
    }
    case 'between': {
      const inner = compileExpr(e.expr, scope).eval;
      const low = compileExpr(e.low, scope).eval;
      const high = compileExpr(e.high, scope).eval;
      const not = e.not;
      return {
        eval: (v) => {
          const x = inner(v);
          const a = low(v);
          const b = high(v);
          const aboveLow = isNull(x) || isNull(a) ? null : compare(x, a) >= 0;
          const belowHigh = isNull(x) || isNull(b) ? null : compare(x, b) <= 0;
          const within = and(aboveLow, belowHigh);
          return within === null ? null : within !== not;
        },
        type: BOOLEAN,
      };
    }
    case 'like': {
      const inner = compileExpr(e.expr, scope).eval;
      const pattern = compileExpr(e.pattern, scope).eval;
      const regex = lastOf(likeRegExp);
      const not = e.not;
      return {
        eval: (v) => {
          const x = inner(v);
          const p = pattern(v);
          if (isNull(x) || isNull(p)) return null;
          return regex(toText(p)).test(toText(x)) !== not;
        },
        type: BOOLEAN,
      };
    }
    case 'case':
      return compileCase(e, scope);
    case 'cast': {
      const inner = compileExpr(e.expr, scope).eval;
      const convert = caster(e.type);
      return {
        eval: (v) => {
          const x = inner(v);
          return isNull(x) ? null : convert(x);
        },
        type: e.type,
      };
    }
    case 'call':
      return compileCall(e.name, e.args, scope);
  }
}

function columnsList(scope: Scope): string {
  return scope.input.map((f) => f.name).join(', ');
}

function compileColumn(path: readonly string[], scope: Scope): Compiled {
  const find = (fields: readonly Field[], name: string): number => {
    const exact = fields.findIndex((f) => f.name === name);
    if (exact >= 0) return exact;
    // Unquoted names may be written in another case; take that only when it is unambiguous.
    const loose = fields.flatMap((f, i) =>
      f.name.toLowerCase() === name.toLowerCase() ? [i] : [],
    );
    return loose.length === 1 ? (loose[0] as number) : -1;
  };
  let parts = path;
  if (find(scope.input, parts[0] as string) < 0 && parts.length > 1 && parts[0] === scope.table) {
    parts = parts.slice(1);
  }
  const indexes: number[] = [];
  let fields = scope.input;
  let type: DataType | undefined;
  for (const [depth, part] of parts.entries()) {
    if (type !== undefined) {
      if (type.kind !== 'row') {
        throw invalid(
          `column "${parts.slice(0, depth).join('.')}" is ${formatDataType(type)}, not a row, so it has no field "${part}"`,
        );
      }
      fields = type.fields;
    }
    const i = find(fields, part);
    if (i < 0) {
      const where =
        depth === 0
          ? `the input columns are ${columnsList(scope)}`
          : `its fields are ${fields.map((f) => f.name).join(', ')}`;
      throw invalid(`column "${parts.slice(0, depth + 1).join('.')}" not found; ${where}`);
    }
    indexes.push(i);
    type = (fields[i] as Field).type;
  }
  const [first, ...rest] = indexes as [number, ...number[]];
  if (rest.length === 0) return { eval: (v) => v[first], type: type as DataType };
  return {
    eval: (v) => {
      let x: unknown = v[first];
      for (const i of rest) {
        if (!Array.isArray(x)) return null;
        x = x[i];
      }
      return x;
    },
    type: type as DataType,
  };
}

/** Three-valued AND. */
function and(a: unknown, b: unknown): boolean | null {
  if (a === false || b === false) return false;
  if (isNull(a) || isNull(b)) return null;
  return true;
}

function or(a: unknown, b: unknown): boolean | null {
  if (a === true || b === true) return true;
  if (isNull(a) || isNull(b)) return null;
  return false;
}

function compileUnary(op: 'NOT' | '-' | '+', inner: Compiled): Compiled {
  const f = inner.eval;
  if (op === 'NOT') {
    return {
      eval: (v) => {
        const x = f(v);
        return isNull(x) ? null : !x;
      },
      type: BOOLEAN,
    };
  }
  const type = inner.type.kind === 'null' ? { kind: 'int' as const } : inner.type;
  const sign = op === '-' ? -1 : 1;
  return {
    eval: (v) => {
      const x = f(v);
      return isNull(x) ? null : sign * toNumber(x) || 0;
    },
    type,
  };
}

function compileBinary(op: string, left: Compiled, right: Compiled): Compiled {
  const l = left.eval;
  const r = right.eval;
  switch (op) {
    case 'AND':
      return { eval: (v) => and(l(v), r(v)), type: BOOLEAN };
    case 'OR':
      return { eval: (v) => or(l(v), r(v)), type: BOOLEAN };
    case '||':
      return {
        eval: (v) => {
          const a = l(v);
          const b = r(v);
          return isNull(a) || isNull(b) ? null : toText(a) + toText(b);
        },
        type: { kind: 'string' },
      };
    case '=':
    case '<>':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const test = COMPARISONS[op] as (c: number) => boolean;
      return {
        eval: (v) => {
          const a = l(v);
          const b = r(v);
          return isNull(a) || isNull(b) ? null : test(compare(a, b));
        },
        type: BOOLEAN,
      };
    }
  }
  const type = arithmeticType(left.type, right.type);
  const integral = isIntegral(type);
  const calc = ARITHMETIC[op];
  if (!calc) throw invalid(`operator ${op} is not supported`);
  return {
    eval: (v) => {
      const a = l(v);
      const b = r(v);
      if (isNull(a) || isNull(b)) return null;
      return calc(toNumber(a), toNumber(b), integral);
    },
    type,
  };
}

const COMPARISONS: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/** Integer division truncates, as in SQL; dividing by zero gives null instead of failing the job. */
const ARITHMETIC: Record<string, (a: number, b: number, integral: boolean) => number | null> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b, integral) => (b === 0 ? null : integral ? Math.trunc(a / b) : a / b),
  '%': (a, b) => (b === 0 ? null : a % b),
};

function compileCase(e: Extract<SqlExpr, { kind: 'case' }>, scope: Scope): Compiled {
  const operand = e.operand ? compileExpr(e.operand, scope).eval : undefined;
  const whens = e.whens.map((w) => ({
    when: compileExpr(w.when, scope).eval,
    then: compileExpr(w.then, scope),
  }));
  const otherwise = e.otherwise ? compileExpr(e.otherwise, scope) : undefined;
  const results = [...whens.map((w) => w.then), ...(otherwise ? [otherwise] : [])];
  // The first branch's type, as SeaTunnel does; a NULL first branch defers to the next.
  const type = results.find((c) => c.type.kind !== 'null')?.type ?? { kind: 'null' };
  const fallback = otherwise?.eval;
  return {
    eval: (v) => {
      const subject = operand ? operand(v) : undefined;
      for (const w of whens) {
        const hit = operand ? sqlEquals(subject, w.when(v)) : w.when(v);
        if (hit === true) return w.then.eval(v);
      }
      return fallback ? fallback(v) : null;
    },
    type,
  };
}

function compileCall(written: string, args: readonly SqlExpr[], scope: Scope): Compiled {
  const name = written.toUpperCase();
  const fn = FUNCTIONS[name];
  if (!fn) {
    throw invalid(
      `function ${written} is not supported; the functions are ${Object.keys(FUNCTIONS).join(', ')}; the input columns are ${columnsList(scope)}`,
    );
  }
  if (args.length < fn.minArgs || args.length > fn.maxArgs) {
    const want =
      fn.minArgs === fn.maxArgs
        ? `${fn.minArgs}`
        : fn.maxArgs === Infinity
          ? `at least ${fn.minArgs}`
          : `${fn.minArgs} to ${fn.maxArgs}`;
    throw invalid(`${name} takes ${want} argument${want === '1' ? '' : 's'}, not ${args.length}`);
  }
  try {
    fn.check?.(args.map((a) => (a.kind === 'literal' ? a.value : undefined)));
  } catch (err) {
    throw invalid(`${name}: ${(err as Error).message}`);
  }
  // DATEDIFF(DAY, a, b): the unit is a word, not a column.
  const unit = name === 'DATEDIFF' && args.length === 3 ? unitWord(args[0] as SqlExpr) : undefined;
  const compiled = args.map((a, i) =>
    i === 0 && unit !== undefined
      ? { eval: () => unit, type: { kind: 'string' } as DataType }
      : compileExpr(a, scope),
  );
  const evals = compiled.map((c) => c.eval);
  const call = fn.make();
  const type = fn.type(compiled.map((c) => c.type));
  const seesNulls = fn.seesNulls === true;
  const n = evals.length;
  return {
    eval: (v) => {
      const values = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const x = (evals[i] as Eval)(v);
        if (!seesNulls && isNull(x)) return null;
        values[i] = x;
      }
      return call(values);
    },
    type,
  };
}

function unitWord(e: SqlExpr): string | undefined {
  const word =
    e.kind === 'column' && e.path.length === 1
      ? e.path[0]
      : e.kind === 'literal' && typeof e.value === 'string'
        ? e.value
        : undefined;
  if (word === undefined) return undefined;
  const upper = word.toUpperCase();
  if (!DATE_UNITS.has(upper)) {
    throw invalid(`DATEDIFF unit ${word} is not one of ${[...DATE_UNITS].join(', ')}`);
  }
  return upper;
}

/** CAST's conversions; a value that cannot convert fails the row, as SeaTunnel's CAST does. */
function caster(type: DataType): (x: unknown) => unknown {
  const fail = (x: unknown): never => {
    throw new Error(`Sql: cannot CAST ${JSON.stringify(x)} AS ${formatDataType(type)}`);
  };
  const number = (x: unknown): number => {
    try {
      return toNumber(x);
    } catch {
      return fail(x);
    }
  };
  switch (type.kind) {
    case 'string':
      return toText;
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return (x) => Math.trunc(number(x));
    case 'float':
    case 'double':
      return number;
    case 'decimal': {
      const scale = type.scale;
      return (x) => number(x).toFixed(scale);
    }
    case 'boolean':
      return (x) => {
        if (typeof x === 'boolean') return x;
        if (typeof x === 'number' || typeof x === 'bigint') return Number(x) !== 0;
        const s = toText(x).trim().toLowerCase();
        if (s === 'true' || s === '1') return true;
        if (s === 'false' || s === '0') return false;
        return fail(x);
      };
    case 'date':
      return (x) => dateText(parseDateTime(x) ?? fail(x));
    case 'timestamp':
      return (x) => timestampText(parseDateTime(x) ?? fail(x));
    case 'time':
      return (x) => {
        const s = toText(x);
        const m = /(\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(s);
        return m ? m[1] : fail(x);
      };
    default:
      return fail;
  }
}
