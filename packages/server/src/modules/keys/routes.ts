import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { VouchModule } from '../../module.ts';
import { listPublicServerKeys } from '../../storage/index.ts';
import { publishedUntil } from './published.ts';

/** How long caches may keep the key list when no listed key drops sooner. */
const MAX_AGE_SECONDS = 300;

/**
 * `GET /.well-known/vouch-keys.json`: the server's Ed25519 signing keys (tool manifests, capability tokens, the
 * registry root) as OKP JWKs with `kid`, `alg`, `use`, `purpose` and `status`. Retired keys stay listed so that what
 * they signed can still be checked: tool-manifest keys for good, a capability key until no token it signed can be
 * live (`drops_at`), as the gateway verifies (a rotation may answer a leak, and offline verifiers read this list).
 * ES256 token keys are published by the tokens module's JWKS instead.
 */
function registerKeyRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/.well-known/vouch-keys.json',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: "The server's Ed25519 signing keys, with their purposes, as OKP JWKs.",
        tags: ['keys'],
      },
    },
    async (_req, reply) => {
      const now = ctx.clock.now();
      // Public halves as stored: serving anyone never unseals a private key.
      const keys = (await listPublicServerKeys(ctx.storage)).filter((k) => k.alg === 'EdDSA');
      // Cached for 5 minutes, but never past the earliest drop of a key listed here: a cache must not go on
      // serving a retired capability key that the gateway no longer verifies with.
      let maxAgeSeconds = MAX_AGE_SECONDS;
      const listed = keys.flatMap((k) => {
        const until = publishedUntil(ctx, k);
        if (until !== null && now >= until) return [];
        if (until !== null) maxAgeSeconds = Math.min(maxAgeSeconds, Math.floor((until - now) / 1000));
        return [
          {
            kty: 'OKP',
            crv: 'Ed25519',
            x: k.publicJwk.x,
            kid: k.kid,
            alg: 'EdDSA',
            use: 'sig',
            purpose: k.purpose,
            status: k.status,
            created_at: new Date(k.createdAt).toISOString(),
            ...(until === null ? {} : { drops_at: new Date(until).toISOString() }),
          },
        ];
      });
      void reply.header('cache-control', `public, max-age=${maxAgeSeconds}`);
      return { keys: listed };
    },
  );
}

export const keysModule: VouchModule = { name: 'keys', routes: registerKeyRoutes };
