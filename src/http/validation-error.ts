// Turns Fastify's schema validation failures (ajv errors) into INVALID_INPUT messages that name the
// field and the fix, e.g. `unknown field "retry.maxAtempts"; did you mean "maxAttempts"?`, and holds
// the ajv options those messages rely on.
import type { FastifySchemaValidationError, FastifyServerOptions } from 'fastify';
import { AgentError } from '../errors.ts';

/**
 * Fastify's `ajv` option for the app. Fastify's default `removeAdditional: true` silently drops
 * fields that `additionalProperties: false` forbids; a typo must be an error instead. `verbose`
 * puts the failing value and the parent schema on each error, which the messages quote.
 * `coerceTypes: 'array'` stays on so `?limit=5` arrives as 5 (it also applies to bodies: "5" is
 * accepted for an integer field there too). `discriminator` lets tagged `oneOf` unions (schedule
 * kinds) report the bad tag instead of every branch's failure. Schema keywords are read on the
 * error path only, so `verbose` costs nothing on valid requests.
 */
export const AJV_OPTIONS = {
  customOptions: {
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: 'array',
    // One error is enough to name the fix; allErrors would also open ajv to costly inputs.
    allErrors: false,
    verbose: true,
    discriminator: true,
    // `type: ['string', 'null']` is plain JSON Schema; without this ajv's strict mode logs a warning.
    allowUnionTypes: true,
  },
} as const satisfies FastifyServerOptions['ajv'];

export type ValidationContext = 'body' | 'querystring' | 'params' | 'headers';

/** The part of a FastifyError that validation failures carry. */
export interface ValidationFailure {
  validation: readonly FastifySchemaValidationError[];
  validationContext?: string;
}

/** ajv's error object with `verbose: true`: also the value, the keyword's schema and its parent. */
interface VerboseError extends FastifySchemaValidationError {
  data?: unknown;
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
}

export function isValidationFailure(err: unknown): err is ValidationFailure {
  return (
    typeof err === 'object' &&
    err !== null &&
    Array.isArray((err as { validation?: unknown }).validation) &&
    (err as { validation: unknown[] }).validation.length > 0
  );
}

export function formatValidationError(err: ValidationFailure): AgentError {
  const context = toContext(err.validationContext);
  const picked = pickError(err.validation);
  let message: string;
  try {
    message = picked ? describe(picked, context) : `invalid ${PART[context]}`;
  } catch {
    // A message is a convenience; an odd ajv error must still give a 400, never a 500.
    message = `invalid ${PART[context]}: ${picked?.message ?? 'failed validation'}`;
  }
  return new AgentError('INVALID_INPUT', message, { cause: err });
}

const PART: Record<ValidationContext, string> = {
  body: 'request body',
  querystring: 'query string',
  params: 'path',
  headers: 'headers',
};

function toContext(value: string | undefined): ValidationContext {
  return value === 'querystring' || value === 'params' || value === 'headers' ? value : 'body';
}

const COMBINATORS = new Set(['anyOf', 'oneOf', 'if', 'not', 'allOf']);

/**
 * With allErrors off ajv still reports every failed branch of an anyOf/oneOf, then the combinator
 * itself. The branch error that got deepest into the value is the most specific one.
 */
function pickError(errors: readonly FastifySchemaValidationError[]): VerboseError | undefined {
  let best: VerboseError | undefined;
  for (const e of errors) {
    if (COMBINATORS.has(e.keyword)) continue;
    if (!best || depth(e.instancePath) > depth(best.instancePath)) best = e;
  }
  return best ?? errors[0];
}

function depth(pointer: string): number {
  return pointer === '' ? 0 : pointer.split('/').length - 1;
}

