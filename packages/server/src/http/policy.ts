import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { ApiError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { clientAddressKey } from './client-address.ts';
import { addRouteHook } from './route-hooks.ts';
import { logThrottle } from '../log-throttle.ts';
import { MemoryRateLimitStore } from './rate-limit.ts';
import type { RateLimitHit, RateLimitStore } from './rate-limit.ts';

/** Who may call a route. Every route names exactly one; the router refuses to register a route that names none. */
export type Caller = 'public' | 'admin' | 'owner' | 'integrator' | 'agent-signature' | 'management-token';

export const CALLERS: readonly Caller[] = [
  'public',
  'admin',
  'owner',
  'integrator',
  'agent-signature',
  'management-token',
];

/**
 * Requests allowed per window, counted per route and client address key (an IPv6 client is its /64); on routes the
 * admin may call, an admin who presented a right key is counted in the route's admin bucket instead, and on routes
 * an owner, integrator or management token may call, a key or token that authenticated lately in its principal's
 * bucket (its owner's, integrator's or agent's; see policyHook).
 */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/** The declaration every route carries in `config.policy`: its caller(s) and its rate limit. */
export interface RoutePolicy {
  /** Who may call. A list means any one of them (e.g. a management token, the owner or the admin). */
  caller: Caller | readonly Caller[];
  /**
   * Public routes only: callers whose credentials are honoured when presented, e.g. a verification that does more
   * for the token's audience. The first that authenticates becomes `req.principal`; absent or wrong credentials
   * leave the request anonymous (never refused). A caller whose authenticator is not installed is skipped.
   */
  optionalCaller?: readonly Exclude<Caller, 'public'>[];
  /** `'default'` takes the server's configured limit. */
  rateLimit: RateLimit | 'default';
  /**
   * Count the limit in this process only, never in the store shared by every instance: for routes that answer about
   * the process itself (health probes), which load balancers and kubelets call on every instance from the same few
   * addresses, so shared counts would grow with the number of instances until a probe is refused.
   */
  rateLimitPerProcess?: boolean;
}

/** The authenticated caller of a request; `null` on public routes. */
export interface Principal {
  caller: Exclude<Caller, 'public'>;
  /** Stable identifier of who called: `admin`, an integrator id, a DID, ... Never a secret. */
  id: string;
}

/**
 * Checks a request's credentials for one kind of caller: a principal, or `null` when they are absent or wrong.
 * Answering synchronously (e.g. `null` when the request carries no such credential) spares the request a promise.
 */
export type Authenticator = ((req: FastifyRequest) => Principal | null | Promise<Principal | null>) & {
  /**
   * Without a lookup, the principal id of the request's credential if it authenticated lately in this process
   * (RecentKeys): the request is then counted in that principal's bucket. It never authenticates.
   */
  recognize?: (req: FastifyRequest) => string | undefined;
};

export type Authenticators = Partial<Record<Exclude<Caller, 'public'>, Authenticator>>;

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: RoutePolicy;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** OpenAPI security requirement for each caller, so the published document says who may call what. */
export const SECURITY_BY_CALLER: Record<Caller, Array<Record<string, string[]>>> = {
  public: [],
  admin: [{ adminKey: [] }],
  owner: [{ ownerToken: [] }],
  integrator: [{ integratorKey: [] }],
  'agent-signature': [{ agentSignature: [] }],
  'management-token': [{ managementToken: [] }],
};

export interface PolicyOptions {
  authenticators: Authenticators;
  rateLimitStore: RateLimitStore;
  defaultRateLimit: RateLimit;
  clock: Clock;
}

/**
 * Installs the one place where route policies are enforced:
 * - at registration, every route must declare `config.policy` with a caller that has an authenticator;
 * - on each request, before the body is read, the rate limit is counted and the caller authenticated,
 *   so a refused request never reaches a handler and writes nothing. Routes the admin may call check the admin key
 *   first (no lookup), so that the admin is counted in a bucket of its own, and routes an owner, integrator or
 *   management token may call recognize keys and tokens that authenticated lately (no lookup either), for the same;
 *   see policyHook.
 */
export function installPolicies(app: FastifyInstance, opts: PolicyOptions): void {
  app.decorateRequest('principal', null);
  opts.rateLimitStore.useLogger?.(app.log);
  // Aliases (one handler and one policy under several URLs) count in one bucket, named by the first URL.
  const bucketUrls = new Map<unknown, { policy: RoutePolicy; url: string }>();
  const failOpenLog = logThrottle(FAIL_OPEN_LOG_EVERY_MS);
  // This process's own counts: per-process limits, and every limit while the shared store fails. Made on first use,
  // bounded (a full store forgets the window that started longest ago), never shared.
  let processStore: MemoryRateLimitStore | undefined;
  const processStoreOf = (): MemoryRateLimitStore =>
    (processStore ??= new MemoryRateLimitStore({ maxWindows: PROCESS_RATE_LIMIT_WINDOWS }));

  app.addHook('onRoute', (route: RouteOptions) => {
    const policy = route.config?.policy;
    const name = `${String(route.method)} ${route.url}`;
    if (!policy) throw new Error(`Route ${name} declares no policy (caller and rate limit).`);
    const callers = callersOf(policy);
    if (callers.length === 0) throw new Error(`Route ${name} names no caller.`);
    for (const caller of callers) {
      if (!CALLERS.includes(caller)) throw new Error(`Route ${name} names an unknown caller.`);
      if (caller === 'public' && callers.length > 1) throw new Error(`Route ${name} mixes public with other callers.`);
      if (policy.optionalCaller !== undefined && caller !== 'public') {
        throw new Error(`Route ${name} names optional callers but is not public.`);
      }
      if (caller !== 'public' && !opts.authenticators[caller]) {
        throw new Error(`Route ${name} needs a "${caller}" authenticator, and none is installed.`);
      }
    }
    const schema = (route.schema ??= {}) as Record<string, unknown>;
    // A public route with optional callers: anonymous (`{}` in OpenAPI) or any of them.
    const optional = callers[0] === 'public' ? (policy.optionalCaller ?? []) : [];
    schema.security =
      optional.length > 0
        ? [{}, ...optional.flatMap((c) => SECURITY_BY_CALLER[c])]
        : callers.flatMap((c) => SECURITY_BY_CALLER[c]);
    // The route's own first onRequest hook (Fastify runs the app-wide ones, request id and CORS, before it): what
    // it needs from the policy is worked out here, once, rather than read from req.routeOptions on every request.
    let alias = bucketUrls.get(route.handler);
    if (alias?.policy !== policy) bucketUrls.set(route.handler, (alias = { policy, url: route.url }));
    const store = policy.rateLimitPerProcess === true ? processStoreOf() : opts.rateLimitStore;
    const hook = policyHook(opts, store, processStoreOf, policy, alias.url, failOpenLog);
    addRouteHook(route, 'onRequest', hook, 'first');
  });

  // A store that holds counts locally (BatchedRateLimitStore) publishes them before the storage closes.
  app.addHook('onClose', async () => {
    await opts.rateLimitStore.close?.();
  });
}

type Done = (err?: Error) => void;

/**
 * Most windows this process counts on its own (per-process limits, and every limit while the shared store fails),
 * about 250 bytes each: a full store forgets the window that started longest ago.
 */
export const PROCESS_RATE_LIMIT_WINDOWS = 100_000;

/** At most one fail-open warning per this many ms for the whole app: an outage must not log every request. */
export const FAIL_OPEN_LOG_EVERY_MS = 10_000;

/** The bucket suffix of an authenticated admin, after the route (an address bucket has `|` and the address). */
export const ADMIN_BUCKET_SUFFIX = '@admin';

/**
 * The bucket suffix of a recognized owner or integrator key or management token, after the route:
 * `@owner:<owner id>`, `@integrator:<slug>`, `@management-token:<agent DID>`. An id, never the key nor its digest:
 * bucket names are stored and may be shown.
 */
export function principalBucketSuffix(caller: Exclude<Caller, 'public'>, id: string): string {
  return `@${caller}:${id}`;
}

/**
 * The onRequest hook of one route. Callback style, and synchronous whenever the rate limit was counted in memory
 * and no credential needs a lookup: it runs before every request, and an async hook costs promises and microtask
 * turns on each (closures are made only on the asynchronous paths).
 *
 * A route the admin may call (not a public route that only honours the admin key) checks the admin key before
 * counting: a right key is counted in the route's admin bucket (`POST /url@admin`, one for the current and the
 * previous key, shared by every process like any other), a wrong or missing one in the address's bucket as before.
 * Counted by address alone, whoever shared the admin's address (everyone, behind a proxy the server does not
 * trust) could spend an admin route's allowance with wrong keys and lock the admin out, of key rotation among
 * others. The admin key is checked without a lookup (a hash compared in constant time), so checking it first costs
 * a guess no more than before.
 *
 * Owner and integrator keys and management tokens need a database lookup, so they are checked after counting (a
 * flood of wrong ones is refused without a query each); but a key that authenticated lately in this process is
 * recognized before counting (its digest found in a bounded map, the authenticator's `recognize`) and counted in its
 * principal's bucket (`GET /url@owner:<id>`, `PUT /url@management-token:<did>`, shared by every process), so junk
 * keys from its address cannot lock it out either. Only the bucket changes: the key is still looked up, and one
 * rotated away (here or in another process) is refused.
 */
function policyHook(
  opts: PolicyOptions,
  rateLimitStore: RateLimitStore,
  processStore: () => MemoryRateLimitStore,
  policy: RoutePolicy,
  url: string,
  failOpenLog: (nowMs: number) => number | undefined,
): onRequestHookHandler {
  const limit = policy.rateLimit === 'default' ? opts.defaultRateLimit : policy.rateLimit;
  const maxHeader = String(limit.max);
  const callers = callersOf(policy);
  const isPublic = callers[0] === 'public';
  // Public route: optional callers only say who is asking; absent or wrong credentials are never refused.
  const tried = (isPublic ? (policy.optionalCaller ?? []) : callers) as ReadonlyArray<Exclude<Caller, 'public'>>;
  const who = callers.filter((k): k is Exclude<Caller, 'public'> => k !== 'public').map(describeCaller);
  const needs = `This route needs ${who.join(', or ')}.`;
  const bucketInfix = ` ${url}|`;
  const adminBucketSuffix = ` ${url}${ADMIN_BUCKET_SUFFIX}`;
  const { authenticators, clock } = opts;
  // Checked before counting on routes that require it among their callers; public routes' optional admin is not
  // (the verify hot path keeps its cost, and a public route refuses no one for a wrong key anyway).
  const adminFirst = !isPublic && callers.includes('admin') ? authenticators.admin : undefined;
  // Likewise, the required callers whose lately authenticated keys are recognized before counting.
  const recognizers = isPublic
    ? []
    : tried.flatMap((caller) => {
        const recognize = authenticators[caller]?.recognize;
        return recognize === undefined ? [] : [{ caller, recognize }];
      });

  /** The bucket suffix of the first recognized key the request carries, if any. */
  function recognized(req: FastifyRequest): string | undefined {
    for (const { caller, recognize } of recognizers) {
      const id = recognize(req);
      if (id !== undefined) return ` ${url}${principalBucketSuffix(caller, id)}`;
    }
    return undefined;
  }

  function failOpen(req: FastifyRequest, now: number, err: unknown, bucket: string | undefined): RateLimitHit {
    // The shared store is the database: when it is down, requests still pass it so liveness and cached answers
    // still work (routes that need the database fail on their own), counted in this process alone: unlimited, they
    // would give whoever guesses the admin key, which is checked without the database, as many tries as they like.
    const suppressed = failOpenLog(now);
    if (suppressed !== undefined) {
      req.log.warn(
        { err: { message: (err as Error).message }, suppressed },
        'rate-limit store unavailable; limiting in this process only',
      );
    }
    if (bucket === undefined) return { count: 0, resetAtMs: now + limit.windowMs };
    return processStore().hit(bucket, limit.windowMs, now);
  }

  function settle(found: boolean, done: Done): void {
    if (found || isPublic) done();
    else done(new ApiError('UNAUTHORIZED', needs));
  }

  /**
   * Tries `tried` in order from `from`: the first whose credentials check out becomes `req.principal`. A boolean
   * when every answer came at once; otherwise a promise that continues the search when a lookup settles (its
   * failure rejects it). Optional callers whose authenticator is not installed are skipped (required ones always
   * have one: registration checks it). `admin` is the admin authenticator's answer when it was asked already.
   */
  function authenticate(
    req: FastifyRequest,
    from: number,
    admin: Principal | null | undefined,
  ): boolean | Promise<boolean> {
    for (let i = from; i < tried.length; i++) {
      const caller = tried[i]!;
      const auth = authenticators[caller];
      if (auth === undefined) continue;
      const found = caller === 'admin' && admin !== undefined ? admin : auth(req);
      if (isPromiseLike(found)) {
        return Promise.resolve(found).then((principal) =>
          accept(req, caller, principal) ? true : authenticate(req, i + 1, admin),
        );
      }
      if (accept(req, caller, found)) return true;
    }
    return false;
  }

  function admit(
    req: FastifyRequest,
    reply: FastifyReply,
    done: Done,
    counted: RateLimitHit,
    now: number,
    admin: Principal | null | undefined,
  ): void {
    const { count, resetAtMs } = counted;
    const resetSeconds = Math.max(1, Math.ceil((resetAtMs - now) / 1000));
    void reply.header('x-ratelimit-limit', maxHeader);
    void reply.header('x-ratelimit-remaining', String(Math.max(0, limit.max - count)));
    void reply.header('x-ratelimit-reset', String(resetSeconds));
    if (count > limit.max) {
      return done(
        new ApiError('RATE_LIMITED', 'Too many requests; retry after the time in Retry-After.', {
          headers: { 'retry-after': String(resetSeconds) },
        }),
      );
    }
    const found = authenticate(req, 0, admin);
    if (typeof found === 'boolean') settle(found, done);
    else found.then((f) => settle(f, done), done);
  }

  /**
   * Counts the request in its bucket (the admin's when `admin` is the admin, else a recognized key's principal's,
   * else its address's), then admits or refuses it.
   */
  function count(
    req: FastifyRequest,
    reply: FastifyReply,
    done: Done,
    now: number,
    admin: Principal | null | undefined,
  ): void {
    let counted: RateLimitHit | Promise<RateLimitHit>;
    let bucket: string | undefined;
    try {
      // HEAD is a GET without its body: one quota for both.
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const own = admin?.caller === 'admin' ? adminBucketSuffix : recognized(req);
      bucket = method + (own ?? bucketInfix + clientAddressKey(req.ip));
      counted = rateLimitStore.hit(bucket, limit.windowMs, now, limit.max);
    } catch (err) {
      counted = failOpen(req, now, err, bucket);
    }
    if (isPromiseLike(counted)) {
      counted
        .then(
          (c) => admit(req, reply, done, c, now, admin),
          (err: unknown) => admit(req, reply, done, failOpen(req, now, err, bucket), now, admin),
        )
        .then(undefined, (err: unknown) => done(err as Error));
    } else admit(req, reply, done, counted, now, admin);
  }

  return function policyOnRequest(req, reply, done): void {
    const now = clock.now();
    if (adminFirst === undefined) return count(req, reply, done, now, undefined);
    let admin: Principal | null | Promise<Principal | null>;
    try {
      admin = adminFirst(req);
    } catch (err) {
      return done(err as Error);
    }
    // The real admin authenticator answers at once; one that looks up (tests) is waited for.
    if (isPromiseLike(admin)) {
      Promise.resolve(admin).then((a) => count(req, reply, done, now, a), done);
    } else count(req, reply, done, now, admin);
  };
}

function accept(req: FastifyRequest, caller: Exclude<Caller, 'public'>, principal: Principal | null): boolean {
  if (!principal || principal.caller !== caller) return false;
  req.principal = principal;
  return true;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** The callers a policy admits, as a list. */
export function callersOf(policy: RoutePolicy): readonly Caller[] {
  return typeof policy.caller === 'string' ? [policy.caller] : policy.caller;
}

function describeCaller(caller: Exclude<Caller, 'public'>): string {
  switch (caller) {
    case 'admin':
      return 'the admin key in the x-api-key header';
    case 'owner':
      return "an owner's credentials";
    case 'integrator':
      return 'an integrator API key (Authorization: Bearer)';
    case 'agent-signature':
      return "an agent's signature";
    case 'management-token':
      return 'a management token';
  }
}
