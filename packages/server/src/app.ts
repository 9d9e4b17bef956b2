import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { ConfigError } from './config-error.ts';
import type { Config } from './config.ts';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import type { AppContext } from './context.ts';
import type { Storage } from './storage/index.ts';
import { createLogger } from './logger.ts';
import { installErrorHandler } from './http/error-handler.ts';
import { trackServerMethods } from './http/allowed-methods.ts';
import { answerClientError, answerConnect, answerExpectation } from './http/client-error.ts';
import { shuttingDown, trackClosing } from './http/closing.ts';
import { installJsonBodyParser } from './http/json-body.ts';
import { DEFAULT_BODY_LIMIT, installBodyLimits } from './http/body-limits.ts';
import { installPolicies } from './http/policy.ts';
import type { Authenticators } from './http/policy.ts';
import { adminAuthenticator } from './http/admin-auth.ts';
import type { AdminKeyDigests } from './http/admin-auth.ts';
import { rateLimitStoreFor } from './http/rate-limit.ts';
import type { RateLimitStore } from './http/rate-limit.ts';
import { installMetrics } from './http/metrics.ts';
import { corsHeaderPairs, corsHeaders, installCorsPreflight } from './http/cors.ts';
import { installOpenApi, registerDocsRoutes } from './http/openapi.ts';
import { installValidators } from './http/validation.ts';
import { MODULES } from './modules/index.ts';
import type { BadAddressPage, VouchModule } from './module.ts';
import { ApiError } from './errors.ts';
import type { ErrorBody } from './errors.ts';
import { VERSION } from './version.ts';
import { wantsErrorPage } from './web/error-pages.ts';
import { listenForSharedChanges } from './cache-invalidation.ts';

export interface AppDeps {
  config: Config;
  storage: Storage;
  /** Key-encryption key for server private keys. */
  kek: Buffer;
  /** The admin keys' digests (resolveAdminKey's, or adminKeyDigests of keys the caller holds). */
  adminKeys: AdminKeyDigests;
  clock?: Clock;
  /** A ready logger; otherwise one is made at `config.logLevel`, writing to `logStream` or stdout. */
  logger?: Logger;
  logStream?: DestinationStream;
  /** Replaces the rate-limit store chosen for the engine (tests). */
  rateLimitStore?: RateLimitStore;
  /** Further modules, registered after the built-in ones and under the same policies (tests, extensions). */
  modules?: ReadonlyArray<VouchModule>;
}

/**
 * The headers every answer carries. No cache or proxy keeps an answer unless its route says so (a route's own
 * cache-control replaces this): answers carry secrets shown once (keys, tokens) and live state (revocations, statuses).
 * No browser sniffs an answer into another type than it declares (`nosniff`): JSON, and errors that show part of the
 * path, are never rendered as HTML or run as script.
 */
function commonHeaders(reply: FastifyReply, id: string): FastifyReply {
  return reply
    .header('x-request-id', id)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff');
}

/**
 * 400 for a request whose Host lines are wrong (RFC 9112 §3.2), with the connection closed as for any other request
 * HTTP cannot parse: none in HTTP/1.1 (HTTP/1.0 needs none), or more than one, of which Node keeps the first and
 * drops the others, so a proxy that read another one and this server would disagree on the host.
 */
function hostRefused(message: string): ApiError {
  return new ApiError('VALIDATION_FAILED', message, { headers: { connection: 'close' } });
}

/** A request whose target is `*` with a method other than OPTIONS: it names no resource to apply the method to. */
function asteriskRefused(): ApiError {
  return new ApiError('VALIDATION_FAILED', 'The request target * is only for OPTIONS: name a path.');
}

function hostLines(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') n++;
  }
  return n;
}

export interface VouchApp {
  app: FastifyInstance;
  ctx: AppContext;
}

