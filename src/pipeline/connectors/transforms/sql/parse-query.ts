// The Sql transform's query, parsed with node-sql-parser and checked against what SeaTunnel's
// ZetaSQLEngine.validateSQL allows (one table, one SELECT), then narrowed from the parser's loose AST
// into the small typed tree below that the compiler reads.
import { createRequire } from 'node:module';
import type sqlParserModule from 'node-sql-parser/build/postgresql.js';
import { parseDataType, type DataType } from '../../../data-type.ts';
import type { AgentError } from '../../../../errors.ts';
import { configError } from '../../../config-error.ts';

let parser: typeof sqlParserModule | undefined;
/** The SQL grammar (~300 KB) loads when a Sql transform is first created, not with the agent. */
function loadParser(): typeof sqlParserModule {
  parser ??= createRequire(import.meta.url)(
    'node-sql-parser/build/postgresql.js',
  ) as typeof sqlParserModule;
  return parser;
}

export type SqlExpr =
  | { readonly kind: 'column'; readonly path: readonly string[] }
  | {
      readonly kind: 'literal';
      readonly value: string | number | boolean | null;
      readonly type: DataType;
    }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOp;
      readonly left: SqlExpr;
      readonly right: SqlExpr;
      readonly parens: boolean;
    }
  | { readonly kind: 'unary'; readonly op: 'NOT' | '-' | '+'; readonly expr: SqlExpr }
  | { readonly kind: 'is-null'; readonly not: boolean; readonly expr: SqlExpr }
  | { readonly kind: 'in'; readonly not: boolean; readonly expr: SqlExpr; readonly list: SqlExpr[] }
  | {
      readonly kind: 'between';
      readonly not: boolean;
      readonly expr: SqlExpr;
      readonly low: SqlExpr;
      readonly high: SqlExpr;
    }
  | {
      readonly kind: 'like';
      readonly not: boolean;
      readonly expr: SqlExpr;
      readonly pattern: SqlExpr;
    }
  | {
      readonly kind: 'case';
      readonly operand: SqlExpr | undefined;
      readonly whens: ReadonlyArray<{ readonly when: SqlExpr; readonly then: SqlExpr }>;
      readonly otherwise: SqlExpr | undefined;
    }
  | {
      readonly kind: 'cast';
      readonly expr: SqlExpr;
      readonly type: DataType;
      readonly spelled: string;
    }
  | { readonly kind: 'call'; readonly name: string; readonly args: SqlExpr[] };

