// SeaTunnel's SQL config form (docs/en/concept/sql-config.md; specs/seatunnel.md §5, §6 format=sql):
//
//   /* config
//   env { job.mode = "BATCH" }
//   */
//   CREATE TABLE fake WITH ('connector' = 'FakeSource', 'type' = 'source', 'row.num' = '10',
//                           'schema' = '{ fields { id = int, name = string } }');
//   CREATE TABLE out WITH ('connector' = 'Console', 'type' = 'sink');
//   CREATE TABLE adults AS SELECT id, name FROM fake WHERE id > 2;
//   INSERT INTO out SELECT * FROM adults;
//
// read into the same document as the JSON and HOCON forms. A `CREATE TABLE … WITH` names a source or a
// sink; `CREATE TABLE … AS SELECT` and `INSERT INTO … SELECT … FROM` become Sql transforms;
// `INSERT INTO sink SELECT table` feeds the table as it is. A sink table nobody inserts into is left
// out, and each INSERT makes its own sink, as SeaTunnel's SqlConfigBuilder does. Written by hand
// because the statements are not SQL a parser knows (`WITH (…)` of quoted options); the SELECTs are
// parsed later by the Sql transform.
import { parseHocon, type HoconValue } from './hocon.ts';
import { configError } from '../config-error.ts';

type Doc = Record<string, unknown>;
type Plugin = Record<string, unknown>;

const IDENT = String.raw`(?:\x60[^\x60]+\x60|"[^"]+"|[A-Za-z_][\w.]*)`;
const CREATE_WITH = new RegExp(
  String.raw`^CREATE\s+TABLE\s+(${IDENT})\s+WITH\s*\(([\s\S]*)\)$`,
  'i',
);
const CREATE_AS = new RegExp(
  String.raw`^CREATE\s+TABLE\s+(${IDENT})\s+AS\s+(SELECT\b[\s\S]*)$`,
  'i',
);
const INSERT = new RegExp(
  String.raw`^INSERT\s+INTO\s+(${IDENT})\s*(\([^)]*\))?\s*(SELECT\b[\s\S]*)$`,
  'i',
);
const SELECT_TABLE = new RegExp(String.raw`^SELECT\s+(${IDENT})$`, 'i');
const FROM = new RegExp(String.raw`\bFROM\s+(${IDENT})`, 'i');

/** The config document of a SQL config text; `${var}`s of the config comment are resolved from variables. */
export function parseSqlConfig(
  text: string,
  variables: Readonly<Record<string, string | undefined>> = {},
): Doc {
  const { statements, configBlocks } = split(text);
  let env: unknown = {};
  if (configBlocks.length > 0) {
    let head: Record<string, HoconValue>;
    try {
      head = parseHocon(configBlocks.join('\n'), { variables });
    } catch (err) {
      throw configError(`the /* config */ comment: ${(err as Error).message}`);
    }
    env = head.env ?? {};
  }

  const tables = new Map<string, { type: 'source' | 'sink' | 'transform'; plugin: Plugin }>();
  const doc = { env, source: [] as Plugin[], transform: [] as Plugin[], sink: [] as Plugin[] };
  const claim = (name: string) => {
    if (tables.has(name)) throw configError(`Table name duplicate: ${name}`);
  };
  const later: Statement[] = [];

  // Sources and sinks first, so the SELECTs may name tables created further down, as SeaTunnel's.
  for (const statement of statements) {
    const m = CREATE_WITH.exec(statement.masked);
    if (!m) {
      later.push(statement);
      continue;
    }
    const name = unquote(m[1] as string);
    claim(name);
    const body = statement.sql.slice(statement.sql.length - 1 - (m[2] as string).length, -1);
    const options = readOptions(name, body);
    const { connector, type, ...rest } = options;
    if (typeof connector !== 'string' || connector === '') {
      throw configError(
        `The connector of option is none (table ${name}: add 'connector' = 'FakeSource' or another plugin)`,
      );
    }
    const role = typeof type === 'string' ? type.toLowerCase() : '';
    if (role !== 'source' && role !== 'sink') {
      throw configError(`table ${name}: option 'type' must be 'source' or 'sink'`);
    }
    // The wiring comes from the statements, not the options.
    for (const key of ['result_table_name', 'plugin_output', 'source_table_name', 'plugin_input']) {
      delete rest[key];
    }
    const plugin: Plugin = { plugin_name: connector, ...rest };
    if (role === 'source') {
      plugin.plugin_output = name;
      doc.source.push(plugin);
    }
    tables.set(name, { type: role, plugin });
  }

  let temp = 1;
  const mustFeed = (table: string, sql: string): void => {
    const found = tables.get(table);
    if (found === undefined || found.type === 'sink') {
      throw configError(`The source table[${table}] is not found (in: ${sql})`);
    }
  };
  for (const { sql, masked } of later) {
    const as = CREATE_AS.exec(masked);
    if (as) {
      const name = unquote(as[1] as string);
      const query = sql.slice(masked.length - (as[2] as string).length);
      const from = fromTable(query, masked.slice(masked.length - query.length), sql);
      mustFeed(from, sql);
      claim(name);
      const plugin = { plugin_name: 'Sql', plugin_input: from, plugin_output: name, query };
      doc.transform.push(plugin);
      tables.set(name, { type: 'transform', plugin });
      continue;
    }
    const insert = INSERT.exec(masked);
    if (!insert) {
      throw configError(
        `Unsupported SQL syntax: ${sql} (use CREATE TABLE … WITH (…), CREATE TABLE … AS SELECT … or INSERT INTO … SELECT …)`,
      );
    }
    if (insert[2] !== undefined) {
      throw configError(`Insert sql must not have columns: ${sql}`);
    }
    const target = unquote(insert[1] as string);
    const sink = tables.get(target);
    if (sink?.type !== 'sink') throw configError(`The sink table[${target}] is not found`);
    const select = sql.slice(masked.length - (insert[3] as string).length);
    const selectMasked = masked.slice(masked.length - select.length);
    let feed: string;
    const whole = SELECT_TABLE.exec(selectMasked);
    if (whole) {
      feed = unquote(whole[1] as string);
      mustFeed(feed, sql);
    } else {
      const from = fromTable(select, selectMasked, sql);
      mustFeed(from, sql);
      feed = `${from}__temp${temp++}`;
      doc.transform.push({
        plugin_name: 'Sql',
        plugin_input: from,
        plugin_output: feed,
        query: select,
      });
    }
    doc.sink.push({ ...sink.plugin, plugin_input: feed });
  }

  if (doc.source.length === 0) {
    throw configError(
      "The SQL config must contain at least one source table: CREATE TABLE name WITH ('connector' = '…', 'type' = 'source', …)",
    );
  }
  if (doc.sink.length === 0) {
    throw configError('The SQL config must contain `INSERT INTO ... SELECT ...` syntax');
  }
  return doc;
}

