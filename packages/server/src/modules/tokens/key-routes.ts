// Admin routes over the server's signing keys: `vouch keys list` and `vouch keys rotate`.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { ApiError, errorBodySchema } from '../../errors.ts';
import { adminActorOf } from '../../http/admin-auth.ts';
import { ensureServerKey, listPublicServerKeys, rotateServerKey, StorageError } from '../../storage/index.ts';
import type { ServerKeyAlg } from '../../storage/index.ts';
import { CAPABILITY_KEY_PURPOSE, TOOL_MANIFEST_KEY_PURPOSE } from '@vouch/sdk';
import { capabilityKeyRotated } from '../capabilities/service.ts';
import { publishedUntil } from '../keys/published.ts';
import { isPublished, keyringOf, TOKEN_KEY_PURPOSE } from './keyring.ts';

/**
 * Purposes this route rotates, with their algorithms. Retired keys stay published until their tokens expire: token
 * keys in the JWKS, capability keys in /.well-known/vouch-keys.json (tool-manifest keys there for good). The registry root is not here:
 * consumers pin it, so replacing it is a re-pinning, not a rotation (docs/registry.md).
 */

/**
 * Purposes whose previous keys `compromised: true` may drop at once: what their tokens carry is checked as it is
 * presented, and each token can be issued again. Tool-manifest signatures are checked long after signing, against
 * retired keys kept for good: dropping one would be a re-signing of every manifest, not a rotation.
 */
const DROPPABLE: ReadonlySet<string> = new Set([TOKEN_KEY_PURPOSE, CAPABILITY_KEY_PURPOSE]);
const ROTATABLE: Readonly<Record<string, ServerKeyAlg>> = {
  [TOKEN_KEY_PURPOSE]: 'ES256',
  [CAPABILITY_KEY_PURPOSE]: 'EdDSA',
  [TOOL_MANIFEST_KEY_PURPOSE]: 'EdDSA',
};

const keySchema = {
  type: 'object',
  properties: {
    kid: { type: 'string' },
    purpose: { type: 'string' },
    alg: { type: 'string' },
    generation: { type: 'integer' },
    status: { type: 'string' },
    published: { type: 'boolean' },
    created_at: { type: 'string' },
    retired_at: { type: ['string', 'null'] },
    drops_at: { type: ['string', 'null'] },
  },
} as const;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function registerKeyAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const keyring = keyringOf(ctx);

  app.get(
    '/api/v1/admin/keys',
    {
      config: { policy: { caller: 'admin', rateLimit: 'default' } },
      schema: {
        summary:
          "The server's signing keys (public halves only): purpose, generation, status and, for token and capability " +
          'keys, whether the JWKS or vouch-keys.json still publishes them and until when.',
        tags: ['admin'],
        response: { 200: { type: 'object', properties: { keys: { type: 'array', items: keySchema } } } },
      },
    },
    async () => {
      const now = ctx.clock.now();
      // Fresh: this listing follows the database, so a rotation made by another process shows at once.
      const tokenKeys = new Map((await keyring.allKeys({ fresh: true })).map((k) => [k.kid, k]));
      const keys = await listPublicServerKeys(ctx.storage);
      return {
        keys: keys.map((k) => {
          const t = tokenKeys.get(k.kid);
          const until = t?.dropsAt ?? publishedUntil(ctx, k);
          return {
            kid: k.kid,
            purpose: k.purpose,
            alg: k.alg,
            generation: k.generation,
            status: k.status,
            // Token keys leave the JWKS, and capability keys vouch-keys.json, when their tokens expire.
            published: t === undefined ? until === null || now < until : isPublished(t, now),
            created_at: iso(k.createdAt),
            retired_at: iso(k.retiredAt),
            drops_at: iso(until),
          };
        }),
      };
    },
  );

  app.post(
    '/api/v1/admin/keys/rotate',
    {
      config: { policy: { caller: 'admin', rateLimit: { max: 10, windowMs: 60_000 } } },
      schema: {
        summary:
          'Rotate a signing key: a new active key signs from now on; the previous one is retired and stays ' +
          'published (verify-only) until every token it signed has expired. With `compromised: true` (token and ' +
          'capability keys only) the previous key and every earlier retired one of that purpose are dropped at once ' +
          'instead: every token they signed stops verifying.',
        tags: ['admin'],
        // Optional: no body rotates the token key.
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            purpose: { type: 'string', enum: Object.keys(ROTATABLE) },
            compromised: { type: 'boolean' },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              purpose: { type: 'string' },
              kid: { type: 'string' },
              alg: { type: 'string' },
              generation: { type: 'integer' },
              retired: { type: 'array', items: { type: 'string' } },
              dropped: { type: 'array', items: { type: 'string' } },
            },
          },
          400: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const body = req.body as { purpose?: string; compromised?: boolean } | undefined;
      const purpose = body?.purpose ?? TOKEN_KEY_PURPOSE;
      const compromised = body?.compromised === true;
      if (compromised && !DROPPABLE.has(purpose)) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'body.compromised applies to the token and capability keys (purpose "tokens" or "capability") only.',
          { field: 'body.compromised' },
        );
      }
      let rotation;
      try {
        // Make sure generation 1 exists first, so a first rotation retires it instead of racing its creation.
        if (purpose === TOKEN_KEY_PURPOSE) await keyring.signingKey();
        else await ensureServerKey(ctx.storage, ctx.kek, purpose, ROTATABLE[purpose]!, ctx.clock.now());
        // A leaked key must not verify through a grace period: with `compromised`, every retired key of the purpose
        // is dropped now; their genuine tokens die with them (the agents get new ones). Other processes stop accepting
        // them as the rotation commits (announced: storage/changes.ts), or at their next reload if unheard (token keys
        // within 10 s, capability keys within a minute).
        rotation = await rotateServerKey(
          ctx.storage,
          ctx.kek,
          purpose,
          ROTATABLE[purpose]!,
          ctx.clock.now(),
          { actor: adminActorOf(req.principal!), requestId: req.id },
          { dropRetired: compromised },
        );
      } catch (err) {
        if (err instanceof StorageError && err.code === 'SERVER_KEY_CONFLICT')
          throw new ApiError('CONFLICT', err.message);
        throw err;
      }
      const { key, retired, dropped } = rotation;
      if (purpose === TOKEN_KEY_PURPOSE) keyring.invalidate();
      if (purpose === CAPABILITY_KEY_PURPOSE) capabilityKeyRotated(ctx);
      return reply
        .code(201)
        .send({ purpose, kid: key.kid, alg: key.alg, generation: key.generation, retired, dropped });
    },
  );
}
