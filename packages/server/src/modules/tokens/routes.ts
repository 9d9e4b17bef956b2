// AIP's paths (seed 004): discovery, JWKS, spec, issue, verify, revoke, revocations; and the admin key routes.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AIP_EXPIRES_IN, AIP_PROTOCOL, AIP_TOKEN_TYPES, AIP_TYP, sha256HexSync } from '@vouch/sdk';
import type { AipExpiresIn, AipTokenType } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import type { VouchModule } from '../../module.ts';
import { ApiError, errorBodySchema } from '../../errors.ts';
import { ifNoneMatchMatches } from '../../http/conditional.ts';
import { bearerSecret } from '../../http/secrets.ts';
import { INTEGRATOR_KEY_PREFIX } from '../integrators/service.ts';
import { DISPLAY_TEXT, IDENTIFIER_TEXT } from '../../http/text-patterns.ts';
import { AUDIENCE_OR_NONCE_TEXT, MAX_AUDIENCE_OR_NONCE_LENGTH, MAX_JTI_LENGTH } from './issued-claims.ts';
import { agentDirectory, holdRequestCredential } from './agents.ts';
import { signatureCacheOf } from './signature-cache.ts';
import { keyringOf } from './keyring.ts';
import type { TokenKey } from './keyring.ts';
import { registerKeyAdminRoutes } from './key-routes.ts';
import { issueToken, isTokenFailure, listRevocations, pruneTokenState, revokeToken, verifyToken } from './service.ts';

const SPEC_FILE = new URL('../../../../../docs/PROTOCOL.md', import.meta.url);
/** Agents listed in the discovery document; more through `agents_endpoint`. */
const DISCOVERY_AGENTS = 100;
const PRUNE_EVERY_MS = 60_000;

const jwkSchema = {
  type: 'object',
  properties: {
    kty: { type: 'string' },
    crv: { type: 'string' },
    x: { type: 'string' },
    y: { type: 'string' },
    kid: { type: 'string' },
    alg: { type: 'string' },
    use: { type: 'string' },
    status: { type: 'string', enum: ['active', 'retired'] },
  },
} as const;

const agentSchema = {
  type: 'object',
  properties: {
    did: { type: 'string' },
    slug: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    status: { type: 'string' },
  },
} as const;

/** The answer of {@link withEtag} when the client's copy is current: no body, so nothing is serialized. */
const notModified = { description: 'Not modified: the ETag sent in If-None-Match is still current.' } as const;

const verifyFailureSchema = {
  type: 'object',
  required: ['valid', 'error', 'code'],
  properties: { valid: { type: 'boolean', const: false }, error: { type: 'string' }, code: { type: 'string' } },
} as const;

/**
 * Whether a verify request presents a credential of a caller that consumes nonces (the admin key, an integrator key)
 * that did not authenticate. The route is public, and the policy answers such a caller as anonymous: the verdict
 * then said valid without consuming the nonce, while the audience took it for consumed (its replay defense silently
 * off after a key rotation or a typo). Credentials of other kinds (an owner key, a management token) stay ignored.
 */
function presentsWrongAudienceCredential(req: FastifyRequest): boolean {
  if (req.principal !== null) return false;
  return req.headers['x-api-key'] !== undefined || bearerSecret(req, INTEGRATOR_KEY_PREFIX) !== undefined;
}

function jwkOf(k: TokenKey): Record<string, unknown> {
  const { kty, crv, x, y } = k.publicJwk;
  return { kty, crv, x, y, kid: k.kid, alg: 'ES256', use: 'sig', status: k.status };
}

function rateLimit(ctx: AppContext, max: number) {
  return { max, windowMs: ctx.config.rateLimitWindowMs };
}

/**
 * Answers `body` with a content hash as ETag and `no-cache` (clients revalidate every time, so a verifier that
 * re-fetches keys for an unknown kid right after a rotation never gets a stale copy from an HTTP cache), or 304.
 */
function withEtag<T>(req: FastifyRequest, reply: FastifyReply, body: T): T | FastifyReply {
  const etag = `"${sha256HexSync(JSON.stringify(body)).slice(0, 32)}"`;
  void reply.header('etag', etag).header('cache-control', 'no-cache');
  return ifNoneMatchMatches(req.headers['if-none-match'], etag) ? reply.code(304).send() : body;
}

