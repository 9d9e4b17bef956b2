// JSON-schema pieces the agents routes share.
import type { FastifyRequest } from 'fastify';
import { errorBodySchema } from '../../errors.ts';
import { documentedBody } from '../../http/response-schemas.ts';

/** A bearer secret as this module issues them (prefix + base64url); the exact check is a hashed lookup. */
export const secretSchema = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** `:id` — a DID, internal id or slug. */
export const agentIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** `:slug` — Treeship's name for the agent in the path; a DID or internal id works too. */
export const agentSlugParams = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** The agent reference in the path, whichever name the route gives it. */
export function idFor(req: FastifyRequest): string {
  const p = req.params as { id?: string; slug?: string };
  return p.id ?? p.slug ?? '';
}

/** A time in ms since the epoch, as signed statements carry it (bounded: every integer a route takes is). */
export const signedAtSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** A SHA-256 hex digest (either case on input). */
export const sha256HexPattern = '^[0-9a-fA-F]{64}$';

/**
 * A route's `response` for /docs/json: its success, documented in prose (nothing dropped from the answer), and the
 * refusals its handler makes besides the app's shared ones (openapi-responses.ts): 403 (`FORBIDDEN`,
 * `AGENT_REVOKED`), 409 (taken, used, replayed).
 */
export function answers(
  success: 200 | 201,
  description: string,
  ...refusals: Array<403 | 409>
): Record<number, ReturnType<typeof documentedBody> | typeof errorBodySchema> {
  return { [success]: documentedBody(description), ...Object.fromEntries(refusals.map((s) => [s, errorBodySchema])) };
}
