import type { FastifyInstance, RouteOptions } from 'fastify';
import { REGISTRY_LIMITS } from '@vouch/sdk';

/**
 * Largest body of a route that declares no larger need: over four times the largest valid body of any such route
 * (a capability token request, 14 KB with its 8 KiB credential and 4 KiB proof; a token to verify is at most 8,192
 * characters), room for escaped or non-ASCII text. JSON.parse holds the event loop for every byte before a schema
 * can refuse them, so routes anyone may call must not take megabytes.
 */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * Routes whose valid bodies can pass DEFAULT_BODY_LIMIT, by `METHOD url`, with the room they need (each capped at
 * `VOUCH_BODY_LIMIT`). A route that sets `bodyLimit` itself keeps it: the ingestion routes
 * (`VOUCH_INGEST_BODY_LIMIT`), the registry genesis (a whole document, admin only) and the console's token form
 * (256 KiB, capped at `VOUCH_BODY_LIMIT` by the route itself).
 */
export const LARGE_BODY_ROUTES: ReadonlyMap<string, number> = new Map([
  // Up to 500 tool names of up to 128 characters: 65,517 bytes, 68 KB indented.
  ['POST /v1/identity/:slug/verify-tools', 128 * 1024],
  // Up to 200 metrics of up to 200 bytes each: 41 KB, 59 KB indented by four spaces (admin only).
  ['POST /api/v1/admin/integrators', 128 * 1024],
  ['PUT /api/v1/admin/integrators/:slug/metrics', 128 * 1024],
  // Up to 50 requests, each a capability token of up to 8,192 characters, its agent id and resource: 455 KB,
  // and room for agent ids written as \u escapes.
  ['POST /v1/intercept/batch', 640 * 1024],
  // A proposal as its file may hold it (up to 1,000 co-signatures; the SDK reads at most maxFileBytes).
  ['POST /v1/registry/proposals', REGISTRY_LIMITS.maxFileBytes],
  // A manifest of up to 640 KiB as RFC 8785 JSON (MAX_MANIFEST_BYTES: 500 tools each described in 1,000 ASCII
  // characters fit, 2 MB of four-byte ones do not), plus 65 KB of tools listed twice, and room for escapes.
  ['POST /v1/identity/:slug/tools', 1024 * 1024],
]);

/**
 * Gives every route registered after it a body limit: its own if it sets one, else its entry in LARGE_BODY_ROUTES
 * or DEFAULT_BODY_LIMIT, never more than `ceiling` (`VOUCH_BODY_LIMIT`). Fastify answers a larger body 413 (the
 * error handler's BODY_TOO_LARGE) from its Content-Length, or once that many bytes arrived, before parsing it.
 */
export function installBodyLimits(app: FastifyInstance, ceiling: number): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.bodyLimit !== undefined) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const need = Math.max(...methods.map((m) => LARGE_BODY_ROUTES.get(`${m} ${route.url}`) ?? DEFAULT_BODY_LIMIT));
    route.bodyLimit = Math.min(need, ceiling);
  });
}
