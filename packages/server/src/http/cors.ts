import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Sets an answer's CORS headers for its request's Origin. */
export type CorsHeaders = (req: FastifyRequest, reply: FastifyReply) => void;

/**
 * The CORS headers of an answer to a request with this Origin (undefined when it has none, or it could not be read),
 * as name and value pairs; undefined when no origins are configured. Used as is by the answers written below Fastify
 * (client-error.ts), which have no reply to set them on.
 */
export type CorsHeaderPairs = (origin: string | undefined) => ReadonlyArray<readonly [string, string]>;

const EXPOSE_HEADERS = 'x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, etag';

/** {@link CorsHeaderPairs} for the configured origins only (`*` for any); undefined when none are configured. */
export function corsHeaderPairs(origins: readonly string[]): CorsHeaderPairs | undefined {
  if (origins.length === 0) return undefined;
  // Built once: the first onRequest hook sets them on every answer.
  const allowedPairs = (allowOrigin: string): ReadonlyArray<readonly [string, string]> =>
    Object.freeze([
      ['Access-Control-Allow-Origin', allowOrigin],
      ['Access-Control-Expose-Headers', EXPOSE_HEADERS],
    ] as const);
  if (origins.includes('*')) {
    const anyOrigin = allowedPairs('*');
    return (origin) => (origin === undefined ? [] : anyOrigin);
  }
  // With a list, the answer depends on Origin whether or not this one is allowed: a shared cache must not serve
  // a copy made for a request without Origin (no CORS header) to an allowed origin's browser.
  const vary = ['Vary', 'Origin'] as const;
  const others = Object.freeze([vary]);
  const byOrigin = new Map(origins.map((o) => [o, Object.freeze([vary, ...allowedPairs(o)])]));
  return (origin) => (origin === undefined ? others : (byOrigin.get(origin) ?? others));
}

/**
 * CORS for the configured origins only (`*` for any); undefined when none are configured. Credentials are never
 * allowed cross-origin: callers authenticate with headers, not cookies. The app sets these headers in its first
 * onRequest hook and on the answers Fastify gives before any hook runs (framework errors), so that every refusal
 * (400, 401, 403, 429, 503) carries them: a browser must see the `code`, not an opaque network error. Preflight
 * requests are answered by a public OPTIONS route ({@link installCorsPreflight}).
 */
export function corsHeaders(origins: readonly string[]): CorsHeaders | undefined {
  const pairsFor = corsHeaderPairs(origins);
  if (pairsFor === undefined) return undefined;
  return (req, reply) => {
    const origin = req.headers.origin;
    for (const [name, value] of pairsFor(typeof origin === 'string' ? origin : undefined))
      void reply.header(name, value);
  };
}

/** The public OPTIONS route answering preflights; registered after the policy hook like every other route. */
export function installCorsPreflight(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  app.options(
    '*',
    { config: { policy: { caller: 'public', rateLimit: 'default' } }, schema: { hide: true } },
    async (req, reply) => {
      const origin = req.headers.origin;
      if (typeof origin === 'string' && (any || allowed.has(origin))) {
        void reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
        // if-none-match: browser verifiers poll the AIP revocation list with its ETag.
        // x-vouch-*: agents sign requests with these headers (modules/agents/auth.ts).
        void reply.header(
          'access-control-allow-headers',
          'content-type, authorization, x-api-key, if-none-match, ' +
            'x-vouch-agent, x-vouch-signed-at, x-vouch-content-sha256, x-vouch-signature',
        );
        void reply.header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    },
  );
}
