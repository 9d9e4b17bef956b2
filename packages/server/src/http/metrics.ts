import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';

/** Prometheus metrics of one app instance (its own registry, so several apps in one process do not collide). */
export interface Metrics {
  registry: Registry;
}

type CountedLabels = { method: string; route: string; status: string };
type TimedLabels = { method: string; route: string };

/** Counts and times every request by method, route pattern (never the raw URL) and status. */
export function installMetrics(app: FastifyInstance): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vouch_' });
  const requests = new Counter({
    name: 'vouch_http_requests_total',
    help: 'HTTP requests handled, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vouch_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Label objects per (method, route, status), made once: the hook runs on every response.
  const labels = new Map<string, { counted: CountedLabels; timed: TimedLabels }>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${req.method} ${reply.statusCode} ${route}`;
    let l = labels.get(key);
    if (l === undefined) {
      l = {
        counted: { method: req.method, route, status: String(reply.statusCode) },
        timed: { method: req.method, route },
      };
      // Routes are patterns (finitely many); the bound only guards against an unforeseen label source.
      if (labels.size < 10_000) labels.set(key, l);
    }
    requests.inc(l.counted);
    duration.observe(l.timed, reply.elapsedTime / 1000);
    done();
  });
  return { registry };
}