export const BINARY_OPS = [
  '+',
  '-',
  '*',
  '/',
  '%',
  '||',
  '=',
  '<>',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'AND',
  'OR',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export type SelectItem =
  | { readonly kind: 'star' }
  | { readonly kind: 'expr'; readonly expr: SqlExpr; readonly alias: string | undefined };

export interface SelectQuery {
  readonly table: string;
  readonly items: readonly SelectItem[];
  readonly where: SqlExpr | undefined;
}

const PREFIX = 'SQL validate failed: ';

export function invalid(reason: string): AgentError {
  return configError(PREFIX + reason);
}

/** SeaTunnel's CAST spellings the PostgreSQL grammar lacks, rewritten to ones it has. */
const CAST_SPELLINGS: Record<string, string> = { STRING: 'VARCHAR', LONG: 'BIGINT' };

// A quoted string or identifier, kept as it is, or a run of unquoted text.
const CHUNKS = /'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`[^`]*`?|[^'"`]+/g;

/** `CAST(x AS STRING)` → `CAST(x AS VARCHAR)`, outside quoted text only. */
function respellCasts(query: string): string {
  return (query.match(CHUNKS) ?? [])
    .map((chunk) =>
      /^['"`]/.test(chunk)
        ? chunk
        : chunk.replace(
            /\bAS(\s+)(STRING|LONG)(\s*\))/gi,
            (_m, sp: string, type: string, end: string) => {
              return `AS${sp}${CAST_SPELLINGS[type.toUpperCase()] as string}${end}`;
            },
          ),
    )
    .join('');
}

/**
 * Parses and validates a query. PostgreSQL's grammar is used because it reads `"quoted"` names as
 * identifiers (as SeaTunnel's JSqlParser does) and accepts backticks as well.
 */
export function parseQuery(query: string): SelectQuery {
  let parsed: unknown;
  try {
    parsed = new (loadParser().Parser)().astify(respellCasts(query), { database: 'postgresql' });
  } catch (err) {
    throw invalid(`cannot parse the query: ${(err as Error).message}`);
  }
  const statements = Array.isArray(parsed) ? parsed : [parsed];
  if (statements.length !== 1) {
    throw invalid(`the query must be one SELECT statement, not ${statements.length}`);
  }
  return readSelect(node(statements[0]));
}

type Node = { readonly [key: string]: unknown };

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function node(value: unknown): Node {
  if (!isNode(value)) throw invalid(`unexpected query structure ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A name the parser gives as a string or as `{ type, value }`. */
function nameOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isNode(value) && typeof value.value === 'string') return value.value;
  return undefined;
}

function present(value: unknown): boolean {
  return value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
}

function readSelect(ast: Node): SelectQuery {
  const type = String(ast.type ?? 'unknown').toUpperCase();
  if (type !== 'SELECT') throw invalid(`only SELECT is allowed, not ${type}`);
  if (present(ast.with)) throw invalid('WITH is not allowed');
  if (present(ast._next) || present(ast.set_op)) {
    throw invalid(`${String(ast.set_op ?? 'union').toUpperCase()} is not allowed`);
  }
  if (isNode(ast.distinct) && present(ast.distinct.type)) throw invalid('DISTINCT is not allowed');
  const from = list(ast.from);
  if (from.length === 0) throw invalid('the query must read a table: SELECT … FROM <table>');
  const first = node(from[0]);
  if (from.length > 1 || from.some((f) => isNode(f) && present(f.join))) {
    throw invalid('JOIN is not allowed: the query reads one table');
  }
  if (present(first.expr)) throw invalid('sub-selects are not allowed');
  if (present(first.db) || present(first.schema)) {
    throw invalid('a schema on the table is not allowed: write FROM <table>');
  }
  if (present(first.as)) throw invalid('an alias on the table is not allowed');
  const table = nameOf(first.table);
  if (table === undefined) throw invalid('the query must read a table: SELECT … FROM <table>');
  if (present(ast.groupby)) throw invalid('GROUP BY is not allowed');
  if (present(ast.having)) throw invalid('HAVING is not allowed');
  if (present(ast.orderby)) throw invalid('ORDER BY is not allowed');
  if (isNode(ast.limit) && present(ast.limit.value)) throw invalid('LIMIT/OFFSET is not allowed');
  if (present(ast.window)) throw invalid('WINDOW is not allowed');
  if (isNode(ast.into) && present(ast.into.position)) throw invalid('SELECT INTO is not allowed');

  const items = list(ast.columns).map((c): SelectItem => {
    const column = node(c);
    const expr = node(column.expr);
    if (expr.type === 'column_ref' && expr.column === '*') {
      const qualifier = nameOf(expr.table);
      if (qualifier !== undefined && qualifier !== table) {
        throw invalid(`${qualifier}.* names a table other than ${table}`);
      }
      return { kind: 'star' };
    }
    const alias = nameOf(column.as);
    return { kind: 'expr', expr: readExpr(expr), alias };
  });
  if (items.length === 0) throw invalid('the query selects nothing');
  return { table, items, where: present(ast.where) ? readExpr(ast.where) : undefined };
}

function readExpr(value: unknown): SqlExpr {
  const n = node(value);
  if (present(n.ast)) throw invalid('sub-selects are not allowed');
  switch (n.type) {
    case 'column_ref':
      return { kind: 'column', path: columnPath(n) };
    case 'double_quote_string':
    case 'backticks_quote_string':
      return { kind: 'column', path: [String(n.value)] };
    case 'number':
    case 'bigint':
      return numberLiteral(n.value);
    case 'single_quote_string':
    case 'string':
      return {
        kind: 'literal',
        value: String(n.value).replaceAll("''", "'"),
        type: { kind: 'string' },
      };
    case 'bool':
      return { kind: 'literal', value: n.value === true, type: { kind: 'boolean' } };
    case 'null':
      return { kind: 'literal', value: null, type: { kind: 'null' } };
    case 'binary_expr':
      return readBinary(n);
    case 'unary_expr': {
      const op = String(n.operator).toUpperCase();
      if (op !== 'NOT' && op !== '-' && op !== '+') {
        throw invalid(`operator ${op} is not supported`);
      }
      return { kind: 'unary', op, expr: readExpr(n.expr) };
    }
    case 'case':
      return readCase(n);
    case 'cast':
      return readCast(n);
    case 'function':
      return readCall(n);
    case 'aggr_func':
      throw invalid(
        `aggregate functions such as ${String(n.name)} are not allowed: the transform works row by row`,
      );
    default:
      throw invalid(`${String(n.type)} expressions are not supported`);
  }
}

function columnPath(n: Node): string[] {
  const path: string[] = [];
  for (const part of [n.schema, n.table]) {
    const name = nameOf(part);
    if (name !== undefined) path.push(name);
  }
  const column = n.column;
  if (typeof column === 'string') return [...path, column];
  const expr = isNode(column) ? column.expr : undefined;
  return [...path, ...dottedParts(expr)];
}

/** Four or more dotted parts come as a tree of `.` operators. */
function dottedParts(value: unknown): string[] {
  const name = nameOf(value);
  if (name !== undefined) return [name];
  if (isNode(value) && value.type === 'binary_expr' && value.operator === '.') {
    return [...dottedParts(value.left), ...dottedParts(value.right)];
  }
  throw invalid(`unexpected column reference ${JSON.stringify(value)}`);
}

const INT_MAX = 2_147_483_647;

function numberLiteral(raw: unknown): SqlExpr {
  const text = String(raw);
  const value = Number(text);
  if (!Number.isFinite(value)) throw invalid(`bad number ${text}`);
  if (/^-?\d+$/.test(text)) {
    const big = value > INT_MAX || value < -INT_MAX - 1;
    return { kind: 'literal', value, type: { kind: big ? 'bigint' : 'int' } };
  }
  return { kind: 'literal', value, type: { kind: 'double' } };
}

function readBinary(n: Node): SqlExpr {
  const op = String(n.operator).toUpperCase();
  const left = readExpr(n.left);
  const parens = n.parentheses === true;
  switch (op) {
    case 'IS':
    case 'IS NOT': {
      const right = node(n.right);
      if (right.type !== 'null') throw invalid(`${op} is only supported with NULL`);
      return { kind: 'is-null', not: op === 'IS NOT', expr: left };
    }
    case 'IN':
    case 'NOT IN': {
      const right = node(n.right);
      if (present(right.ast)) throw invalid('sub-selects are not allowed');
      return {
        kind: 'in',
        not: op === 'NOT IN',
        expr: left,
        list: list(right.value).map(readExpr),
      };
    }
    case 'BETWEEN':
    case 'NOT BETWEEN': {
      const [low, high] = list(node(n.right).value).map(readExpr);
      if (!low || !high) throw invalid(`${op} needs two bounds`);
      return { kind: 'between', not: op === 'NOT BETWEEN', expr: left, low, high };
    }
    case 'LIKE':
    case 'NOT LIKE': {
      const right = node(n.right);
      if (present(right.escape)) throw invalid('LIKE … ESCAPE is not supported');
      return { kind: 'like', not: op === 'NOT LIKE', expr: left, pattern: readExpr(right) };
    }
  }
  const known = BINARY_OPS.find((o) => o === op);
  if (known === undefined) throw invalid(`operator ${op} is not supported`);
  return { kind: 'binary', op: known, left, right: readExpr(n.right), parens };
}

function readCase(n: Node): SqlExpr {
  const whens: Array<{ when: SqlExpr; then: SqlExpr }> = [];
  let otherwise: SqlExpr | undefined;
  for (const arg of list(n.args)) {
    const branch = node(arg);
    if (branch.type === 'else') otherwise = readExpr(branch.result);
    else whens.push({ when: readExpr(branch.cond), then: readExpr(branch.result) });
  }
  if (whens.length === 0) throw invalid('CASE needs at least one WHEN');
  return {
    kind: 'case',
    operand: present(n.expr) ? readExpr(n.expr) : undefined,
    whens,
    otherwise,
  };
}

/** CAST target spellings → SeaTunnel types. */
const CAST_TYPES: Record<string, string> = {
  VARCHAR: 'string',
  CHAR: 'string',
  TEXT: 'string',
  STRING: 'string',
  INT: 'int',
  INTEGER: 'int',
  TINYINT: 'tinyint',
  SMALLINT: 'smallint',
  BIGINT: 'bigint',
  DOUBLE: 'double',
  'DOUBLE PRECISION': 'double',
  FLOAT: 'float',
  REAL: 'float',
  DECIMAL: 'decimal',
  NUMERIC: 'decimal',
  BOOLEAN: 'boolean',
  BOOL: 'boolean',
  DATE: 'date',
  TIME: 'time',
  TIMESTAMP: 'timestamp',
  DATETIME: 'timestamp',
};

function readCast(n: Node): SqlExpr {
  const target = node(list(n.target)[0]);
  const spelled = String(target.dataType ?? '').toUpperCase();
  const kind = CAST_TYPES[spelled];
  if (kind === undefined) {
    throw invalid(
      `CAST to ${spelled} is not supported; use string, int, bigint, double, float, decimal, boolean, date or timestamp`,
    );
  }
  let type: DataType;
  if (kind === 'decimal' && typeof target.length === 'number') {
    const scale = typeof target.scale === 'number' ? target.scale : 0;
    try {
      type = parseDataType(`decimal(${target.length}, ${scale})`);
    } catch (err) {
      throw invalid((err as Error).message);
    }
  } else {
    type = parseDataType(kind);
  }
  const size =
    typeof target.length === 'number'
      ? `(${target.length}${typeof target.scale === 'number' ? `, ${target.scale}` : ''})`
      : '';
  return { kind: 'cast', expr: readExpr(n.expr), type, spelled: spelled + size };
}

const TRIM_SIDES: Record<string, string> = { BOTH: 'TRIM', LEADING: 'LTRIM', TRAILING: 'RTRIM' };

function readCall(n: Node): SqlExpr {
  if (present(n.over)) throw invalid('window functions (OVER) are not allowed');
  const nameNode = node(n.name);
  const name = list(nameNode.name)
    .map((part) => nameOf(part) ?? '')
    .join('.');
  const raw = isNode(n.args) ? list(n.args.value) : [];
  // TRIM(BOTH 'x' FROM s) arrives as its words: BOTH, 'x', from, s.
  if (name.toUpperCase() === 'TRIM' && raw.some((a) => isNode(a) && a.type === 'origin')) {
    const words = raw.filter((a) => isNode(a) && a.type === 'origin').map((a) => nameOf(a) ?? '');
    const values = raw.filter((a) => !(isNode(a) && a.type === 'origin')).map(readExpr);
    const side = TRIM_SIDES[(words[0] ?? 'BOTH').toUpperCase()] ?? 'TRIM';
    const [chars, text] = values.length === 2 ? values : [undefined, values[0]];
    if (text === undefined) {
      throw invalid('TRIM needs a value: TRIM([BOTH|LEADING|TRAILING] [chars] FROM value)');
    }
    return { kind: 'call', name: side, args: chars ? [text, chars] : [text] };
  }
  const args = raw.map(readExpr);
  // The grammar reads `NOT (x)` as a call of NOT.
  if (name.toUpperCase() === 'NOT' && args.length === 1) {
    return { kind: 'unary', op: 'NOT', expr: args[0] as SqlExpr };
  }
  return { kind: 'call', name, args };
}

/** An expression as text: the name of a select item without an alias (SeaTunnel uses the expression's text). */
export function exprText(e: SqlExpr): string {
  switch (e.kind) {
    case 'column':
      return e.path.join('.');
    case 'literal':
      if (e.value === null) return 'NULL';
      if (typeof e.value === 'string') return `'${e.value.replaceAll("'", "''")}'`;
      return typeof e.value === 'boolean' ? String(e.value).toUpperCase() : String(e.value);
    case 'binary': {
      const text = `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
      return e.parens ? `(${text})` : text;
    }
    case 'unary':
      return e.op === 'NOT' ? `NOT ${exprText(e.expr)}` : `${e.op}${exprText(e.expr)}`;
    case 'is-null':
      return `${exprText(e.expr)} IS ${e.not ? 'NOT ' : ''}NULL`;
    case 'in':
      return `${exprText(e.expr)} ${e.not ? 'NOT ' : ''}IN (${e.list.map(exprText).join(', ')})`;
    case 'between':
      return `${exprText(e.expr)} ${e.not ? 'NOT ' : ''}BETWEEN ${exprText(e.low)} AND ${exprText(e.high)}`;
    case 'like':
      return `${exprText(e.expr)} ${e.not ? 'NOT ' : ''}LIKE ${exprText(e.pattern)}`;
    case 'case': {
      const operand = e.operand ? ` ${exprText(e.operand)}` : '';
      const whens = e.whens
        .map((w) => ` WHEN ${exprText(w.when)} THEN ${exprText(w.then)}`)
        .join('');
      const otherwise = e.otherwise ? ` ELSE ${exprText(e.otherwise)}` : '';
      return `CASE${operand}${whens}${otherwise} END`;
    }
    case 'cast':
      return `CAST(${exprText(e.expr)} AS ${e.spelled})`;
    case 'call':
      return `${e.name}(${e.args.map(exprText).join(', ')})`;
  }
}
