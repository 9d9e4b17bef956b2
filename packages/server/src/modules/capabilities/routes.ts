// The SINT gateway paths (seed 001): issue, intercept (one or a batch), revoke and delegate capability tokens.
import type { FastifyInstance } from 'fastify';
import { CAPABILITY_TIER_MAX_SECONDS, MAX_TOKEN_LENGTH } from '@vouch/sdk';
import type { CapabilityDecision, CapabilityTier } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import type { VouchModule } from '../../module.ts';
import { errorBodySchema } from '../../errors.ts';
import { DISPLAY_TEXT, IDENTIFIER_TEXT } from '../../http/text-patterns.ts';
import {
  delegateCapability,
  interceptBatch,
  interceptCapability,
  issueCapability,
  pruneCapabilityState,
  revokeCapability,
  type IssueCapabilityInput,
} from './service.ts';
import { capabilitySignatureCacheOf } from './signature-cache.ts';

/** Most requests in one `POST /v1/intercept/batch`. */
export const MAX_BATCH = 50;
const PRUNE_EVERY_MS = 60_000;

// Resource patterns `seg(:seg)*` with `*` only as the whole last segment, and actions (one segment or `*`): the
// same grammar as the SDK's isResourcePattern / isAction, so a malformed one is a 400 naming the field.
const SEG = '[A-Za-z0-9_.~-]{1,64}';
const RESOURCE = { type: 'string', maxLength: 512, pattern: `^(?:${SEG}:){0,15}(?:${SEG}|\\*)$` } as const;
const ACTION = { type: 'string', pattern: `^(?:${SEG}|\\*)$` } as const;
const AGENT_ID = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
const TOKEN = { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH } as const;
const PROOF = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const TIERS = Object.keys(CAPABILITY_TIER_MAX_SECONDS);

const issuedSchema = {
  type: 'object',
  required: ['tokenId', 'token', 'expiresAt'],
  properties: { tokenId: { type: 'string' }, token: { type: 'string' }, expiresAt: { type: 'string' } },
} as const;

const decisionSchema = {
  type: 'object',
  required: ['decision'],
  properties: {
    decision: { type: 'string', enum: ['allow', 'deny'] },
    code: { type: 'string' },
    reason: { type: 'string' },
  },
} as const;

const interceptRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'agentId', 'resource', 'action'],
  properties: { token: TOKEN, agentId: AGENT_ID, resource: RESOURCE, action: ACTION },
} as const;

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 503: errorBodySchema };
/** Issuing and delegating also spend a proof of possession: 409 `PROOF_REPLAYED` for one used before. */
const issueErrors = { ...errors, 409: errorBodySchema };

/** What the HTTP answer says of a decision: never the claims. */
function answer(d: CapabilityDecision): { decision: 'allow' | 'deny'; code?: string; reason?: string } {
  return d.decision === 'allow' ? { decision: 'allow' } : { decision: 'deny', code: d.code, reason: d.reason };
}

function registerCapabilityRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { config } = ctx;
  const limit = (max: number) => ({ max, windowMs: config.rateLimitWindowMs });
  // The capability key is made at start (SERVER_KEY_PURPOSES in start.ts) or, in an app built without start, on
  // first use; not here, so that building an app writes nothing.
  // Made now, so that its metrics are on /metrics from the start.
  capabilitySignatureCacheOf(ctx);

  app.post(
    '/v1/tokens',
    {
      config: {
        // Authorization is the issuer's credential in the body, or the admin key: public to the router, which
        // authenticates the admin when presented; the handler decides.
        policy: { caller: 'public', optionalCaller: ['admin'], rateLimit: limit(config.tokenRateLimits.issue) },
      },
      schema: {
        summary:
          'Issue a capability token: one agent, one action on one resource. With issuerBinding, the agent credential ' +
          'is checked against the issuer key in the trust registry held now; without, the admin key is required.',
        tags: ['capabilities'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['agentId', 'resource', 'action', 'tier', 'expiresIn'],
          properties: {
            agentId: AGENT_ID,
            resource: RESOURCE,
            action: ACTION,
            issuerBinding: {
              type: 'object',
              additionalProperties: false,
              required: ['issuerId', 'agentCredential'],
              properties: {
                issuerId: { type: 'string', minLength: 1, maxLength: 64 },
                agentCredential: TOKEN,
              },
            },
            tier: { type: 'string', enum: TIERS },
            expiresIn: { type: 'integer', minimum: 1, maximum: 86_400 },
            proof: PROOF,
          },
        },
        response: { 201: issuedSchema, ...issueErrors },
      },
    },
    async (req, reply) => {
      const body = req.body as Omit<IssueCapabilityInput, 'tier'> & { tier: CapabilityTier };
      const issued = await issueCapability(ctx, req.principal, { ...body, requestId: req.id });
      return reply.code(201).send(issued);
    },
  );

  app.post(
    '/v1/intercept',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary:
          'Decide whether a capability token lets an agent perform an action on a resource now: 200 with ' +
          '{decision: "allow"} or {decision: "deny", code, reason}.',
        tags: ['capabilities'],
        body: interceptRequest,
        response: { 200: decisionSchema, 400: errorBodySchema },
      },
    },
    async (req) => answer(await interceptCapability(ctx, req.body as Parameters<typeof interceptCapability>[1])),
  );

  app.post(
    '/v1/intercept/batch',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: `Up to ${MAX_BATCH} intercept decisions, one result per request, in order.`,
        tags: ['capabilities'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['requests'],
          properties: { requests: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: interceptRequest } },
        },
        response: {
          200: { type: 'object', properties: { results: { type: 'array', items: decisionSchema } } },
          400: errorBodySchema,
        },
      },
    },
    async (req) => {
      const { requests } = req.body as { requests: Parameters<typeof interceptBatch>[1] };
      return { results: (await interceptBatch(ctx, requests)).map(answer) };
    },
  );

  app.post(
    '/v1/tokens/revoke',
    {
      config: {
        policy: { caller: 'public', optionalCaller: ['admin'], rateLimit: limit(config.tokenRateLimits.revoke) },
      },
      schema: {
        summary:
          'Revoke a capability token and every token delegated from it: the admin key, or proof = a JWS {jti, iat} ' +
          'signed by the registry key of the issuer the token is bound to.',
        tags: ['capabilities'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['tokenId'],
          properties: {
            tokenId: { type: 'string', minLength: 1, maxLength: 64, pattern: IDENTIFIER_TEXT },
            reason: { type: 'string', minLength: 1, maxLength: 500, pattern: DISPLAY_TEXT },
            proof: PROOF,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              tokenId: { type: 'string' },
              revoked: { type: 'boolean' },
              alreadyRevoked: { type: 'boolean' },
            },
          },
          ...errors,
          404: errorBodySchema,
        },
      },
    },
    async (req) => {
      const body = req.body as { tokenId: string; reason?: string; proof?: string };
      return revokeCapability(ctx, req.principal, { ...body, requestId: req.id });
    },
  );

  app.post(
    '/v1/tokens/delegate',
    {
      config: { policy: { caller: 'public', rateLimit: limit(config.tokenRateLimits.issue) } },
      schema: {
        summary:
          'Delegate a narrower child token: a resource the parent covers, the same or a narrower action, never a ' +
          'later expiry, at most VOUCH_DELEGATION_MAX_DEPTH steps from the root.',
        tags: ['capabilities'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['token'],
          properties: {
            token: TOKEN,
            resource: RESOURCE,
            action: ACTION,
            expiresIn: { type: 'integer', minimum: 1, maximum: 86_400 },
            proof: PROOF,
          },
        },
        response: { 201: issuedSchema, ...issueErrors, 404: errorBodySchema },
      },
    },
    async (req, reply) => {
      const body = req.body as Parameters<typeof delegateCapability>[1];
      return reply.code(201).send(await delegateCapability(ctx, { ...body, requestId: req.id }));
    },
  );

  const pruner = setInterval(() => {
    pruneCapabilityState(ctx).catch((err: unknown) =>
      app.log.warn({ err: { message: (err as Error).message } }, 'capability prune failed'),
    );
  }, PRUNE_EVERY_MS);
  pruner.unref();
  app.addHook('onClose', async () => clearInterval(pruner));
}

export const capabilitiesModule: VouchModule = { name: 'capabilities', routes: registerCapabilityRoutes };
