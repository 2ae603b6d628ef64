// Small builders for the JSON Schemas the routes declare (openapi.ts turns them into the OpenAPI
// document), and the mark for request schemas that document a route without being enforced.
import type {} from '@fastify/swagger'; // the OpenAPI keywords on FastifySchema (summary, tags…)

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The route's answers by status, for the OpenAPI document only: openapi.ts hands them to
     * @fastify/swagger as `response`. Not Fastify's own `response`, which would only build a
     * table of serializers per route (~5 KB of heap each, 90 routes) that replies never use: they
     * are plain JSON.stringify whatever the schema (lazy-compilers.ts), so no answer can change.
     */
    responses?: Record<number, unknown>;
  }
}

export type JsonSchema = Record<string, unknown>;

export const str = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
export const num = { type: 'number' } as const;
export const bool = { type: 'boolean' } as const;

/** An object schema whose properties are all required except those named in `optional`. */
export function obj(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
  };
}

/** A reference to a shared schema (app.addSchema), a component of the OpenAPI document. */
export const ref = (id: string): JsonSchema => ({ $ref: `${id}#` });

/** A non-JSON answer (text, HTML, a file): one media type, described. */
export function media(type: string, description: string, schema: JsonSchema = str): JsonSchema {
  return { description, content: { [type]: { schema } } };
}

/** A JSON answer with a description, for the document. */
export const described = (description: string, schema: JsonSchema): JsonSchema => ({
  ...schema,
  description,
});

const documentationOnly = new WeakSet<object>();

/**
 * Marks a request schema (params, querystring or body) as documentation only: the route's handler
 * reads and checks that input itself, in its surface's words (SeaTunnel's, Arthas's, vminfo's), and
 * a validator would change which requests are refused and how. The validator compiler
 * (lazy-compilers.ts) accepts such a part as it is: no coercion, no defaults, no refusal. Response
 * schemas need no mark: replies are plain JSON.stringify whatever the schema.
 */
export function notEnforced<T extends JsonSchema>(schema: T): T {
  documentationOnly.add(schema);
  return schema;
}

/** Whether the validator compiler should check requests against this schema. */
export const isEnforced = (schema: unknown): boolean =>
  typeof schema !== 'object' || schema === null || !documentationOnly.has(schema);
