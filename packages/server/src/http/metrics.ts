import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Metric } from 'prom-client';
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler, RouteOptions } from 'fastify';
import { addRouteHook } from './route-hooks.ts';

/** Prometheus metrics of one app instance (its own registry, so several apps in one process do not collide). */
export interface Metrics {
  registry: Registry;
  /** Counts a request that no route matched (the not-found handler calls it: it runs no route hooks). */
  countUnmatched(req: FastifyRequest, reply: FastifyReply): void;
}

const REQUESTS = 'vouch_http_requests_total';
const REQUESTS_HELP = 'HTTP requests handled, by method, route and status.';
const DURATION = 'vouch_http_request_duration_seconds';
const DURATION_HELP = 'HTTP request duration in seconds, by method and route.';
/** One line of a metric as the registry formats it (prom-client's types call `type` an enum; it is the text). */
export interface SeriesValue {
  metricName?: string;
  value: number;
  labels: Record<string, string | number>;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** One (method, route pattern) pair: its requests by status and its duration histogram. */
class RouteSeries {
  readonly byStatus = new Map<number, number>();
  /** Observations per bucket (not cumulative); slower than the last bound count only in `count`. */
  readonly buckets = new Float64Array(BUCKETS.length);
  sum = 0;
  count = 0;

  constructor(
    readonly method: string,
    readonly route: string,
  ) {}

  record(status: number, seconds: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]!) {
        this.buckets[i]!++;
        break;
      }
    }
  }

  reset(): void {
    this.byStatus.clear();
    this.buckets.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/**
 * A metric the registry formats like prom-client's own (it calls `get()` on scrape), whose values `read` gives at
 * that moment: the request series below keep plain numbers per route (recording a request is a few additions, not
 * a label hash per observation), and other parts of the app expose counters they already keep.
 */
export function readMetric(
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  read: () => SeriesValue[],
  reset: () => void = () => undefined,
): Metric {
  const object = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: read() }),
    reset,
  };
  return object as unknown as Metric;
}

function seriesMetric(
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  all: ReadonlyMap<string, RouteSeries>,
  values: (s: RouteSeries) => SeriesValue[],
): Metric {
  return readMetric(
    name,
    help,
    type,
    () => [...all.values()].flatMap(values),
    () => {
      for (const s of all.values()) s.reset();
    },
  );
}

function requestValues(s: RouteSeries): SeriesValue[] {
  return [...s.byStatus].map(([status, value]) => ({
    value,
    labels: { method: s.method, route: s.route, status: String(status) },
  }));
}

function durationValues(s: RouteSeries): SeriesValue[] {
  if (s.count === 0) return [];
  const labels = { method: s.method, route: s.route };
  const out: SeriesValue[] = [];
  let cumulative = 0;
  for (let i = 0; i < BUCKETS.length; i++) {
    cumulative += s.buckets[i]!;
    out.push({ metricName: `${DURATION}_bucket`, value: cumulative, labels: { le: BUCKETS[i]!, ...labels } });
  }
  out.push({ metricName: `${DURATION}_bucket`, value: s.count, labels: { le: '+Inf', ...labels } });
  out.push({ metricName: `${DURATION}_sum`, value: s.sum, labels });
  out.push({ metricName: `${DURATION}_count`, value: s.count, labels });
  return out;
}

/**
 * Counts and times every request by method, route pattern (never the raw URL) and status. Each route gets its own
 * onResponse hook holding its series, so a request never looks its route up; unmatched requests are counted by
 * the not-found handler under the route `unmatched`.
 */
export function installMetrics(app: FastifyInstance): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vouch_' });
  const seriesByKey = new Map<string, RouteSeries>();
  const seriesOf = (method: string, route: string): RouteSeries => {
    const key = `${method} ${route}`;
    let s = seriesByKey.get(key);
    if (s === undefined) {
      s = new RouteSeries(method, route);
      // Methods and route patterns are finitely many; the bound only guards against an unforeseen source.
      if (seriesByKey.size >= 10_000) return s;
      seriesByKey.set(key, s);
    }
    return s;
  };
  registry.registerMetric(seriesMetric(REQUESTS, REQUESTS_HELP, 'counter', seriesByKey, requestValues));
  registry.registerMetric(seriesMetric(DURATION, DURATION_HELP, 'histogram', seriesByKey, durationValues));

  app.addHook('onRoute', (route: RouteOptions) => {
    // A one-method route (nearly all) holds its series; a route with several finds its series by method.
    const only = Array.isArray(route.method) ? undefined : seriesOf(route.method, route.url);
    const hook: onResponseHookHandler = (req, reply, done) => {
      (only ?? seriesOf(req.method, route.url)).record(reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    addRouteHook(route, 'onResponse', hook, 'last');
  });

  return {
    registry,
    countUnmatched(req, reply) {
      seriesOf(req.method, 'unmatched').record(reply.statusCode, reply.elapsedTime / 1000);
    },
  };
}
