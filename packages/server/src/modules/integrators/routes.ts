// identity.app's integrator routes (seed 002): admin management of integrators and their metrics, agents'
// consent, and the public disclosure.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { errorBodySchema } from '../../errors.ts';
import { adminActorOf } from '../../http/admin-auth.ts';
import { DISPLAY_TEXT } from '../../http/text-patterns.ts';
import { LANES, POLARITIES } from '../reputation/formula.ts';
import {
  createIntegrator,
  getDisclosure,
  INTEGRATOR_SLUG_PATTERN,
  listIntegrators,
  rotateIntegratorKey,
  setConsent,
  setIntegratorMetrics,
} from './service.ts';
import type { ConsentInput, MetricInput } from './service.ts';

/** A metric key: letters, digits, `_`, `.`, `:` and `-`, up to 100 characters. */
export const METRIC_KEY_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}$';
const MAX_METRICS = 200;

const metricSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['metricKey', 'polarity', 'weight', 'lane'],
  properties: {
    metricKey: { type: 'string', pattern: METRIC_KEY_PATTERN },
    polarity: { type: 'string', enum: [...POLARITIES] },
    weight: { type: 'number', minimum: 0, maximum: 100 },
    lane: { type: 'string', enum: [...LANES] },
    maxPerDay: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;

const metricsSchema = { type: 'array', maxItems: MAX_METRICS, items: metricSchema } as const;

const metricOutSchema = {
  type: 'object',
  properties: {
    metricKey: { type: 'string' },
    polarity: { type: 'string' },
    weight: { type: 'number' },
    lane: { type: 'string' },
    maxPerDay: { type: 'integer' },
  },
} as const;

const slugParams = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', pattern: INTEGRATOR_SLUG_PATTERN } },
} as const;

/** A new API key, shown once: `{slug, apiKey}`. */
const keySchema = {
  type: 'object',
  required: ['slug', 'apiKey'],
  properties: { slug: { type: 'string' }, apiKey: { type: 'string' } },
} as const;

/** A new integrator: its key, and the environment version its metrics start at. */
const createdSchema = {
  ...keySchema,
  required: [...keySchema.required, 'environmentVersion'],
  properties: { ...keySchema.properties, environmentVersion: { type: 'integer' } },
} as const;

const disclosedMetric = {
  type: 'object',
  properties: {
    metricKey: { type: 'string' },
    lane: { type: 'string' },
    weight: { type: 'number' },
    maxPerDay: { type: 'integer' },
  },
} as const;

