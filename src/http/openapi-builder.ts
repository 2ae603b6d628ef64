// Builds the OpenAPI 3.1 document from the routes' own JSON Schemas: an onRoute hook records each
// route with a schema as it is registered; document() turns them into paths, merges hand-written
// paths for routes without schemas, and moves shared schemas (app.addSchema) into components.
import type { FastifyInstance, onRouteHookHandler } from 'fastify';

// The OpenAPI fields a route's `schema` may carry next to body/querystring/params/headers/response.
// Fastify ignores them; only this builder reads them.
declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    operationId?: string;
    deprecated?: boolean;
    security?: ReadonlyArray<Record<string, readonly string[]>>;
    /** Media types of the request body; default ['application/json']. */
    consumes?: readonly string[];
    /** Leave the route out of the OpenAPI document. */
    hide?: boolean;
  }
}

export type JsonSchema = Record<string, unknown>;
export type PathItem = Record<string, unknown>;

/** The document's frame (info, tags, security, components) and its hand-written paths. */
export interface OpenApiBase {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, PathItem>;
  components?: { schemas?: Record<string, JsonSchema>; [key: string]: unknown };
  tags?: Array<{ name: string; description?: string }>;
  [key: string]: unknown;
}

export interface OpenApiDocument extends OpenApiBase {
  openapi: string;
  paths: Record<string, PathItem>;
}

export interface OpenApiCollector {
  /** Register with `app.addHook('onRoute', collector.onRoute)` before any route. */
  onRoute: onRouteHookHandler;
  /** A shared schema (with `$id`) that routes reference but no instance holds. */
  addSchema(schema: JsonSchema): void;
  /** The recorded routes as OpenAPI path items. */
  paths(): Record<string, PathItem>;
  /**
   * `base` (hand-written paths, components, tags, info) with the recorded routes merged in; a
   * generated operation replaces a hand-written one for the same path and method.
   */
  document(base: OpenApiBase): OpenApiDocument;
}

interface RecordedRoute {
  methods: string[];
  url: string;
  schema: JsonSchema;
}

const OPENAPI_METHODS = new Set([
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
]);
const OPERATION_FIELDS = [
  'summary',
  'description',
  'tags',
  'operationId',
  'deprecated',
  'security',
  'externalDocs',
];
const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No Content',
  '400': 'Bad request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not found',
  '409': 'Conflict',
  '503': 'Not ready',
  default: 'Response',
};

export function createOpenApiCollector(): OpenApiCollector {
  const routes: RecordedRoute[] = [];
  const instances = new Set<FastifyInstance>();
  const explicit = new Map<string, JsonSchema>();

  // Read at document() time, not at onRoute time: a schema may be added after the routes using it.
  function sharedSchemas(): Map<string, JsonSchema> {
    const all = new Map<string, JsonSchema>();
    for (const instance of instances) {
      for (const [id, schema] of Object.entries(instance.getSchemas())) {
        if (isRecord(schema)) all.set(stripHash(id), schema);
      }
    }
    for (const [id, schema] of explicit) all.set(id, schema);
    return all;
  }

  function buildPaths(shared: Map<string, JsonSchema>): Record<string, PathItem> {
    const refs = new RefRewriter(shared);
    const paths: Record<string, PathItem> = {};
    for (const route of routes) {
      const path = toOpenApiPath(route.url);
      const item = (paths[path] ??= {});
      const methods = route.methods
        .map((m) => m.toLowerCase())
        .filter((m) => OPENAPI_METHODS.has(m));
      for (const method of methods) item[method] = operation(route, refs);
    }
    // Fastify adds a HEAD twin to every GET; it is implied, so only a HEAD of its own is kept.
    for (const item of Object.values(paths)) {
      if (item.get !== undefined && item.head !== undefined) delete item.head;
    }
    return paths;
  }

  return {
    onRoute(this: FastifyInstance, options) {
      instances.add(this);
      const schema = options.schema as unknown;
      if (!isRecord(schema) || schema.hide === true) return;
      const methods = Array.isArray(options.method) ? options.method : [options.method];
      routes.push({ methods: methods.map(String), url: options.url, schema });
    },
    addSchema(schema) {
      if (typeof schema.$id !== 'string') throw new Error('addSchema: the schema needs an $id');
      explicit.set(stripHash(schema.$id), schema);
    },
    paths() {
      return buildPaths(sharedSchemas());
    },
    document(base) {
      const shared = sharedSchemas();
      const generated = buildPaths(shared);
      const paths: Record<string, PathItem> = { ...base.paths };
      for (const [path, item] of Object.entries(generated)) {
        paths[path] = { ...paths[path], ...item };
      }

      const refs = new RefRewriter(shared);
      const schemas: Record<string, JsonSchema> = { ...base.components?.schemas };
      for (const [id, schema] of shared) {
        const { $id: _id, ...rest } = schema;
        schemas[componentName(id)] = refs.rewrite(rest, componentName(id)) as JsonSchema;
      }

      // Tags used by generated operations but not described in the base are still listed.
      const tags = [...(base.tags ?? [])];
      for (const item of Object.values(generated)) {
        for (const op of Object.values(item)) {
          for (const tag of isRecord(op) && Array.isArray(op.tags) ? op.tags : []) {
            if (typeof tag === 'string' && !tags.some((t) => t.name === tag)) {
              tags.push({ name: tag });
            }
          }
        }
      }
      return {
        ...base,
        openapi: '3.1.0',
        tags,
        paths,
        components: { ...base.components, schemas },
      };
    },
  };
}

