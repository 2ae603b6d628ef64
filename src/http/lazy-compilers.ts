// Fastify's schema compilers, made lazy. By default Fastify builds ajv (with ajv-formats) and
// fast-json-stringify when it starts and compiles every route's schema before it listens, although
// most routes of an agent are never called in a given hour. Here a route's validator is compiled on
// its first request, by @fastify/ajv-compiler (the compiler Fastify itself uses, a dependency of
// ours), loaded then: an idle agent holds neither ajv nor ~40 compiled validators. Replies are plain
// JSON.stringify: a serializer per route (fast-json-stringify) cost ~10 MB of heap for no measurable
// gain on these sizes, and would silently drop any field a schema forgot; the routes' answer schemas
// are for the OpenAPI document (`responses`, route-schema.ts). A request part marked notEnforced
// (route-schema.ts) is documentation too, and passes as it came.
import { createRequire } from 'node:module';
import type AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';
import { isEnforced } from './route-schema.ts';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type BuildCompiler = AjvCompiler.BuildCompilerFromPool;
/** The ajv options Fastify passes (its `ajv` server option); the JSON Type Definition mode is unused. */
interface CompilerOptions {
  customOptions?: AjvCompiler.Options;
}
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
/** What Fastify passes a route compiler, besides the schema. */
interface RouteSchema {
  schema: unknown;
  url: string;
  httpPart: string;
}
type RouteCompiler = (route: RouteSchema) => Validate;

// Loaded on the first request that needs a validator (see the head comment).
const loadAjvCompiler = (): typeof AjvCompiler =>
  createRequire(import.meta.url)('@fastify/ajv-compiler') as typeof AjvCompiler;

/**
 * Whether a route part is validated without type coercion. The native API's bodies are JSON, where a
 * number sent as a string is a mistake worth naming (`"timeoutSec": "5"`), while query strings and
 * paths are text by nature. The compatibility surfaces keep Fastify's coercion: their clients'
 * habits are theirs.
 */
const isStrict = (route: RouteSchema): boolean =>
  route.httpPart === 'body' && route.url.startsWith('/api/v1/');

function buildValidator(
  externalSchemas: Parameters<BuildCompiler>[0],
  ajvOptions: CompilerOptions,
): RouteCompiler {
  const compilers = new Map<boolean, RouteCompiler>();
  const compilerFor = (strict: boolean): RouteCompiler => {
    let compile = compilers.get(strict);
    if (compile === undefined) {
      const options: CompilerOptions = strict
        ? {
            ...ajvOptions,
            customOptions: { ...ajvOptions.customOptions, coerceTypes: false },
          }
        : ajvOptions;
      compile = loadAjvCompiler()()(externalSchemas, options) as unknown as RouteCompiler;
      compilers.set(strict, compile);
    }
    return compile;
  };
  return (route) => {
    // A part documented but checked by its handler (route-schema.ts) passes as it is.
    if (!isEnforced(route.schema)) return acceptAll;
    let validate: Validate | undefined;
    const lazy: Validate = (data) => {
      validate ??= compilerFor(isStrict(route))(route);
      const valid = validate(data);
      // Fastify reads the errors off the function it was given.
      lazy.errors = validate.errors;
      if (!valid) return false;
      // ajv takes Infinity for an integer within any bounds; JSON's 1e999 and a query's ?limit=1e999
      // both arrive as Infinity.
      const where = nonFinitePath(data, '');
      if (where === undefined) return true;
      lazy.errors = [
        {
          keyword: 'finite',
          instancePath: where,
          schemaPath: '#',
          params: {},
          message: 'must be a finite number',
        },
      ];
      return false;
    };
    return lazy;
  };
}

const acceptAll: Validate = () => true;

/** The JSON pointer of the first Infinity or NaN in a parsed request part, if any. */
function nonFinitePath(data: unknown, path: string): string | undefined {
  if (typeof data === 'number') return Number.isFinite(data) ? undefined : path;
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [key, value] of Object.entries(data)) {
    const found = nonFinitePath(value, `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

const buildSerializer = () => () => (data: unknown) => JSON.stringify(data);

// Fastify types these factories as unions over ajv and JSON Type Definition; these are ajv's shape.
export const lazyCompilers = { buildValidator, buildSerializer } as unknown as CompilersFactory;
