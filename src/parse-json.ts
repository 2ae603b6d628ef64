// JSON.parse with a nesting limit. JSON.parse itself copes with any depth, but everything after it
// (validation, JSON.stringify, structuredClone, the store) recurses and overflows the stack on input
// nested a few thousand deep; no request needs more than a few dozen levels. On request, integers
// beyond 2^53 come back exact (as BigInts), for clients that send Java longs as JSON numbers.

/** The deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64;

export interface ParseJsonOptions {
  /** The deepest nesting accepted; MAX_JSON_DEPTH unless given. */
  maxDepth?: number;
  /**
   * Integers beyond 2^53 (Java longs such as SeaTunnel's job ids) as exact BigInts, read from their
   * source text; otherwise they are numbers, rounded as JSON.parse rounds them.
   */
  exactIntegers?: boolean;
}

/**
 * Parses JSON text, throwing a SyntaxError (like JSON.parse) when it nests deeper than the limit or
 * holds a prototype-poisoning key. A number as the second argument is the depth limit.
 */
export function parseJson(text: string, options: number | ParseJsonOptions = {}): unknown {
  const { maxDepth = MAX_JSON_DEPTH, exactIntegers = false } =
    typeof options === 'number' ? { maxDepth: options } : options;
  const depth = jsonDepth(text);
  if (depth > maxDepth) {
    throw new SyntaxError(`JSON nested ${depth} levels deep; at most ${maxDepth} are accepted`);
  }
  // As Fastify's own parser does: a "__proto__" key, merged into an object later, would change its
  // prototype. The reviver costs a walk, so only bodies that name it, or that hold a run of digits
  // long enough to pass 2^53 when integers must stay exact, pay for one.
  const poisonable = text.includes('__proto__') || text.includes('constructor');
  const exact = exactIntegers && LONG_DIGITS.test(text);
  if (!poisonable && !exact) return JSON.parse(text);
  return JSON.parse(text, function (key, value: unknown, context?: { source?: string }) {
    if (
      key === '__proto__' ||
      (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)
    ) {
      throw new SyntaxError(`the key "${key}" is not accepted in JSON bodies`);
    }
    // Node 24 hands a primitive's source text to the reviver: the digits before rounding.
    if (
      exact &&
      typeof value === 'number' &&
      !Number.isSafeInteger(value) &&
      context?.source !== undefined &&
      INTEGER.test(context.source)
    ) {
      return BigInt(context.source);
    }
    return value;
  });
}

/** Node 24's JSON.rawJSON, which TypeScript's lib does not declare yet. */
const RawJson = JSON as unknown as { rawJSON(text: string): unknown };

/**
 * An integer that JSON.stringify writes as these exact digits, a JSON number even beyond 2^53 (a Java
 * long): the counterpart of `exactIntegers` for answers.
 */
export function exactInteger(digits: string | bigint): unknown {
  const text = String(digits);
  if (!INTEGER.test(text)) throw new TypeError(`not an integer: "${text.slice(0, 40)}"`);
  return RawJson.rawJSON(text);
}

/** 16 digits in a row: the shortest integer that can pass 2^53 (9007199254740992). */
const LONG_DIGITS = /\d{16}/;
const INTEGER = /^-?\d+$/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of [ and { outside strings: one pass, no allocation. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) {
        i++; // the escaped character cannot end the string
      } else if (c === QUOTE) {
        inString = false;
      }
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      max = Math.max(max, ++depth); // [ or {
    } else if (c === 0x5d || c === 0x7d) {
      depth--; // ] or }
    }
  }
  return max;
}

/** The deepest nesting of arrays and objects in a value, walked without recursion. */
export function valueDepth(value: unknown): number {
  let max = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return max;
}
