// identity.app's ingestion (`/ingest` on its ingestion host, `/api/v1/ingest` here too), the resolve route and
// the admin rebuild.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { ApiError, errorBodySchema } from '../../errors.ts';
import { publicAgentCardProperties, publicOwnerCardSchema } from '../agents/public-card.ts';
import { authenticatedKeyHash } from '../integrators/auth.ts';
import { adminActorOf } from '../../http/admin-auth.ts';
import type { Principal } from '../../http/policy.ts';
import { MAX_BATCH } from './event.ts';
import { ingestEvents } from './ingest.ts';
import { rebuildReputation } from './rebuild.ts';
import { resolveForIntegrator } from './resolve.ts';

const laneScoresSchema = {
  type: 'object',
  properties: { origin: { type: 'number' }, presence: { type: 'number' }, conduct: { type: 'number' } },
} as const;

const scoreSchema = {
  type: 'object',
  properties: { score: { type: 'number' }, laneScores: laneScoresSchema, updatedAt: { type: 'integer' } },
} as const;

const resolveSchema = {
  type: 'object',
  properties: {
    integrator: {
      type: 'object',
      properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' } },
    },
    subject: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        id: { type: 'string' },
        identifier: { type: 'string' },
        profile: {
          type: 'object',
          properties: {
            ...publicAgentCardProperties,
            description: { type: ['string', 'null'] },
            verifiedDomain: { type: ['string', 'null'] },
            owner: publicOwnerCardSchema,
            publicUrl: { type: 'string' },
          },
        },
      },
    },
    score: scoreSchema,
    integratorScore: {
      type: 'object',
      properties: {
        score: { type: 'number' },
        laneScores: laneScoresSchema,
        environmentCount: { type: 'integer' },
        updatedAt: { type: 'integer' },
      },
    },
    metricBreakdown: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          environmentId: { type: 'string' },
          metricKey: { type: 'string' },
          totalEvents: { type: 'integer' },
          weightedContribution: { type: 'number' },
          lastEventAt: { type: 'integer' },
        },
      },
    },
    contextKey: { type: 'string' },
    consent: { type: 'string', enum: ['allowed', 'revoked', 'none'] },
  },
} as const;

const ingestAnswerSchema = {
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    count: { type: 'integer' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          externalEventId: { type: ['string', 'null'] },
          inserted: { type: 'boolean' },
          error: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
} as const;

export function registerReputationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const ingest = {
    config: {
      policy: {
        caller: 'integrator' as const,
        rateLimit: { max: ctx.config.reputation.ingestRateMax, windowMs: ctx.config.rateLimitWindowMs },
      },
    },
    bodyLimit: ctx.config.reputation.ingestBodyLimit,
    schema: {
      summary: 'Ingest one event or an array of up to 1,000 (integrator API key); one result per event.',
      tags: ['reputation'],
      // Events are checked one by one in the handler, so one bad event never rejects its neighbours.
      body: { type: ['object', 'array'] },
      response: { 200: ingestAnswerSchema, 400: errorBodySchema, 401: errorBodySchema, 413: errorBodySchema },
    },
  };
  const handler = async (req: { body: unknown; principal: Principal | null }) => {
    const events = Array.isArray(req.body) ? req.body : [req.body];
    if (events.length === 0) {
      throw new ApiError('VALIDATION_FAILED', 'body must hold at least one event.', { field: 'body' });
    }
    if (events.length > MAX_BATCH) {
      throw new ApiError('VALIDATION_FAILED', `body may hold at most ${MAX_BATCH} events; split the batch.`, {
        field: 'body',
      });
    }
    return ingestEvents(ctx, req.principal!.id, events, authenticatedKeyHash(req.principal!));
  };
  app.post('/ingest', ingest, handler);
  app.post('/api/v1/ingest', ingest, handler);

  app.get<{ Params: { id: string } }>(
    '/api/v1/agents/:id',
    {
      config: { policy: { caller: 'public', optionalCaller: ['integrator'], rateLimit: 'default' } },
      schema: {
        summary:
          "Resolve an agent: public profile and global score; with an integrator key the agent allowed, also the integrator's score and breakdown.",
        tags: ['reputation'],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 200: resolveSchema, 404: errorBodySchema },
      },
    },
    async (req) => resolveForIntegrator(ctx, req.params.id, req.principal),
  );

  app.post<{ Body: { dryRun?: boolean } | undefined }>(
    '/api/v1/admin/reputation/rebuild',
    {
      config: { policy: { caller: 'admin', rateLimit: { max: 10, windowMs: ctx.config.rateLimitWindowMs } } },
      schema: {
        summary:
          'Recompute every reputation score from the stored events and penalties, and report whether they agreed.',
        tags: ['reputation'],
        // Optional: no body is a rebuild that writes.
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { dryRun: { type: 'boolean' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              events: { type: 'integer' },
              penalties: { type: 'integer' },
              agents: { type: 'integer' },
              consistent: { type: 'boolean' },
              written: { type: 'boolean' },
            },
          },
        },
      },
    },
    async (req) =>
      rebuildReputation(ctx, {
        dryRun: req.body?.dryRun ?? false,
        actor: adminActorOf(req.principal!),
        requestId: req.id,
      }),
  );
}