async function registerTokenRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { config } = ctx;
  const iss = config.publicUrl;
  const keyring = keyringOf(ctx);
  // Made now, so that its metrics are on /metrics from the start.
  signatureCacheOf(ctx);
  const spec = await readFile(SPEC_FILE, 'utf8').catch(() => undefined);

  app.get(
    '/.well-known/agent-registry.json',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: 'AIP discovery: issuer, signing keys (JWK, with status), endpoints and registered agents.',
        tags: ['tokens'],
        response: {
          304: notModified,
          200: {
            type: 'object',
            properties: {
              protocol: { type: 'string' },
              issuer: { type: 'string' },
              active_kid: { type: 'string' },
              keys: { type: 'array', items: jwkSchema },
              algorithms: { type: 'array', items: { type: 'string' } },
              token_types: {
                type: 'object',
                additionalProperties: {
                  type: 'object',
                  properties: {
                    typ: { type: 'string' },
                    default_expires_in: { type: 'string' },
                    audience_bound: { type: 'boolean' },
                  },
                },
              },
              expires_in: { type: 'array', items: { type: 'string' } },
              claims_namespace: { type: 'string' },
              verify_endpoint: { type: 'string' },
              issue_endpoint: { type: 'string' },
              revocations_endpoint: { type: 'string' },
              revoke_endpoint: { type: 'string' },
              jwks_uri: { type: 'string' },
              spec: { type: 'string' },
              agents: { type: 'array', items: agentSchema },
              agents_endpoint: { type: 'string' },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const keys = await keyring.publishedKeys({ fresh: true });
      const active = keys.find((k) => k.status === 'active');
      const agents = await agentDirectory(ctx).list({ limit: DISCOVERY_AGENTS });
      const doc = {
        protocol: AIP_PROTOCOL,
        issuer: iss,
        active_kid: active?.kid,
        keys: keys.map(jwkOf),
        algorithms: ['ES256'],
        token_types: {
          identity: { typ: AIP_TYP.identity, default_expires_in: '24h', audience_bound: false },
          session: { typ: AIP_TYP.session, default_expires_in: '1h', audience_bound: true },
        },
        expires_in: Object.keys(AIP_EXPIRES_IN),
        claims_namespace: `${iss}/claims/`,
        verify_endpoint: `${iss}/api/registry/verify`,
        issue_endpoint: `${iss}/api/registry/issue`,
        revocations_endpoint: `${iss}/api/registry/revocations`,
        revoke_endpoint: `${iss}/api/registry/revoke`,
        jwks_uri: `${iss}/.well-known/jwks.json`,
        spec: `${iss}/api/registry/spec`,
        agents: agents.map((a) => ({ did: a.did, slug: a.slug, name: a.name, status: a.status })),
        agents_endpoint: `${iss}/api/registry/agents`,
      };
      return withEtag(req, reply, doc);
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: 'The ES256 token keys (active and retired ones that still have live tokens) as a JWKS.',
        tags: ['tokens'],
        response: {
          200: { type: 'object', properties: { keys: { type: 'array', items: jwkSchema } } },
          304: notModified,
        },
      },
    },
    async (req, reply) => withEtag(req, reply, { keys: (await keyring.publishedKeys({ fresh: true })).map(jwkOf) }),
  );

  app.get(
    '/api/registry/agents',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: 'Registered agents, a page at a time (the discovery document lists the first 100).',
        tags: ['tokens'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'string', minLength: 1, maxLength: 128 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { agents: { type: 'array', items: agentSchema }, next: { type: ['string', 'null'] } },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { after?: string; limit: number };
      // One row more than the page says whether another page follows, so the last page says so itself (as
      // GET /api/v1/owners/me does): a full last page does not send a client for one more, empty, page.
      const rows = await agentDirectory(ctx).list({ limit: q.limit + 1, after: q.after });
      const agents = rows.slice(0, q.limit);
      return {
        agents: agents.map((a) => ({ did: a.did, slug: a.slug, name: a.name, status: a.status })),
        next: rows.length > q.limit ? agents.at(-1)!.did : null,
      };
    },
  );

  app.get(
    '/api/registry/spec',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: { summary: 'The protocol specification (docs/PROTOCOL.md) as Markdown.', tags: ['tokens'] },
    },
    async (_req, reply) => {
      if (spec === undefined) {
        return reply.code(404).send({ error: 'The specification is not available.', code: 'NOT_FOUND' });
      }
      return reply.type('text/markdown; charset=utf-8').header('cache-control', 'public, max-age=300').send(spec);
    },
  );

  app.post(
    '/api/registry/issue',
    {
      config: {
        // Authorization is the admin key, the owner's key, or the agent's proof inside the body: the route is
        // public to the router, which authenticates the first two when presented; the handler decides.
        policy: {
          caller: 'public',
          optionalCaller: ['admin', 'owner'],
          rateLimit: rateLimit(ctx, config.tokenRateLimits.issue),
        },
      },
      schema: {
        summary:
          'Issue an identity or session token for a registered agent. Callable by the admin (x-api-key), the ' +
          "agent's owner (Authorization: Bearer), or the agent itself with proof = Ed25519 signature over " +
          '"aip-issue:<did>:<token_type>:<audience>:<signedAt>".',
        tags: ['tokens'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['agent_name'],
          properties: {
            agent_name: { type: 'string', minLength: 1, maxLength: 200 },
            token_type: { type: 'string', enum: [...AIP_TOKEN_TYPES] },
            audience: {
              type: 'string',
              minLength: 1,
              maxLength: MAX_AUDIENCE_OR_NONCE_LENGTH,
              pattern: AUDIENCE_OR_NONCE_TEXT,
            },
            nonce: {
              type: 'string',
              minLength: 1,
              maxLength: MAX_AUDIENCE_OR_NONCE_LENGTH,
              pattern: AUDIENCE_OR_NONCE_TEXT,
            },
            expires_in: { type: 'string', enum: Object.keys(AIP_EXPIRES_IN) },
            deployer: { type: 'string', minLength: 1, maxLength: 200 },
            model_providers: {
              type: 'array',
              maxItems: 16,
              items: { type: 'string', minLength: 1, maxLength: 200 },
            },
            framework: { type: 'string', minLength: 1, maxLength: 200 },
            proof: { type: 'string', minLength: 1, maxLength: 128 },
            signedAt: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          },
          dependencies: { proof: ['signedAt'], signedAt: ['proof'] },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              token: { type: 'string' },
              token_type: { type: 'string' },
              jti: { type: 'string' },
              expires_in: { type: 'string' },
              exp: { type: 'integer' },
            },
          },
          400: errorBodySchema,
          401: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const b = req.body as {
        agent_name: string;
        token_type?: AipTokenType;
        audience?: string;
        nonce?: string;
        expires_in?: AipExpiresIn;
        deployer?: string;
        model_providers?: string[];
        framework?: string;
        proof?: string;
        signedAt?: number;
      };
      const issued = await issueToken(ctx, req.principal, {
        agentRef: b.agent_name,
        tokenType: b.token_type,
        audience: b.audience,
        nonce: b.nonce,
        expiresIn: b.expires_in,
        deployer: b.deployer,
        modelProviders: b.model_providers,
        framework: b.framework,
        proof: b.proof !== undefined ? { signature: b.proof, signedAt: b.signedAt! } : undefined,
        requestId: req.id,
        holdCredential: (trx) => holdRequestCredential(ctx, trx, req),
      });
      void reply.header('cache-control', 'no-store');
      return reply.code(201).send(issued);
    },
  );

  app.post(
    '/api/registry/verify',
    {
      config: {
        // The admin, or an integrator whose slug is the token's audience, consumes session nonces (issue 6 brings
        // the integrator authenticator; until then that optional caller is skipped).
        policy: {
          caller: 'public',
          optionalCaller: ['admin', 'integrator'],
          rateLimit: rateLimit(ctx, config.tokenRateLimits.verify),
        },
      },
      schema: {
        summary:
          'Verify a token: 200 {valid: true, claims} or 401 {valid: false, error, code}. Passing audience requires a ' +
          'session token for it, passing token_type a token of that type; ' +
          "the token's audience (admin, or the integrator whose slug it is) consumes its nonce.",
        tags: ['tokens'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['token'],
          properties: {
            // Longer than any token the server issues; the SDK refuses tokens over its limit with JWT_TOO_LARGE.
            token: { type: 'string', maxLength: 65_536 },
            audience: { type: 'string', minLength: 1, maxLength: 256 },
            nonce: { type: 'string', minLength: 1, maxLength: 256 },
            // Without it either type passes: a service expecting identity tokens must be able to refuse a session
            // token that its audience forwarded (the SDK verifiers' tokenType).
            token_type: { type: 'string', enum: [...AIP_TOKEN_TYPES] },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { valid: { type: 'boolean' }, claims: { type: 'object', additionalProperties: true } },
          },
          // The verdict, or UNAUTHORIZED {error, code} for a wrong admin or integrator key.
          401: { anyOf: [verifyFailureSchema, errorBodySchema] },
        },
      },
    },
    async (req, reply) => {
      if (presentsWrongAudienceCredential(req)) {
        throw new ApiError(
          'UNAUTHORIZED',
          'The admin or integrator key is not valid: send a valid one to verify as the audience (which consumes the ' +
            "token's nonce), or none to check the token only.",
        );
      }
      const b = req.body as { token: string; audience?: string; nonce?: string; token_type?: AipTokenType };
      try {
        const { claims } = await verifyToken(ctx, b.token, {
          audience: b.audience,
          nonce: b.nonce,
          tokenType: b.token_type,
          principal: req.principal,
        });
        return { valid: true, claims };
      } catch (err) {
        if (!isTokenFailure(err)) throw err;
        return reply.code(401).send({ valid: false, error: err.message, code: err.code });
      }
    },
  );

  app.post(
    '/api/registry/revoke',
    {
      config: { policy: { caller: ['admin', 'owner'], rateLimit: rateLimit(ctx, config.tokenRateLimits.revoke) } },
      schema: {
        summary: "Revoke a token by jti or by the token itself (admin, or the agent's owner). Idempotent.",
        tags: ['tokens'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            jti: { type: 'string', minLength: 1, maxLength: MAX_JTI_LENGTH, pattern: IDENTIFIER_TEXT },
            token: { type: 'string', minLength: 1, maxLength: 65_536 },
            // Published in the revocation list: display text, as an agent's revocation reason.
            reason: { type: 'string', minLength: 1, maxLength: 500, pattern: DISPLAY_TEXT },
          },
          oneOf: [{ required: ['jti'] }, { required: ['token'] }],
        },
        response: {
          200: { type: 'object', properties: { revoked: { type: 'boolean' }, jti: { type: 'string' } } },
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (req) => {
      const b = req.body as { jti?: string; token?: string; reason?: string };
      const { jti } = await revokeToken(ctx, req.principal!, {
        ...b,
        requestId: req.id,
        holdCredential: (trx) => holdRequestCredential(ctx, trx, req),
      });
      return { revoked: true, jti };
    },
  );

  app.get(
    '/api/registry/revocations',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary:
          'The revocation list after `since` (a cursor from an earlier answer, or an ISO-8601 time), in commit order. ' +
          'Send the ETag back in If-None-Match: 304 while nothing changed.',
        tags: ['tokens'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500 },
          },
        },
        response: {
          304: notModified,
          200: {
            type: 'object',
            properties: {
              revoked: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    jti: { type: 'string' },
                    revoked_at: { type: 'string' },
                    exp: { type: 'integer' },
                    reason: { type: ['string', 'null'] },
                  },
                },
              },
              count: { type: 'integer' },
              cursor: { type: 'string' },
              has_more: { type: 'boolean' },
            },
          },
          400: errorBodySchema,
        },
      },
    },
    async (req: FastifyRequest, reply: FastifyReply) => {
      const q = req.query as { since?: string; limit: number };
      return withEtag(req, reply, (await listRevocations(ctx, q)).body);
    },
  );

  registerKeyAdminRoutes(app, ctx);

  const pruner = setInterval(() => {
    pruneTokenState(ctx).catch((err: unknown) =>
      app.log.warn({ err: { message: (err as Error).message } }, 'token housekeeping failed'),
    );
  }, PRUNE_EVERY_MS);
  pruner.unref();
  app.addHook('onClose', async () => clearInterval(pruner));
}

/** Agent identity tokens (AIP, seed 004). */
export const tokensModule: VouchModule = { name: 'tokens', routes: registerTokenRoutes };