/**
 * Builds the HTTP application on an open storage: error handling, body parsing, route policies (caller and
 * rate limit), metrics, OpenAPI and every module's routes. It does not listen; see `startServer`.
 *
 * @example
 * const { app } = await buildApp({ config, storage, kek, adminKeys: adminKeyDigests(adminKey) });
 * const res = await app.inject({ method: 'GET', url: '/healthz' });
 */
export async function buildApp(deps: AppDeps): Promise<VouchApp> {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger(config.logLevel, deps.logStream);
  const cors = corsHeaders(config.corsOrigins);
  // The same headers for the answers written below Fastify, which have no reply to set them on.
  const rawCors = corsHeaderPairs(config.corsOrigins);
  // Pages that answer an unreadable address under their own paths (set once the modules are known, before ready).
  let badAddressPages: BadAddressPage[] = [];
  // Counts a request no route matched that is answered before the not-found handler (set once metrics are installed).
  let countUnmatched: (req: FastifyRequest, reply: FastifyReply) => void = () => undefined;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Routes get their own limits (installBodyLimits); this one is for any that escaped it.
    bodyLimit: Math.min(DEFAULT_BODY_LIMIT, config.bodyLimit),
    // A client that trickles its request holds a socket and, for a signed request, its signing window.
    requestTimeout: config.requestTimeoutMs,
    // Also given to Node's createServer, which then keeps its headers timeout (60 s by default) within it: Fastify sets
    // requestTimeout only on the server it created, and Node cut a request below a longer headers timeout only at that
    // (VOUCH_REQUEST_TIMEOUT_MS=1000 held a stalled request for 60 s). Connections are checked at a tenth of the
    // timeout (Node's default is every 30 s, which let a short timeout run 30 s over).
    // Node answers an HTTP/1.1 request without Host itself, with a bare 400 (no body, none of the headers every
    // answer carries): the first onRequest hook refuses it instead (hostRefused).
    http: {
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.requestTimeoutMs / 10))),
      requireHostHeader: false,
    },
    // A hop count becomes proxy-addr's trust function: trust the nearest `n` hops.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (
            (hops: number) => (_addr: string, i: number) =>
              i < hops
          )(config.trustProxy)
        : config.trustProxy,
    genReqId: () => randomUUID(),
    // A silent logger writes nothing, so the per-request child logger (bindings, serializers, redaction) is skipped.
    ...(logger.level === 'silent' ? { childLoggerFactory: (parent: FastifyBaseLogger) => parent } : {}),
    requestIdHeader: false,
    // Requests that arrive while closing are answered by the first onRequest hook, in the API's `{error, code}` shape.
    return503OnClosing: false,
    routerOptions: { maxParamLength: 500, ignoreTrailingSlash: false },
    // Errors Fastify raises before any route runs (a path that is not valid UTF-8, a path parameter longer than
    // maxParamLength) get the same `{error, code}` shape as everything else, and, as no onRequest hook ran for them,
    // the headers every answer carries; for a browser's page request, a module's HTML page with that code.
    frameworkErrors: (_err, req, reply) => {
      cors?.(req as FastifyRequest, reply as FastifyReply);
      const answer = commonHeaders(reply as FastifyReply, req.id).code(400);
      countUnmatched(req as FastifyRequest, answer);
      const body: ErrorBody = { error: 'The request could not be parsed.', code: 'VALIDATION_FAILED' };
      if (wantsErrorPage(req) && badAddressPages.some((page) => page(req, answer, body))) return;
      void answer.send(body);
    },
    // And so do requests Node's HTTP parser refuses before Fastify sees them (malformed, too large, timed out).
    clientErrorHandler: (err, socket) => answerClientError(err, socket, logger as FastifyBaseLogger, rawCors),
  });
  app.server.on('checkExpectation', (req, res) => answerExpectation(req, res, rawCors));
  app.server.on('connect', (req, socket) => answerConnect(req, socket, rawCors));
  // Modules start housekeeping timers as they register: an app that fails to build (a module refusing its
  // configuration, say) is closed, so none of them runs on against a storage the caller then closes.
  try {
    const closing = trackClosing(app);
    // The not-found answer, installed with the error handler below (before any route), given here before the body is
    // read; one hook per request, not a second one for this. Unlike countUnmatched it has no no-op default: it must
    // answer, and a request reaching the hook before it is installed goes on to Fastify's own not-found handling.
    let unmatched: ((req: FastifyRequest, reply: FastifyReply) => void) | undefined = undefined;
    // Callback style: an async hook costs a promise per request for synchronous headers.
    app.addHook('onRequest', (req, reply, done) => {
      void commonHeaders(reply, req.id);
      // Before the policy hook and the closing answer, so that refusals carry them too.
      cors?.(req, reply);
      if (closing.now) return done(shuttingDown());
      if (req.raw.headers.host === undefined) {
        if (req.raw.httpVersion === '1.1') return done(hostRefused('An HTTP/1.1 request must carry a Host header.'));
      } else if (hostLines(req.raw.rawHeaders) > 1)
        return done(hostRefused('A request must carry exactly one Host header.'));
      // The asterisk form names the server as a whole, and only for OPTIONS (RFC 9112 §3.2.4): it is no path to route.
      if (req.raw.url === '*') {
        if (req.method !== 'OPTIONS') return done(asteriskRefused());
        void reply.code(204).header('allow', serverMethods());
        // Routed only with CORS on (the preflight route, which counts it); otherwise counted here as unmatched.
        if (req.is404) countUnmatched(req, reply);
        void reply.send();
        return;
      }
      if (req.is404 && unmatched !== undefined) return unmatched(req, reply);
      done();
    });
    const serverMethods = trackServerMethods(app);

    installValidators(app);
    // Metrics first: its onRoute hook must see every route, and the not-found handler reports to it.
    const metrics = installMetrics(app);
    countUnmatched = metrics.countUnmatched;
    const ctx: AppContext = { config, storage: deps.storage, kek: deps.kek, clock, metrics };
    // Other processes' writes to what this app caches (keys, revocations, a consumer's registry) reach it as they commit.
    listenForSharedChanges(app, ctx);
    const modules = [...MODULES, ...(deps.modules ?? [])];
    badAddressPages = modules.flatMap((m) => (m.badAddressPage === undefined ? [] : [m.badAddressPage(ctx)]));
    unmatched = installErrorHandler(
      app,
      metrics.countUnmatched,
      modules.flatMap((m) => (m.notFoundPage === undefined ? [] : [m.notFoundPage(ctx)])),
    );
    installJsonBodyParser(app, config.jsonMaxDepth);
    installBodyLimits(app, config.bodyLimit);
    // The previous key, when configured, is accepted beside the current one (a rolling change of the admin key).
    if (deps.adminKeys.previous !== undefined && deps.adminKeys.previous === deps.adminKeys.current) {
      throw new ConfigError('VOUCH_ADMIN_KEY_PREVIOUS is the same as the admin key: set it to the key being replaced.');
    }
    const authenticators: Authenticators = { admin: adminAuthenticator(deps.adminKeys) };
    for (const m of modules) {
      for (const [caller, auth] of Object.entries(m.authenticators?.(ctx) ?? {})) {
        if (authenticators[caller as keyof Authenticators]) {
          throw new Error(
            `Module ${m.name} provides a "${caller}" authenticator that another module already provides.`,
          );
        }
        authenticators[caller as keyof Authenticators] = auth;
      }
    }
    installPolicies(app, {
      authenticators,
      rateLimitStore: deps.rateLimitStore ?? rateLimitStoreFor(deps.storage, config),
      defaultRateLimit: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs },
      clock,
    });
    installCorsPreflight(app, config.corsOrigins);
    await installOpenApi(app, config.publicUrl, VERSION);

    registerDocsRoutes(app);
    for (const m of modules) await m.routes(app, ctx);

    await app.ready();
    return { app, ctx };
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
}
