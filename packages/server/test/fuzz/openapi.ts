// The routes to fuzz, read from the live OpenAPI document so every module's routes (including ones added later)
// are covered without a hand-kept list.
import type { FastifyInstance } from 'fastify';

export type JsonSchema = Record<string, unknown>;

export interface FuzzRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** OpenAPI path, e.g. `/v1/identity/{slug}`. */
  path: string;
  pathParams: Array<{ name: string; schema: JsonSchema }>;
  queryParams: Array<{ name: string; schema: JsonSchema; required: boolean }>;
  /** The JSON request body schema, when the route takes one. */
  body: JsonSchema | undefined;
  /** Security scheme names (`adminKey`, `ownerToken`, ...); empty for public routes. */
  security: string[];
  /** The statuses the document declares for the operation (`'200'`, `'404'`, ...). */
  responses: ReadonlySet<string>;
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: Array<Record<string, unknown>>;
  responses?: Record<string, unknown>;
}

const METHODS = new Set(['get', 'post', 'put', 'delete', 'patch']);

/** Inlines `$ref: '#/components/schemas/x'` references (cycles stop as an empty schema). */
function resolveRefs(schema: unknown, doc: OpenApiDoc, seen: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(schema)) return schema.map((s) => resolveRefs(s, doc, seen));
  if (schema === null || typeof schema !== 'object') return schema;
  const obj = schema as Record<string, unknown>;
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref;
    const name = ref.replace(/^#\/components\/schemas\//, '');
    const target = doc.components?.schemas?.[name];
    if (target === undefined || seen.has(ref)) return {};
    return resolveRefs(target, doc, new Set([...seen, ref]));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = resolveRefs(v, doc, seen);
  return out;
}

/** Every operation of the app's `/docs/json`, sorted for a stable order. */
export async function routesFromOpenApi(app: FastifyInstance): Promise<FuzzRoute[]> {
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  if (res.statusCode !== 200) throw new Error(`GET /docs/json answered ${res.statusCode}`);
  const doc = res.json() as OpenApiDoc;
  const routes: FuzzRoute[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.has(method)) continue;
      const params = op.parameters ?? [];
      const body = Object.entries(op.requestBody?.content ?? {}).find(([type]) => /json/.test(type))?.[1].schema;
      routes.push({
        method: method.toUpperCase() as FuzzRoute['method'],
        path,
        pathParams: params
          .filter((p) => p.in === 'path')
          .map((p) => ({ name: p.name, schema: resolveRefs(p.schema ?? {}, doc) as JsonSchema })),
        queryParams: params
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: p.name,
            schema: resolveRefs(p.schema ?? {}, doc) as JsonSchema,
            required: p.required === true,
          })),
        body: body === undefined ? undefined : (resolveRefs(body, doc) as JsonSchema),
        security: (op.security ?? []).flatMap((s) => Object.keys(s)),
        responses: new Set(Object.keys(op.responses ?? {})),
      });
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}
