import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import { ApiError, errorBodySchema } from '../../../errors.ts';
import type { Caller } from '../../../http/policy.ts';
import type { AgentDomainPort, AgentRef } from '../domain-port.ts';
import { createDomainChallenge, MAX_LIVE_CHALLENGES } from './challenge.ts';
import { createDomainChecker } from './check.ts';
import type { DomainCheckOptions } from './check.ts';
import { MAX_DOMAIN_INPUT_LENGTH, normalizeDomain } from './domain-name.ts';
import { verifyDomain } from './verify.ts';

const CALLERS: readonly Caller[] = ['management-token', 'owner', 'admin'];

const params = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', minLength: 1, maxLength: 200, description: 'Slug, DID or internal id.' } },
} as const;

const domainField = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_DOMAIN_INPUT_LENGTH,
  example: 'agent.example.com',
} as const;

const failureSchema = {
  type: 'object',
  required: ['code', 'error'],
  properties: { code: { type: 'string' }, error: { type: 'string' } },
} as const;

const challengeSchema = {
  type: 'object',
  required: ['agent_slug', 'did', 'domain', 'challenge_token', 'verification_methods', 'expires_at'],
  properties: {
    agent_slug: { type: ['string', 'null'] },
    did: { type: 'string' },
    domain: { type: 'string' },
    challenge_token: { type: 'string' },
    verification_methods: {
      type: 'array',
      items: {
        type: 'object',
        required: ['method', 'instruction'],
        properties: {
          method: { type: 'string', enum: ['dns_txt', 'meta_tag', 'file'] },
          instruction: { type: 'string' },
          name: { type: 'string' },
          value: { type: 'string' },
          url: { type: 'string' },
          tag: { type: 'string' },
          content: { type: 'string' },
        },
      },
    },
    expires_at: { type: 'string', format: 'date-time' },
  },
} as const;

const verifySchema = {
  type: 'object',
  required: ['verified', 'domain'],
  properties: {
    verified: { type: 'boolean' },
    domain: { type: 'string' },
    method: { type: 'string', enum: ['dns_txt', 'meta_tag', 'file'] },
    verified_at: { type: 'string', format: 'date-time' },
    errors: {
      type: 'object',
      properties: { dns_txt: failureSchema, meta_tag: failureSchema, file: failureSchema },
    },
  },
} as const;

/**
 * Domain verification routes (seed 003): `GET /v1/identity/{slug}/domain-challenge?domain=` and
 * `POST /v1/identity/{slug}/verify-domain`, for the agent's management token, its owner or the admin. The agents
 * module registers them with its port; `options` are test seams (DNS client, connector, CA, deadline).
 *
 * @example
 * registerDomainRoutes(app, ctx, createAgentDomainPort(ctx));
 */
export function registerDomainRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  port: AgentDomainPort,
  options: DomainCheckOptions = {},
): void {
  const checker = createDomainChecker(ctx.config, options);

  /** The agent in the path, once the caller is known to manage it. */
  const managedAgent = async (req: FastifyRequest): Promise<AgentRef> => {
    const agent = await port.resolve((req.params as { slug: string }).slug);
    await port.assertCanManage(req.principal, agent);
    return agent;
  };

  app.get(
    '/v1/identity/:slug/domain-challenge',
    {
      config: { policy: { caller: CALLERS, rateLimit: { max: 60, windowMs: 60_000 } } },
      schema: {
        summary:
          "Get a challenge token proving the agent's control of a domain (valid 24 h), and the three ways to publish it; " +
          `an agent holds at most ${MAX_LIVE_CHALLENGES} unexpired challenges (429 DOMAIN_CHALLENGE_LIMIT); a new domain ` +
          'of an agent that holds as many domain proofs as it may is 409 DOMAIN_PROOF_LIMIT.',
        tags: ['agents'],
        params,
        querystring: { type: 'object', required: ['domain'], properties: { domain: domainField } },
        // 400 DOMAIN_INVALID and 404 (the agent) are declared for every route with input and a path parameter;
        // 429 DOMAIN_CHALLENGE_LIMIT (MAX_LIVE_CHALLENGES unexpired) as every rate limit's 429.
        response: { 200: challengeSchema, 403: errorBodySchema, 409: errorBodySchema },
      },
    },
    async (req) => {
      const agent = await managedAgent(req);
      const domain = normalizeDomain((req.query as { domain: string }).domain, 'querystring.domain');
      // verify-domain would refuse a new domain at the limit whatever its challenge: no token to publish for nothing.
      // A read before the transaction (the port reads outside it); verify-domain counts again when recording.
      await port.assertRoomForDomainProof(agent.id, domain);
      return ctx.storage.db.transaction().execute(async (trx) => {
        // The agent as locked: the answer names the slug it holds as the challenge is stored, not the one read before.
        const held = await port.holdCaller(trx, req, agent);
        return createDomainChallenge(ctx, held, domain, trx);
      });
    },
  );

  app.post(
    '/v1/identity/:slug/verify-domain',
    {
      config: { policy: { caller: CALLERS, rateLimit: { max: 10, windowMs: 60_000 } } },
      schema: {
        summary:
          'Check the published challenge token by DNS TXT, meta tag and well-known file (SSRF-safe, 5 s each) and record the domain proof.',
        tags: ['agents'],
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['domain'],
          properties: {
            domain: domainField,
            agent_slug: { type: 'string', minLength: 1, maxLength: 200, description: "Optional; the seed's body." },
          },
        },
        // 404 DOMAIN_CHALLENGE_NOT_FOUND (no challenge for the domain), 409 DOMAIN_CHALLENGE_EXPIRED and
        // DOMAIN_PROOF_LIMIT (a new domain of an agent that holds MAX_DOMAIN_PROOFS proofs).
        response: { 200: verifySchema, 403: errorBodySchema, 409: errorBodySchema },
      },
    },
    async (req) => {
      const body = req.body as { domain: string; agent_slug?: string };
      const agent = await managedAgent(req);
      if (body.agent_slug !== undefined && ![agent.slug, agent.id, agent.did].includes(body.agent_slug)) {
        throw new ApiError('VALIDATION_FAILED', 'body.agent_slug names a different agent than the path.', {
          field: 'body.agent_slug',
        });
      }
      return verifyDomain(
        ctx,
        port,
        checker,
        agent,
        // Here, so that a refusal names the field (verifyDomain's own normalization keeps the canonical name as is).
        normalizeDomain(body.domain, 'body.domain'),
        (err) => req.log.warn({ err: { message: (err as Error).message } }, 'domain check failed unexpectedly'),
        async (trx) => {
          await port.holdCaller(trx, req, agent);
        },
        { principal: req.principal!, requestId: req.id },
      );
    },
  );
}
