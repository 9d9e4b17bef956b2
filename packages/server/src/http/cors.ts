import type { FastifyInstance } from 'fastify';

/**
 * CORS for the configured origins only (`*` for any). Credentials are never allowed cross-origin: callers
 * authenticate with headers, not cookies. Preflight requests are answered by a public OPTIONS route.
 */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  installCorsHeaders(app, origins);
  installCorsPreflight(app, origins);
}

/**
 * The response headers. Installed before the policy hook so that refusals (401, 403, 429) carry them too: a browser
 * must see `UNAUTHORIZED`, not an opaque network error.
 */
export function installCorsHeaders(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  // Callback style: an async hook costs a promise per request for a few synchronous headers.
  app.addHook('onRequest', (req, reply, done) => {
    const origin = req.headers.origin;
    // With a list, the answer depends on Origin whether or not this one is allowed: a shared cache must not serve
    // a copy made for a request without Origin (no CORS header) to an allowed origin's browser.
    if (!any) void reply.header('vary', 'Origin');
    if (typeof origin === 'string' && (any || allowed.has(origin))) {
      void reply.header('access-control-allow-origin', any ? '*' : origin);
      void reply.header(
        'access-control-expose-headers',
        'x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, etag',
      );
    }
    done();
  });
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
