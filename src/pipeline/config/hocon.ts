// SeaTunnel's dialect of HOCON (specs/seatunnel.md §5): `=`/`:`/`{` after a key, unquoted, quoted and
// """triple""" strings, lists, `#` and `//` comments, `${var}`, `${?var}` and `${var:default}`
// substitution, and SeaTunnel's two patches of Typesafe Config: dotted keys stay literal (`row.num` is
// one key), and inside the top-level `source`, `transform` and `sink` blocks each `Name { … }` becomes a
// list element with `plugin_name = "Name"`, duplicates kept.
//
// Why by hand: the npm HOCON parsers follow Typesafe Config, which nests dotted keys and merges
// repeated blocks; both would change the meaning of every SeaTunnel config.
import { configError } from '../config-error.ts';

export type HoconValue = string | number | boolean | null | HoconValue[] | HoconObject;
export interface HoconObject {
  [key: string]: HoconValue;
}

export interface HoconOptions {
  /** Values for `${name}`: SeaTunnel's `-i name=value`, then the environment. */
  variables?: Readonly<Record<string, string | undefined>>;
}

const PLUGIN_BLOCKS = new Set(['source', 'transform', 'sink']);
/** Characters that end an unquoted key. */
const KEY_END = /[\s{}[\]:=,#"+]/;
/** Characters that end an unquoted value (lenient: `:`, `*`, `/` are allowed in values). */
const VALUE_END = /[\n{}[\],#"]/;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

export function parseHocon(text: string, options: HoconOptions = {}): HoconObject {
  const variables = options.variables ?? {};
  let pos = 0;

  const where = (at = pos): [number, number] => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return [line, at - before.lastIndexOf('\n')];
  };
  const fail = (message: string, at = pos): never => {
    const [line, column] = where(at);
    throw configError(`${message} (line ${line}, column ${column})`);
  };

  /** Skips spaces, tabs and comments; also newlines and commas when `separators` is set. */
  const skip = (separators: boolean): void => {
    for (;;) {
      const c = text[pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') pos += 1;
      else if (separators && (c === '\n' || c === ',')) pos += 1;
      else if (c === '#' || (c === '/' && text[pos + 1] === '/')) {
        while (pos < text.length && text[pos] !== '\n') pos += 1;
      } else return;
    }
  };

  const quoted = (): string => {
    if (text.startsWith('"""', pos)) {
      const end = text.indexOf('"""', pos + 3);
      if (end === -1) fail('unterminated """ string');
      // Like HOCON: extra quotes just before the closing """ belong to the string.
      let close = end;
      while (text[close + 3] === '"') close += 1;
      const value = text.slice(pos + 3, close);
      pos = close + 3;
      return value;
    }
    const start = pos;
    pos += 1;
    let out = '';
    for (;;) {
      const c = text[pos];
      if (c === undefined || c === '\n') fail('unterminated string', start);
      pos += 1;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[pos];
      pos += 1;
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        b: '\b',
        f: '\f',
        '"': '"',
        '\\': '\\',
        '/': '/',
      };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos, pos + 4))) {
        out += String.fromCharCode(parseInt(text.slice(pos, pos + 4), 16));
        pos += 4;
      } else fail(`bad escape \\${e ?? ''} in a string`, pos - 2);
    }
  };

  const key = (): string => {
    if (text[pos] === '"') return quoted();
    const start = pos;
    while (pos < text.length && !KEY_END.test(text[pos] as string)) {
      if (text[pos] === '/' && text[pos + 1] === '/') break;
      pos += 1;
    }
    if (pos === start) fail(`expected a key, found ${describe(text[pos])}`);
    return text.slice(start, pos);
  };

  const substitution = (): { value: string | undefined } => {
    const start = pos;
    const end = text.indexOf('}', pos);
    if (end === -1) fail('unterminated ${…} substitution', start);
    let body = text.slice(pos + 2, end).trim();
    pos = end + 1;
    const optional = body.startsWith('?');
    if (optional) body = body.slice(1).trim();
    const colon = body.indexOf(':');
    const name = colon === -1 ? body : body.slice(0, colon).trim();
    const fallback =
      colon === -1
        ? undefined
        : body
            .slice(colon + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    const found = variables[name];
    if (found !== undefined) return { value: found };
    if (fallback !== undefined) return { value: fallback };
    if (optional) return { value: undefined };
    return fail(
      `unresolved substitution \${${name}}: give it as a variable (e.g. -i ${name}=…) or set the environment variable ${name}`,
      start,
    );
  };

  /** A value: an object, a list, or a run of simple values on one line (concatenated). */
  const value = (): HoconValue | undefined => {
    skip(false);
    const c = text[pos];
    if (c === '{') {
      pos += 1;
      return fields({ top: false, braced: true, pluginBlock: false });
    }
    if (c === '[') return list();
    const parts: Array<{ raw: string; quoted: boolean } | undefined> = [];
    for (;;) {
      const d = text[pos];
      if (d === undefined || d === '\n' || d === ',' || d === '}' || d === ']' || d === '#') break;
      if (d === '/' && text[pos + 1] === '/') break;
      if (d === '"') parts.push({ raw: quoted(), quoted: true });
      else if (d === '$' && text[pos + 1] === '{') {
        const sub = substitution();
        parts.push(sub.value === undefined ? undefined : { raw: sub.value, quoted: true });
      } else if (d === '{' || d === '[') {
        fail('cannot join an object or list with text on one line');
      } else {
        const start = pos;
        while (pos < text.length && !VALUE_END.test(text[pos] as string)) {
          if (text[pos] === '/' && text[pos + 1] === '/') break;
          if (text[pos] === '$' && text[pos + 1] === '{') break;
          pos += 1;
        }
        parts.push({ raw: text.slice(start, pos), quoted: false });
      }
    }
    const present = parts.filter((p) => p !== undefined);
    if (parts.length > 0 && present.length === 0) return undefined; // only an absent ${?x}
    if (present.length === 0) fail(`expected a value, found ${describe(text[pos])}`);
    // Whitespace between parts is kept, trailing whitespace is not (HOCON's concatenation).
    const last = present.length - 1;
    if (!present[last]!.quoted) {
      present[last] = { raw: present[last]!.raw.trimEnd(), quoted: false };
    }
    if (present.length === 1 && !present[0]!.quoted) return scalar(present[0]!.raw);
    return present.map((p) => p.raw).join('');
  };

  const list = (): HoconValue[] => {
    pos += 1;
    const out: HoconValue[] = [];
    for (;;) {
      skip(true);
      if (text[pos] === ']') {
        pos += 1;
        return out;
      }
      if (pos >= text.length) fail('unterminated list: missing ]');
      const v = value();
      if (v !== undefined) out.push(v);
    }
  };

  /**
   * An object's fields up to its `}`, or to the end of the text for an unbraced root. In the body of a
   * top-level source/transform/sink block (`pluginBlock`), `Name { … }` entries become a list.
   */
  const fields = (at: {
    top: boolean;
    braced: boolean;
    pluginBlock: boolean;
  }): HoconObject | HoconValue[] => {
    const out: HoconObject = {};
    const plugins: HoconValue[] = [];
    for (;;) {
      skip(true);
      if (pos >= text.length) {
        if (at.braced) fail('unterminated object: missing }');
        break;
      }
      if (text[pos] === '}') {
        if (!at.braced) fail('unexpected }');
        pos += 1;
        break;
      }
      const keyAt = pos;
      const k = key();
      skip(false);
      let v: HoconValue | undefined;
      if (text[pos] === '{') {
        pos += 1;
        v = fields({ top: false, braced: true, pluginBlock: at.top && PLUGIN_BLOCKS.has(k) });
      } else if (text[pos] === '=' || text[pos] === ':') {
        pos += 1;
        v = value();
      } else if (text[pos] === '+' && text[pos + 1] === '=') {
        fail('+= is not supported; write the whole list');
      } else {
        fail(`expected = or : or { after "${k}", found ${describe(text[pos])}`);
      }
      if (v === undefined) continue;
      if (at.pluginBlock) {
        if (!isObject(v)) fail(`"${k}" must be a plugin block, e.g. ${k} { … }`, keyAt);
        plugins.push({ plugin_name: k, ...(v as HoconObject) });
        continue;
      }
      const before = out[k];
      out[k] = isObject(before) && isObject(v) ? merge(before, v) : v;
    }
    return at.pluginBlock ? plugins : out;
  };

  skip(true);
  const braced = text[pos] === '{';
  if (braced) pos += 1;
  const doc = fields({ top: true, braced, pluginBlock: false }) as HoconObject;
  skip(true);
  if (pos < text.length) fail(`unexpected ${describe(text[pos])} after the end`);
  return doc;
}

function scalar(raw: string): HoconValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (NUMBER.test(raw)) {
    const n = Number(raw);
    // Ids longer than a double holds stay text (SeaTunnel's snowflake ids).
    if (Number.isSafeInteger(n) || !/^-?\d+$/.test(raw)) return n;
  }
  return raw;
}

function isObject(v: HoconValue | undefined): v is HoconObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** HOCON's rule for a repeated key: objects merge (the later wins per field), anything else replaces. */
function merge(a: HoconObject, b: HoconObject): HoconObject {
  const out: HoconObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const before = out[k];
    out[k] = isObject(before) && isObject(v) ? merge(before, v) : v;
  }
  return out;
}

function describe(c: string | undefined): string {
  if (c === undefined) return 'the end of the text';
  if (c === '\n') return 'a line break';
  return `"${c}"`;
}
