// The refusals every route shares come from the app, not from the route (policy.ts, body-limits.ts, json-body.ts,
// error-handler.ts), so no route schema lists them. They are added to the published document here, and only there:
// a status added to a route's own response schema would also change how Fastify serializes that answer.

type Json = Record<string, unknown>;

interface Operation {
  parameters?: Array<{ in: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
  security?: Array<Record<string, unknown>>;
  responses?: Record<string, Json>;
}

/** The error body of every refusal, as a reusable component. */
export const ERROR_BODY_COMPONENT = 'ErrorBody';

const SHARED: Record<string, string> = {
  '400':
    'The request is malformed: `VALIDATION_FAILED` (with `field` when one value is at fault), `INVALID_JSON`, ' +
    '`JSON_TOO_DEEP`, or an input code of the SDK.',
  '401': 'No valid credential for this route: `UNAUTHORIZED`.',
  '404': 'Nothing by that name: `NOT_FOUND` or a more specific code.',
  '413': 'The body is larger than this route accepts: `BODY_TOO_LARGE`.',
  '415': 'The body is not `application/json`: `UNSUPPORTED_MEDIA_TYPE`.',
  '429': 'Too many requests from this client: `RATE_LIMITED`, with `Retry-After` in seconds.',
  '503':
    'The database does not answer or aborted a conflicting transaction (`DATABASE_UNAVAILABLE`, with `Retry-After`: retry), or a key cannot be sealed.',
};

/** Routes that answer from memory alone: no 503. */
const NO_DATABASE = new Set(['/healthz']);

function errorResponse(description: string): Json {
  return {
    description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_BODY_COMPONENT}` } } },
  };
}

/** Whether a schema accepts `null`, i.e. the route takes a request without a body. */
function acceptsNull(schema: Json | undefined): boolean {
  const type = schema?.type;
  return type === 'null' || (Array.isArray(type) && type.includes('null'));
}

/** Methods whose requests may carry a body: the body parser (and its refusals) runs on them whatever the route. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Adds to each operation of an OpenAPI document the refusals the app makes before or around its handler, where the
 * operation does not declare them itself: 400 for any input, 401 unless anonymous callers are allowed, 404 for a
 * path with parameters, 413 and 415 wherever a body may be sent, 429 everywhere (every route has a rate limit), 503
 * wherever the database is read. A body whose schema accepts `null` is marked optional.
 */
export function addSharedResponses<T extends object>(document: T, errorBodySchema: Json): T {
  const doc = document as Json;
  const components = ((doc.components as Json | undefined) ??= {}) as Json;
  const schemas = ((components.schemas as Json | undefined) ??= {}) as Json;
  schemas[ERROR_BODY_COMPONENT] = errorBodySchema;
  for (const [path, ops] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (op.requestBody !== undefined && acceptsNull(body)) op.requestBody.required = false;
      const params = op.parameters ?? [];
      const takesBody = op.requestBody !== undefined || BODY_METHODS.has(method);
      const statuses: string[] = [];
      if (takesBody || params.length > 0) statuses.push('400');
      const anonymous = (op.security ?? []).length === 0 || op.security!.some((s) => Object.keys(s).length === 0);
      if (!anonymous) statuses.push('401');
      if (params.some((p) => p.in === 'path')) statuses.push('404');
      if (takesBody) statuses.push('413', '415');
      statuses.push('429');
      if (!NO_DATABASE.has(path)) statuses.push('503');
      const responses = (op.responses ??= {});
      for (const status of statuses) responses[status] ??= errorResponse(SHARED[status]!);
    }
  }
  return document;
}