export function registerIntegratorRoutes(app: FastifyInstance, ctx: AppContext): void {
  const adminLimit = { max: 60, windowMs: ctx.config.rateLimitWindowMs };

  app.post<{ Body: { slug: string; name: string; domain: string; metrics: MetricInput[] } }>(
    '/api/v1/admin/integrators',
    {
      config: { policy: { caller: 'admin', rateLimit: adminLimit } },
      schema: {
        summary: 'Create an integrator with its metrics (environment version 1); the API key is shown only here.',
        tags: ['integrators'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['slug', 'name', 'domain', 'metrics'],
          properties: {
            slug: { type: 'string', pattern: INTEGRATOR_SLUG_PATTERN },
            name: { type: 'string', minLength: 1, maxLength: 200, pattern: DISPLAY_TEXT },
            domain: {
              type: 'string',
              maxLength: 253,
              pattern:
                '^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$',
            },
            metrics: metricsSchema,
          },
        },
        response: { 201: createdSchema, 400: errorBodySchema, 409: errorBodySchema },
      },
    },
    async (req, reply) => {
      const created = await createIntegrator(ctx, req.body, { actor: adminActorOf(req.principal!), requestId: req.id });
      return reply.code(201).send({ slug: created.integrator.slug, apiKey: created.apiKey, environmentVersion: 1 });
    },
  );

  app.post<{ Params: { slug: string } }>(
    '/api/v1/admin/integrators/:slug/rotate-key',
    {
      config: { policy: { caller: 'admin', rateLimit: adminLimit } },
      schema: {
        summary: "Replace an integrator's API key; the old key stops working at once.",
        tags: ['integrators'],
        params: slugParams,
        // CONFLICT: another rotation of the same key committed meanwhile (its answer holds the current key).
        response: { 200: keySchema, 404: errorBodySchema, 409: errorBodySchema },
      },
    },
    async (req) =>
      rotateIntegratorKey(ctx, req.params.slug, { actor: adminActorOf(req.principal!), requestId: req.id }),
  );

  app.put<{ Params: { slug: string }; Body: { metrics: MetricInput[] } }>(
    '/api/v1/admin/integrators/:slug/metrics',
    {
      config: { policy: { caller: 'admin', rateLimit: adminLimit } },
      schema: {
        summary: "Replace an integrator's metrics: a change publishes a new environment version.",
        tags: ['integrators'],
        params: slugParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['metrics'],
          properties: { metrics: metricsSchema },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              slug: { type: 'string' },
              environmentVersion: { type: 'integer' },
              changed: { type: 'boolean' },
              metrics: { type: 'array', items: metricOutSchema },
            },
          },
          404: errorBodySchema,
          // CONFLICT: another change of the same integrator's metrics committed meanwhile.
          409: errorBodySchema,
        },
      },
    },
    async (req) => {
      const r = await setIntegratorMetrics(ctx, req.params.slug, req.body.metrics, {
        actor: adminActorOf(req.principal!),
        requestId: req.id,
      });
      return { slug: r.slug, environmentVersion: r.version, changed: r.changed, metrics: r.metrics };
    },
  );

  app.get(
    '/api/v1/admin/integrators',
    {
      config: { policy: { caller: 'admin', rateLimit: adminLimit } },
      schema: {
        summary: 'List integrators with their current environment version and metrics (never their keys).',
        tags: ['integrators'],
        response: {
          200: {
            type: 'object',
            properties: {
              integrators: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    slug: { type: 'string' },
                    name: { type: 'string' },
                    domain: { type: 'string' },
                    environmentVersion: { type: 'integer' },
                    metrics: { type: 'array', items: metricOutSchema },
                    createdAt: { type: 'integer' },
                    updatedAt: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      integrators: (await listIntegrators(ctx)).map((i) => ({
        id: i.id,
        slug: i.slug,
        name: i.name,
        domain: i.domain,
        environmentVersion: i.currentVersion,
        metrics: i.metrics,
        createdAt: i.createdAt,
        updatedAt: i.updatedAt,
      })),
    }),
  );

  app.post<{ Body: ConsentInput }>(
    '/api/v1/integrators/consent',
    {
      // The agent's signature (recorded through /api/v1/signatures/sign) is the authorization.
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: "Allow or revoke an integrator's access to an agent, by reference to a signed consent payload.",
        tags: ['integrators'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['integratorSlug', 'did', 'action', 'signatureHash', 'signedAt'],
          properties: {
            integratorSlug: { type: 'string', pattern: INTEGRATOR_SLUG_PATTERN },
            did: { type: 'string', pattern: '^did:identity:[a-z2-7]{26}$' },
            action: { type: 'string', enum: ['allow', 'revoke'] },
            signatureHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            signedAt: { type: 'integer', minimum: 0, maximum: 8_640_000_000_000_000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              did: { type: 'string' },
              integratorSlug: { type: 'string' },
              status: { type: 'string', enum: ['allowed', 'revoked'] },
              signedAt: { type: 'integer' },
            },
          },
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (req) => setConsent(ctx, req.body),
  );

  app.get<{ Params: { slug: string } }>(
    '/api/v1/integrators/:slug/disclosure',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary:
          "An integrator's public disclosure: which of its metrics boost, hurt or leave global reputation alone.",
        tags: ['integrators'],
        params: slugParams,
        response: {
          200: {
            type: 'object',
            properties: {
              integrator: {
                type: 'object',
                properties: { slug: { type: 'string' }, name: { type: 'string' }, domain: { type: 'string' } },
              },
              environmentVersion: { type: 'integer' },
              boostingReputationMetrics: { type: 'array', items: disclosedMetric },
              hurtingReputationMetrics: { type: 'array', items: disclosedMetric },
              neutralReputationMetrics: { type: 'array', items: disclosedMetric },
            },
          },
          404: errorBodySchema,
        },
      },
    },
    async (req) => getDisclosure(ctx, req.params.slug),
  );
}