function operation(route: RecordedRoute, refs: RefRewriter): Record<string, unknown> {
  const s = route.schema;
  const op: Record<string, unknown> = {};
  for (const field of OPERATION_FIELDS) if (s[field] !== undefined) op[field] = s[field];

  const parameters = [
    ...pathParameters(route.url, refs.resolve(s.params), refs),
    ...objectParameters('query', refs.resolve(s.querystring), refs),
    ...objectParameters('header', refs.resolve(s.headers), refs),
  ];
  if (parameters.length > 0) op.parameters = parameters;

  const body = requestBody(s, refs);
  if (body !== undefined) op.requestBody = body;
  op.responses = responses(s.response, refs);
  return op;
}

function pathParameters(
  url: string,
  params: JsonSchema | undefined,
  refs: RefRewriter,
): JsonSchema[] {
  const properties = isRecord(params?.properties) ? params.properties : {};
  // Every templated name must be declared, with or without a params schema.
  return pathParamNames(url).map((name) => {
    const schema = isRecord(properties[name]) ? properties[name] : { type: 'string' };
    return parameter(name, 'path', true, schema, refs);
  });
}

function objectParameters(
  where: 'query' | 'header',
  schema: JsonSchema | undefined,
  refs: RefRewriter,
): JsonSchema[] {
  if (!isRecord(schema?.properties)) return [];
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(schema.properties)
    .filter((entry): entry is [string, JsonSchema] => isRecord(entry[1]))
    .map(([name, prop]) => parameter(name, where, required.includes(name), prop, refs));
}

function parameter(
  name: string,
  where: string,
  required: boolean,
  schema: JsonSchema,
  refs: RefRewriter,
): JsonSchema {
  const p: JsonSchema = { name, in: where };
  if (required) p.required = true;
  if (typeof schema.description === 'string') p.description = schema.description;
  p.schema = refs.rewrite(schema);
  return p;
}

function requestBody(s: JsonSchema, refs: RefRewriter): JsonSchema | undefined {
  const consumes = Array.isArray(s.consumes)
    ? s.consumes.filter((c): c is string => typeof c === 'string')
    : [];
  const body = s.body;
  if (body === undefined && consumes.length === 0) return undefined;
  const content: Record<string, unknown> = {};
  // Fastify 5's per-content-type body: { content: { 'application/json': { schema } } }.
  if (isRecord(body) && isRecord(body.content)) {
    for (const [type, entry] of Object.entries(body.content)) {
      content[type] =
        isRecord(entry) && entry.schema !== undefined ? { schema: refs.rewrite(entry.schema) } : {};
    }
  } else {
    for (const type of consumes.length > 0 ? consumes : ['application/json']) {
      content[type] = body === undefined ? {} : { schema: refs.rewrite(body) };
    }
  }
  const out: JsonSchema = { required: true, content };
  if (isRecord(body) && typeof body.description === 'string') out.description = body.description;
  return out;
}

