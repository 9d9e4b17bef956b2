import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { ApiError, errorBodySchema } from '../../errors.ts';
import type { VouchModule } from '../../module.ts';
import type { RateLimit } from '../../http/policy.ts';

/**
 * The limit of `/healthz`, `/readyz` and `/metrics`, per process and client address (an admin who presented the right
 * key on `/metrics`: per process, in its admin bucket): their own, never the server's default (`VOUCH_RATE_LIMIT_MAX`),
 * which an operator may set below a load balancer's probe rate (a 429 probe takes a healthy instance out of service)
 * or Prometheus' scrape rate (a 429 scrape leaves a gap and may page someone). 100 per 5 s (20 a second) is far above
 * any probe or scrape rate, and still refuses a flood of `/readyz`, each of which asks the database.
 */
export const HEALTH_PROBE_RATE_LIMIT: RateLimit = { max: 100, windowMs: 5_000 };

const statusSchema = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;

/** An error's code and first line. */
function lineOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(err);
  return `${code}${message}`;
}

/**
 * A database error's code and first line, and its cause's (storage.ping wraps the driver's error, which says why, in
 * DATABASE_UNAVAILABLE), capped: enough for an operator, never a stack or a whole payload.
 */
function reasonOf(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const reason = cause === undefined ? lineOf(err) : `${lineOf(err)} (${lineOf(cause)})`;
  return reason.slice(0, 300);
}

/**
 * Liveness, readiness (the database answers) and Prometheus metrics. Their limits are counted per process: a load
 * balancer (or Prometheus) calls every instance from the same addresses, and shared counts would refuse it as
 * instances grow. They have a limit of their own (HEALTH_PROBE_RATE_LIMIT), whatever the default one is.
 */
function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  // What the last readiness probe found, so that only a change is logged.
  let ready = true;
  app.get(
    '/healthz',
    {
      config: { policy: { caller: 'public', rateLimit: HEALTH_PROBE_RATE_LIMIT, rateLimitPerProcess: true } },
      schema: { summary: 'Liveness: the process serves requests.', tags: ['health'], response: { 200: statusSchema } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { policy: { caller: 'public', rateLimit: HEALTH_PROBE_RATE_LIMIT, rateLimitPerProcess: true } },
      schema: {
        summary: 'Readiness: the database answers.',
        tags: ['health'],
        response: { 200: statusSchema, 503: errorBodySchema },
      },
    },
    async (req) => {
      try {
        await ctx.storage.ping();
      } catch (err) {
        // The answer names no cause (it is public); the log does, once per outage, not once per probe.
        if (ready) req.log.warn({ reason: reasonOf(err) }, 'not ready: the database does not answer');
        ready = false;
        throw new ApiError('NOT_READY', 'The database does not answer.');
      }
      if (!ready) req.log.info('ready again: the database answers');
      ready = true;
      return { status: 'ready' };
    },
  );

  app.get(
    '/metrics',
    {
      config: {
        policy: {
          caller: ctx.config.metricsPublic ? 'public' : 'admin',
          rateLimit: HEALTH_PROBE_RATE_LIMIT,
          rateLimitPerProcess: true,
        },
      },
      schema: { summary: 'Prometheus metrics.', tags: ['health'] },
    },
    async (_req, reply) => {
      void reply.type(ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}

export const healthModule: VouchModule = { name: 'health', routes: registerHealthRoutes };
