// A route's response schema is also its serializer: a property it does not list is dropped from the answer. Routes
// whose answers are documented in prose declare their success status with this open schema, so the OpenAPI document
// names the status and every property is sent as the handler built it.

/** An object answer documented by `description` alone; nothing in it is dropped or coerced. */
export function documentedBody(description: string) {
  return { description, type: 'object', additionalProperties: true } as const;
}
