// JSON.parse with a nesting limit. JSON.parse itself copes with any depth, but everything after it
// (validation, JSON.stringify, structuredClone, the store) recurses and overflows the stack on input
// nested a few thousand deep; no request needs more than a few dozen levels.

/** The deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses JSON text, throwing a SyntaxError (like JSON.parse) when it nests deeper than `maxDepth` or
 * holds a prototype-poisoning key.
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const depth = jsonDepth(text);
  if (depth > maxDepth) {
    throw new SyntaxError(`JSON nested ${depth} levels deep; at most ${maxDepth} are accepted`);
  }
  // As Fastify's own parser does: a "__proto__" key, merged into an object later, would change its
  // prototype. The reviver costs a walk, so only bodies that name it pay for one.
  if (!text.includes('__proto__') && !text.includes('constructor')) return JSON.parse(text);
  return JSON.parse(text, function (key, value: unknown) {
    if (
      key === '__proto__' ||
      (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)
    ) {
      throw new SyntaxError(`the key "${key}" is not accepted in JSON bodies`);
    }
    return value;
  });
}

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