/** JSON pointer `/schedules/0/expr` → `schedules[0].expr`. */
export function toFieldPath(pointer: string, extra?: string): string {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/');
  if (extra !== undefined) segments.push(extra);
  let out = '';
  for (const raw of segments) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function subject(context: ValidationContext, path: string): string {
  switch (context) {
    case 'querystring':
      return `query parameter "${path}"`;
    case 'params':
      return `path parameter "${path}"`;
    case 'headers':
      return `header "${path}"`;
    default:
      // An error about the body as a whole (e.g. minProperties) has no field to name.
      return path === '' ? 'the request body' : `field "${path}"`;
  }
}

function describe(e: VerboseError, context: ValidationContext): string {
  const p = e.params;
  const path = toFieldPath(e.instancePath);
  const who = subject(context, path);
  const got = 'data' in e ? `, got ${show(e.data)}` : '';

  if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
    const name = String(p.additionalProperty ?? p.unevaluatedProperty ?? '');
    const known = knownProperties(e.parentSchema);
    const unknown = `unknown ${subject(context, toFieldPath(e.instancePath, name))}`;
    const near = suggest(name, known);
    if (near !== undefined) return `${unknown}; did you mean "${near}"?`;
    if (known.length === 0) return `${unknown}; no fields are allowed here`;
    return `${unknown}; allowed: ${list(known)}`;
  }
  if (
    e.keyword === 'required' ||
    e.keyword === 'dependentRequired' ||
    e.keyword === 'dependencies'
  ) {
    const name = String(p.missingProperty ?? '');
    const missing = `missing ${subject(context, toFieldPath(e.instancePath, name))} (required)`;
    return p.property !== undefined ? `${missing} when "${String(p.property)}" is set` : missing;
  }
  if (e.instancePath === '' && context === 'body' && e.keyword === 'type') {
    return `the request body must be ${typePhrase(p.type).replace(/an? (object|array)\b/g, 'a JSON $1')}`;
  }
  switch (e.keyword) {
    case 'type':
      return `${who} must be ${typePhrase(p.type)}${'data' in e ? `, got ${typeName(e.data)}` : ''}`;
    case 'enum':
      // A semicolon, because the list itself is comma-separated.
      return `${who} must be one of ${list(asArray(p.allowedValues).map(String))}${got.replace(',', ';')}`;
    case 'const':
      return `${who} must be ${JSON.stringify(p.allowedValue)}${got}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${who} must be ${String(p.comparison)} ${String(p.limit)}${got}`;
    case 'multipleOf':
      return `${who} must be a multiple of ${String(p.multipleOf)}${got}`;
    case 'minLength':
      return `${who} must be at least ${plural(p.limit, 'character')} long${got}`;
    case 'maxLength':
      return `${who} must be at most ${plural(p.limit, 'character')} long`;
    case 'pattern':
      return `${who} must match the pattern ${String(p.pattern)}${got}`;
    case 'format':
      return `${who} must be a valid ${String(p.format)}${got}`;
    case 'minItems':
      return `${who} must have at least ${plural(p.limit, 'item')}`;
    case 'maxItems':
      return `${who} must have at most ${plural(p.limit, 'item')}`;
    case 'uniqueItems':
      return `${who} must not repeat items (items ${String(p.j)} and ${String(p.i)} are equal)`;
    case 'minProperties':
      return `${who} must have at least ${plural(p.limit, 'field')}`;
    case 'maxProperties':
      return `${who} must have at most ${plural(p.limit, 'field')}`;
    case 'propertyNames':
      return `${who} has an invalid field name "${String(p.propertyName)}"`;
    case 'discriminator':
      return discriminatorMessage(e, context);
    case 'oneOf':
      return Array.isArray(p.passingSchemas)
        ? `${who} matches more than one allowed form; make it match exactly one`
        : `${who} does not match any allowed form`;
    case 'anyOf':
      return `${who} does not match any allowed form`;
    case 'not':
      return `${who} must not match the forbidden form`;
    default:
      return `${who} ${e.message ?? 'is invalid'}`;
  }
}

/** ajv's discriminator: the tag is missing (tag) or has no branch (mapping). */
function discriminatorMessage(e: VerboseError, context: ValidationContext): string {
  const tag = String(e.params.tag ?? 'kind');
  const field = subject(context, toFieldPath(e.instancePath, tag));
  if (e.params.error === 'tag' && e.params.tagValue === undefined) {
    return `missing ${field} (required)`;
  }
  const values = tagValues(e.parentSchema, tag);
  const allowed = values.length > 0 ? ` must be one of ${list(values)}` : ' has no matching form';
  return `${field}${allowed}; got ${show(e.params.tagValue)}`;
}

function tagValues(parent: Record<string, unknown> | undefined, tag: string): string[] {
  const out: string[] = [];
  for (const branch of asArray(parent?.oneOf)) {
    const prop = asRecord(asRecord(asRecord(branch)?.properties)?.[tag]);
    if (prop?.const !== undefined) out.push(String(prop.const));
    for (const v of asArray(prop?.enum)) out.push(String(v));
  }
  return out;
}

function knownProperties(schema: Record<string, unknown> | undefined): string[] {
  return Object.keys(asRecord(schema?.properties) ?? {});
}

/** The known name a typo most likely meant: same letters in another case, or ≤ 2 edits away. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const exactCase = known.find((k) => k.toLowerCase() === lower);
  if (exactCase !== undefined) return exactCase;
  // Short names are a few edits from everything; scale the allowance so "id" never means "at".
  const allowance = Math.min(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = allowance + 1;
  for (const k of known) {
    const d = levenshtein(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function typePhrase(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(',');
  return types.map(withArticle).join(' or ');
}

function withArticle(type: string): string {
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isInteger(value)) return `number ${value}`;
  return typeof value;
}

/** A failing value, short: the type for objects and arrays, the value itself for scalars. */
function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const text = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(text);
  }
  if (value === undefined) return 'nothing';
  return String(value);
}

function list(values: readonly string[]): string {
  return values.length > 25 ? `${values.slice(0, 25).join(', ')}, ...` : values.join(', ');
}

function plural(n: unknown, word: string): string {
  return `${String(n)} ${word}${n === 1 ? '' : 's'}`;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
