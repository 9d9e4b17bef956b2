// Admin routes over the server's signing keys: `vouch keys list` and `vouch keys rotate`.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { ApiError, errorBodySchema } from '../../errors.ts';
import { listServerKeys, rotateServerKey, StorageError } from '../../storage/index.ts';
import { isPublished, keyringOf, TOKEN_KEY_PURPOSE } from './keyring.ts';

/** Purposes this route may rotate; other modules' keys have their own publication rules. */
const ROTATABLE = [TOKEN_KEY_PURPOSE] as const;

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
          "The server's signing keys (public halves only): purpose, generation, status and, for token keys, whether " +
          'the JWKS still publishes them and until when.',
        tags: ['admin'],
        response: { 200: { type: 'object', properties: { keys: { type: 'array', items: keySchema } } } },
      },
    },
    async () => {
      const now = ctx.clock.now();
      const tokenKeys = new Map((await keyring.allKeys()).map((k) => [k.kid, k]));
      const keys = await listServerKeys(ctx.storage, ctx.kek);
      return {
        keys: keys.map((k) => {
          const t = tokenKeys.get(k.kid);
          return {
            kid: k.kid,
            purpose: k.purpose,
            alg: k.alg,
            generation: k.generation,
            status: k.status,
            published: t === undefined ? k.status === 'active' : isPublished(t, now),
            created_at: iso(k.createdAt),
            retired_at: iso(k.retiredAt),
            drops_at: iso(t?.dropsAt ?? null),
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
          'published (verify-only) until every token it signed has expired.',
        tags: ['admin'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { purpose: { type: 'string', enum: [...ROTATABLE] } },
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
            },
          },
          409: errorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const purpose = (req.body as { purpose?: string } | undefined)?.purpose ?? TOKEN_KEY_PURPOSE;
      let rotation;
      try {
        // Make sure generation 1 exists first, so a first rotation retires it instead of racing its creation.
        await keyring.signingKey();
        rotation = await rotateServerKey(ctx.storage, ctx.kek, purpose, 'ES256', ctx.clock.now(), {
          actor: 'admin',
          requestId: req.id,
        });
      } catch (err) {
        if (err instanceof StorageError && err.code === 'SERVER_KEY_CONFLICT')
          throw new ApiError('CONFLICT', err.message);
        throw err;
      }
      keyring.invalidate();
      const { key, retired } = rotation;
      return reply.code(201).send({ purpose, kid: key.kid, alg: key.alg, generation: key.generation, retired });
    },
  );
}
