// Fastify's schema compilers, made lazy. By default Fastify loads ajv (with ajv-formats) and
// fast-json-stringify when it starts and compiles every route's schema before it listens, although
// most routes of an agent are never called in a given hour. Replies are plain JSON.stringify: response
// schemas document the API; a serializer per route (fast-json-stringify) cost ~10 MB of heap for no
// measurable gain on these sizes, and would silently drop any field a schema forgot. A route's validator is compiled on its first request instead, by
// Fastify's own ajv compiler, loaded then: an idle agent holds neither ajv nor ~40 compiled validators.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
type RouteCompiler = (route: unknown) => Validate;
type ValidatorFactory = (externalSchemas: unknown, ajvOptions: unknown) => RouteCompiler;

// Fastify's own copy, so its version and its defaults (coercion, defaults, formats) are the ones used.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

interface RouteSchema {
  url: string;
  httpPart: string;
}
interface AjvOptions {
  customOptions?: Record<string, unknown>;
}

/**
 * Whether a route part is validated without type coercion. The native API's bodies are JSON, where a
 * number sent as a string is a mistake worth naming (`"timeoutSec": "5"`), while query strings and
 * paths are text by nature. The compatibility surfaces keep Fastify's coercion: their clients'
 * habits are theirs.
 */
const isStrict = (route: RouteSchema): boolean =>
  route.httpPart === 'body' && route.url.startsWith('/api/v1/');

function buildValidator(externalSchemas: unknown, ajvOptions: AjvOptions): RouteCompiler {
  const compilers = new Map<boolean, RouteCompiler>();
  const compilerFor = (strict: boolean): RouteCompiler => {
    let compile = compilers.get(strict);
    if (compile === undefined) {
      const factory = requireFromFastify('@fastify/ajv-compiler') as () => ValidatorFactory;
      const options = strict
        ? { ...ajvOptions, customOptions: { ...ajvOptions.customOptions, coerceTypes: false } }
        : ajvOptions;
      compile = factory()(externalSchemas, options);
      compilers.set(strict, compile);
    }
    return compile;
  };
  return (route) => {
    let validate: Validate | undefined;
    const lazy: Validate = (data) => {
      if (validate === undefined) {
        validate = compilerFor(isStrict(route as RouteSchema))(route);
      }
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