function responses(response: unknown, refs: RefRewriter): Record<string, unknown> {
  if (!isRecord(response) || Object.keys(response).length === 0) {
    return { '200': { description: STATUS_TEXT['200'] } };
  }
  const out: Record<string, unknown> = {};
  for (const [code, raw] of Object.entries(response)) {
    const status = code.replace(/xx$/i, 'XX');
    const fallback = STATUS_TEXT[status] ?? STATUS_TEXT.default;
    if (!isRecord(raw)) {
      out[status] = { description: fallback };
      continue;
    }
    const description = typeof raw.description === 'string' ? raw.description : fallback;
    // Fastify 5's per-content-type response: { description, content: { type: { schema } } }.
    if (isRecord(raw.content)) {
      const content: Record<string, unknown> = {};
      for (const [type, entry] of Object.entries(raw.content)) {
        content[type] =
          isRecord(entry) && entry.schema !== undefined
            ? { schema: refs.rewrite(entry.schema) }
            : {};
      }
      out[status] = { description, content };
    } else if (raw.type === 'null') {
      out[status] = { description }; // no body, e.g. 204
    } else {
      // A string schema with contentMediaType is a non-JSON body (text/plain logs and the like).
      const type =
        typeof raw.contentMediaType === 'string' ? raw.contentMediaType : 'application/json';
      out[status] = { description, content: { [type]: { schema: refs.rewrite(raw) } } };
    }
  }
  return out;
}

/** Rewrites `Job#`-style references to components and resolves a top-level one. */
class RefRewriter {
  readonly #shared: Map<string, JsonSchema>;

  constructor(shared: Map<string, JsonSchema>) {
    this.#shared = shared;
  }

  /** A params/querystring/headers schema given as `{ $ref: 'X#' }` is read through to X. */
  resolve(schema: unknown): JsonSchema | undefined {
    if (!isRecord(schema)) return undefined;
    if (typeof schema.$ref === 'string' && !schema.$ref.startsWith('#')) {
      const [id = '', fragment = ''] = schema.$ref.split('#', 2);
      const target = this.#shared.get(id);
      if (target !== undefined && fragment === '') return target;
    }
    return schema;
  }

  /** A deep copy with refs to shared schemas pointing at #/components/schemas/…; `self` names the
   * component being copied, so its own local refs (`#/definitions/x`) stay valid. */
  rewrite(value: unknown, self?: string): unknown {
    if (Array.isArray(value)) return value.map((v) => this.rewrite(v, self));
    if (!isRecord(value)) return value;
    const out: JsonSchema = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] =
        key === '$ref' && typeof v === 'string' ? this.#ref(v, self) : this.rewrite(v, self);
    }
    return out;
  }

  #ref(ref: string, self: string | undefined): string {
    if (ref.startsWith('#')) {
      return self === undefined ? ref : `#/components/schemas/${self}${ref.slice(1)}`;
    }
    const [id = '', fragment = ''] = ref.split('#', 2);
    return this.#shared.has(id) ? `#/components/schemas/${componentName(id)}${fragment}` : ref;
  }
}

/** Fastify's `/jobs/:id`, `/a/:x(^\\d+)`, `/a::b` and `/files/*` → `/jobs/{id}`, `/a/{x}`, `/a:b`, `/files/{*}`. */
export function toOpenApiPath(url: string): string {
  let out = '';
  for (let i = 0; i < url.length; i++) {
    const c = url[i];
    if (c === ':' && url[i + 1] === ':') {
      out += ':';
      i++;
    } else if (c === ':') {
      const name = /^[\w$]*/.exec(url.slice(i + 1))?.[0] ?? '';
      i += name.length;
      i = skipRegex(url, i);
      out += `{${name}}`;
    } else if (c === '*') {
      out += '{*}';
    } else {
      out += c;
    }
  }
  return out;
}

/** Skips a `(regex)` right after a parameter name; returns the index of its last character. */
function skipRegex(url: string, i: number): number {
  if (url[i + 1] !== '(') return i;
  let depth = 0;
  for (let j = i + 1; j < url.length; j++) {
    if (url[j] === '\\') j++;
    else if (url[j] === '(') depth++;
    else if (url[j] === ')' && --depth === 0) return j;
  }
  return url.length;
}

function pathParamNames(url: string): string[] {
  return [...toOpenApiPath(url).matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
}

function stripHash(id: string): string {
  return id.endsWith('#') ? id.slice(0, -1) : id;
}

/** OpenAPI component names allow only [A-Za-z0-9._-]. */
function componentName(id: string): string {
  return id.replace(/[^\w.-]/g, '_');
}

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