function fromTable(select: string, masked: string, sql: string): string {
  const m = FROM.exec(masked);
  if (!m) throw configError(`Source table must be specified in SQL: ${sql}`);
  return unquote(select.slice(m.index, m.index + m[0].length).replace(/^FROM\s+/i, ''));
}

function unquote(ident: string): string {
  return /^[`"]/.test(ident) ? ident.slice(1, -1) : ident;
}

/**
 * `'key' = 'value', …` as options. A value in `{…}` or `[…]` is a HOCON sub-config (as SeaTunnel
 * reads it); any other value is text, `''` standing for one quote.
 */
function readOptions(table: string, body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let i = 0;
  const fail = (why: string): never => {
    throw configError(`table ${table}: WITH options: ${why}, e.g. 'row.num' = '100'`);
  };
  const skipSpace = () => {
    while (i < body.length && /\s/.test(body[i] as string)) i++;
  };
  const token = (): string => {
    skipSpace();
    if (body[i] === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= body.length) return fail('a quoted text is not closed');
        if (body[i] === "'") {
          if (body[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          return value;
        }
        value += body[i++];
      }
    }
    const start = i;
    while (i < body.length && !/[\s,=]/.test(body[i] as string)) i++;
    if (i === start) fail(`expected a key or a value at "${body.slice(i, i + 20)}"`);
    return body.slice(start, i);
  };
  skipSpace();
  while (i < body.length) {
    const key = token();
    skipSpace();
    if (body[i] !== '=') fail(`'${key}' needs = and a value`);
    i++;
    const raw = token();
    out[key] = subConfig(table, key, raw);
    skipSpace();
    if (i < body.length) {
      if (body[i] !== ',') fail(`expected , after '${key}'`);
      i++;
      skipSpace();
    }
  }
  return out;
}

function subConfig(table: string, key: string, raw: string): unknown {
  const t = raw.trim();
  if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) {
    return raw;
  }
  try {
    return parseHocon(`value = ${t}`).value;
  } catch (err) {
    throw configError(
      `table ${table}: option '${key}' is not valid HOCON: ${(err as Error).message}`,
    );
  }
}

interface Statement {
  /** The statement as written (comments removed). */
  readonly sql: string;
  /** The same length, with quoted text blanked, for finding keywords. */
  readonly masked: string;
}

/** Statements (split at `;` outside quotes, comments removed) and the bodies of `/* config … *\/` comments. */
function split(text: string): { statements: Statement[]; configBlocks: string[] } {
  const statements: Statement[] = [];
  const configBlocks: string[] = [];
  let sql = '';
  let masked = '';
  const end = () => {
    const lead = sql.length - sql.trimStart().length;
    const s = sql.trim();
    if (s !== '') statements.push({ sql: s, masked: masked.slice(lead, lead + s.length) });
    sql = '';
    masked = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) throw configError('a /* comment is not closed with */');
      const body = text.slice(i + 2, close);
      const config = /^\s*config\b/.exec(body);
      if (config) configBlocks.push(body.slice(config[0].length));
      i = close + 2;
      sql += ' ';
      masked += ' ';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw configError(`a ${c}quoted text${c} is not closed`);
        if (text[j] === c) {
          if (c === "'" && text[j + 1] === "'") {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      const quoted = text.slice(i, j + 1);
      sql += quoted;
      // Identifiers in double quotes or backticks stay visible; text in single quotes is blanked.
      masked += c === "'" ? `'${' '.repeat(quoted.length - 2)}'` : quoted;
      i = j + 1;
      continue;
    }
    if (c === ';') {
      end();
      i++;
      continue;
    }
    sql += c;
    masked += c;
    i++;
  }
  end();
  return { statements, configBlocks };
}
