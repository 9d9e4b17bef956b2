// The integrators module's service API: integrators and their API keys, published metric sets (environment
// versions), agents' consents and the public disclosure. The reputation module (ingestion, resolve) and the
// signatures module (integratorConsent) call these; nobody else touches the tables.
import { randomBytes, randomUUID } from 'node:crypto';
import { canonicalize, consentPayload, encodeBase64url, sha256HexSync, signedMessageText } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { announceKeysDropped, recentKeysOf } from '../../http/recent-keys.ts';
import { hashSecret } from '../../http/secrets.ts';
import { recordAudit } from '../../storage/index.ts';
import { assertAgentActive, findAgent, holdSigner, verifyAgentSignature } from '../agents/service.ts';
import { findSignature } from '../signatures/service.ts';
import type { Lane, MetricDefinition, Polarity } from '../reputation/formula.ts';
import * as store from './store.ts';
import type { IntegratorRow, MetricRow } from './store.ts';

/** Every integrator API key starts with this, so a leaked key is recognisable. */
export const INTEGRATOR_KEY_PREFIX = 'vik_';

/** 3 to 40 characters: a lowercase letter, then letters, digits and hyphens, ending in a letter or digit. */
export const INTEGRATOR_SLUG_PATTERN = '^[a-z][a-z0-9-]{1,38}[a-z0-9]$';
/** Slugs that would collide with a reputation scope name. */
const RESERVED_SLUGS = new Set(['global']);

export type ConsentStatus = 'allowed' | 'revoked' | 'none';

/** An integrator as other modules see it (never its key). */
export interface Integrator {
  id: string;
  slug: string;
  name: string;
  domain: string;
  /** The latest published environment version; events may name it or any earlier one (`slug.<namespace>.v<N>`). */
  currentVersion: number;
  createdAt: number;
  updatedAt: number;
}

/** A metric as the admin declares it; `maxPerDay` defaults to `VOUCH_REPUTATION_MAX_PER_DAY`. */
export interface MetricInput {
  metricKey: string;
  polarity: Polarity;
  weight: number;
  lane: Lane;
  maxPerDay?: number;
}

function toIntegrator(row: IntegratorRow): Integrator {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    domain: row.domain,
    currentVersion: Number(row.current_version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toDefinition(row: store.MetricFields): MetricDefinition {
  return {
    metricKey: row.metric_key,
    polarity: row.polarity,
    weight: Number(row.weight),
    lane: row.lane,
    maxPerDay: Number(row.max_per_day),
  };
}

/** The metric definitions of one environment version, in their published order. */
async function metricsOf(db: store.Db, slug: string, version: number): Promise<MetricDefinition[]> {
  return (await store.listMetrics(db, slug, version)).map(toDefinition);
}

function newApiKey(): string {
  return INTEGRATOR_KEY_PREFIX + encodeBase64url(randomBytes(32));
}

function definitionsOf(ctx: AppContext, metrics: readonly MetricInput[]): MetricDefinition[] {
  const seen = new Set<string>();
  return metrics.map((m, i) => {
    if (seen.has(m.metricKey)) {
      throw new ApiError('VALIDATION_FAILED', `body.metrics[${i}].metricKey repeats "${m.metricKey}".`, {
        field: `body.metrics[${i}].metricKey`,
      });
    }
    seen.add(m.metricKey);
    return {
      metricKey: m.metricKey,
      polarity: m.polarity,
      weight: m.weight,
      lane: m.lane,
      maxPerDay: m.maxPerDay ?? ctx.config.reputation.defaultMaxPerDay,
    };
  });
}

function metricRows(slug: string, version: number, defs: readonly MetricDefinition[]): MetricRow[] {
  return defs.map((d, position) => ({
    integrator_slug: slug,
    version,
    metric_key: d.metricKey,
    polarity: d.polarity,
    weight: d.weight,
    lane: d.lane,
    max_per_day: d.maxPerDay,
    position,
  }));
}

/**
 * Creates an integrator with its first environment version (v1) and returns its API key, shown only here (stored
 * as SHA-256 hex). Throws `INTEGRATOR_EXISTS` (409) for a taken slug, `VALIDATION_FAILED` for a reserved slug or a
 * name of only whitespace.
 *
 * @example
 * const { apiKey } = await createIntegrator(ctx, { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics: [] });
 */
export async function createIntegrator(
  ctx: AppContext,
  input: { slug: string; name: string; domain: string; metrics: readonly MetricInput[] },
  audit: { actor: string; requestId?: string } = { actor: 'admin' },
): Promise<{ integrator: Integrator; apiKey: string; metrics: MetricDefinition[] }> {
  if (RESERVED_SLUGS.has(input.slug)) {
    throw new ApiError('VALIDATION_FAILED', `body.slug "${input.slug}" is reserved.`, { field: 'body.slug' });
  }
  // Shown to every agent asked to consent: a name of only whitespace names no one, as an empty one (minLength 1).
  if (input.name.trim() === '') {
    throw new ApiError('VALIDATION_FAILED', 'body.name must not be empty or only whitespace.', { field: 'body.name' });
  }
  const defs = definitionsOf(ctx, input.metrics);
  const apiKey = newApiKey();
  const now = ctx.clock.now();
  const row: IntegratorRow = {
    slug: input.slug,
    id: randomUUID(),
    name: input.name,
    domain: input.domain,
    api_key_hash: hashSecret(apiKey),
    current_version: 1,
    created_at: now,
    updated_at: now,
  };
  await ctx.storage.db.transaction().execute(async (trx) => {
    if (!(await store.insertIntegrator(trx, row))) {
      throw new ApiError('INTEGRATOR_EXISTS', 'An integrator with this slug already exists.');
    }
    await store.insertVersion(trx, input.slug, 1, now, metricRows(input.slug, 1, defs));
    await recordAudit(trx, {
      at: now,
      actor: audit.actor,
      action: 'integrator.create',
      target: input.slug,
      details: { version: 1, metrics: defs.length },
      requestId: audit.requestId,
    });
  });
  return { integrator: toIntegrator(row), apiKey, metrics: defs };
}

/**
 * Replaces the integrator's API key (the old one stops working at once) and returns the new one, shown only here.
 * The rotation replaces the key it read (compare-and-set): of two rotations at once, the one that comes second is
 * 409 `CONFLICT` and changes nothing, so every key an answer shows is the integrator's key when answered.
 *
 * @example
 * const { apiKey } = await rotateIntegratorKey(ctx, 'shop');
 */
export async function rotateIntegratorKey(
  ctx: AppContext,
  slug: string,
  audit: { actor: string; requestId?: string } = { actor: 'admin' },
): Promise<{ slug: string; apiKey: string }> {
  const current = await store.findIntegrator(ctx.storage.db, slug);
  if (current === undefined) throw new ApiError('NOT_FOUND', 'No integrator has this slug.');
  const apiKey = newApiKey();
  const keyHash = hashSecret(apiKey);
  const now = ctx.clock.now();
  await ctx.storage.db.transaction().execute(async (trx) => {
    if (!(await store.replaceApiKeyHash(trx, slug, current.api_key_hash, keyHash, now))) {
      throw new ApiError(
        'CONFLICT',
        "The integrator's key was rotated by another request meanwhile; the key that request answered is current.",
      );
    }
    await recordAudit(trx, {
      at: now,
      actor: audit.actor,
      action: 'integrator.rotate_key',
      target: slug,
      requestId: audit.requestId,
    });
    await announceKeysDropped(trx, ctx, 'integrator', slug);
  });
  // The old key loses the integrator's rate-limit bucket here at once (other processes' as the announcement reaches
  // them); the new one has it from its first use.
  const recent = recentKeysOf(ctx).integrator;
  recent.forgetId(slug);
  recent.remember(keyHash, slug);
  return { slug, apiKey };
}

/**
 * Publishes a new environment version with these metrics, unless they equal the current ones (then nothing
 * changes). Earlier versions keep their metrics: events naming one are still accepted and scored with them
 * (docs/reputation.md, "Environment").
 *
 * @example
 * const { version } = await setIntegratorMetrics(ctx, 'shop', [{ metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct' }]);
 */
export async function setIntegratorMetrics(
  ctx: AppContext,
  slug: string,
  metrics: readonly MetricInput[],
  audit: { actor: string; requestId?: string } = { actor: 'admin' },
): Promise<{ slug: string; version: number; changed: boolean; metrics: MetricDefinition[] }> {
  const defs = definitionsOf(ctx, metrics);
  const now = ctx.clock.now();
  return ctx.storage.db.transaction().execute(async (trx) => {
    const row = await store.findIntegrator(trx, slug);
    if (row === undefined) throw new ApiError('NOT_FOUND', 'No integrator has this slug.');
    const from = Number(row.current_version);
    const current = await metricsOf(trx, slug, from);
    if (canonicalize(current) === canonicalize(defs)) return { slug, version: from, changed: false, metrics: current };
    if (!(await store.bumpVersion(trx, slug, from, now))) {
      // Another request published meanwhile. If it published these very metrics, this one has nothing to change:
      // the same answer as when it came second, not an error for an identical retry (a statement of its own sees
      // the committed version on PostgreSQL).
      const latest = await store.findIntegrator(trx, slug);
      const version = Number(latest?.current_version);
      const published = latest === undefined ? undefined : await metricsOf(trx, slug, version);
      if (published !== undefined && canonicalize(published) === canonicalize(defs)) {
        return { slug, version, changed: false, metrics: published };
      }
      throw new ApiError('CONFLICT', "The integrator's metrics changed meanwhile; try again.");
    }
    await store.insertVersion(trx, slug, from + 1, now, metricRows(slug, from + 1, defs));
    await recordAudit(trx, {
      at: now,
      actor: audit.actor,
      action: 'integrator.metrics',
      target: slug,
      details: { version: from + 1, metrics: defs.length },
      requestId: audit.requestId,
    });
    return { slug, version: from + 1, changed: true, metrics: defs };
  });
}

/**
 * Inside the transaction that acts on an integrator's request: throws 401 unless the API key the request was
 * authenticated with (`keyHash`) is still the integrator's, held until `trx` ends. A rotation that committed first is
 * seen here; one that comes later waits, so nothing is stored with a key after its rotation was answered.
 */
export async function holdIntegratorKey(ctx: AppContext, trx: store.Db, slug: string, keyHash: string): Promise<void> {
  if (!(await store.apiKeyLiveHeld(trx, ctx.storage.engine, slug, keyHash))) {
    throw new ApiError('UNAUTHORIZED', 'This API key was rotated while the request was being handled.');
  }
}

/** Every integrator with its current metrics, by slug. */
export async function listIntegrators(ctx: AppContext): Promise<Array<Integrator & { metrics: MetricDefinition[] }>> {
  const out: Array<Integrator & { metrics: MetricDefinition[] }> = [];
  for (const row of await store.listIntegratorsWithMetrics(ctx.storage.db, ctx.storage.engine)) {
    let last = out.at(-1);
    if (last?.slug !== row.slug) out.push((last = { ...toIntegrator(row), metrics: [] }));
    if (row.metric_key !== null) last.metrics.push(toDefinition(row as store.MetricFields));
  }
  return out;
}

/** The integrator with this slug, or undefined. */
export async function findIntegrator(ctx: AppContext, slug: string): Promise<Integrator | undefined> {
  const row = await store.findIntegrator(ctx.storage.db, slug);
  return row === undefined ? undefined : toIntegrator(row);
}

/** The integrator whose API key hashes to `keyHash` (the authenticator compares it again in constant time). */
export async function findIntegratorByKeyHash(
  ctx: AppContext,
  keyHash: string,
): Promise<(Integrator & { apiKeyHash: string }) | undefined> {
  const row = await store.findIntegratorByKeyHash(ctx.storage.db, keyHash);
  return row === undefined ? undefined : { ...toIntegrator(row), apiKeyHash: row.api_key_hash };
}

// Published versions never change, so their metric sets can be cached for the life of the process.
const metricCache = new WeakMap<AppContext, Map<string, ReadonlyMap<string, MetricDefinition>>>();

/**
 * The metric definitions of one published environment version, by key; undefined if the version was never
 * published. A caller inside a transaction passes it as `db`: on SQLite the transaction holds the only
 * connection, so a lookup outside it would wait forever.
 *
 * @example
 * const metrics = await getEnvironmentMetrics(ctx, 'shop', 2);
 */
export async function getEnvironmentMetrics(
  ctx: AppContext,
  slug: string,
  version: number,
  db: store.Db = ctx.storage.db,
): Promise<ReadonlyMap<string, MetricDefinition> | undefined> {
  let cache = metricCache.get(ctx);
  if (cache === undefined) metricCache.set(ctx, (cache = new Map()));
  const key = `${slug}\u0000${version}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (!(await store.versionPublished(db, slug, version))) return undefined;
  return loadMetricSet(db, cache, slug, version);
}

/** A published version's metrics, read and cached (a published version never changes). */
async function loadMetricSet(
  db: store.Db,
  cache: Map<string, ReadonlyMap<string, MetricDefinition>>,
  slug: string,
  version: number,
): Promise<ReadonlyMap<string, MetricDefinition>> {
  const map = new Map((await metricsOf(db, slug, version)).map((d) => [d.metricKey, d]));
  cache.set(`${slug}\u0000${version}`, map);
  return map;
}

/**
 * {@link getEnvironmentMetrics} for several versions at once, as a batch of events names them: the versions not
 * cached are checked in one query, so a batch naming hundreds of unpublished versions costs one query, not hundreds.
 *
 * @example
 * const sets = await getEnvironmentMetricsOf(ctx, 'shop', [1, 2]); // version → metrics, undefined if unpublished
 */
export async function getEnvironmentMetricsOf(
  ctx: AppContext,
  slug: string,
  versions: Iterable<number>,
): Promise<Map<number, ReadonlyMap<string, MetricDefinition> | undefined>> {
  let cache = metricCache.get(ctx);
  if (cache === undefined) metricCache.set(ctx, (cache = new Map()));
  const out = new Map<number, ReadonlyMap<string, MetricDefinition> | undefined>();
  const misses: number[] = [];
  for (const version of new Set(versions)) {
    const hit = cache.get(`${slug}\u0000${version}`);
    if (hit !== undefined) out.set(version, hit);
    else misses.push(version);
  }
  const published = await store.publishedVersions(ctx.storage.db, slug, misses);
  for (const version of misses) {
    out.set(version, published.has(version) ? await loadMetricSet(ctx.storage.db, cache, slug, version) : undefined);
  }
  return out;
}

/**
 * The agent's current consent for the integrator: `allowed`, `revoked`, or `none` when it never answered.
 *
 * @example
 * if ((await getConsentStatus(ctx, 'shop', agent.id)) !== 'allowed') { ... }
 */
export async function getConsentStatus(
  ctx: AppContext,
  integratorSlug: string,
  agentId: string,
): Promise<ConsentStatus> {
  const row = await store.findConsent(ctx.storage.db, integratorSlug, agentId);
  return row?.status ?? 'none';
}

/**
 * Consent statuses of many agents at once (ingestion), by agent id (absent agents have `none`), read inside the
 * transaction that records what they allow, the rows held until `trx` ends. A revoke that committed first is seen
 * here; one that comes later waits for `trx` (on SQLite the one writer serializes them anyway), so nothing is stored
 * after a revoke has been answered.
 *
 * @example
 * const consents = await holdConsentStatuses(ctx, trx, 'shop', agentIds);
 */
export async function holdConsentStatuses(
  ctx: AppContext,
  trx: store.Db,
  integratorSlug: string,
  agentIds: readonly string[],
): Promise<Map<string, ConsentStatus>> {
  const out = new Map<string, ConsentStatus>();
  const unique = [...new Set(agentIds)];
  for (let i = 0; i < unique.length; i += 500) {
    for (const r of await store.findConsents(trx, integratorSlug, unique.slice(i, i + 500), ctx.storage.engine)) {
      out.set(r.agent_id, r.status);
    }
  }
  return out;
}

/**
 * The payload hash an agent signs (through `POST /api/v1/signatures/sign`) to allow or revoke an integrator: of the
 * SDK's {@link consentPayload}, the one definition the signing agent uses too.
 */
export function consentPayloadHash(p: {
  did: string;
  integratorSlug: string;
  action: 'allow' | 'revoke';
  signedAt: number;
}): string {
  return sha256HexSync(canonicalize(consentPayload(p.did, p.integratorSlug, p.action, p.signedAt)));
}

export interface ConsentInput {
  integratorSlug: string;
  did: string;
  action: 'allow' | 'revoke';
  signatureHash: string;
  signedAt: number;
}

/**
 * Throws 400 `SIGNED_AT_OUT_OF_WINDOW` unless the consent's `signedAt` (ms) is fresh: not more than
 * `VOUCH_CLOCK_SKEW` ahead of the server's time, nor of the time its signature was recorded (the payload existed
 * then), and not more than `VOUCH_SIGNATURE_WINDOW` behind the server's time. Consents are ordered by `signedAt`,
 * so a date in the future would outrank every later consent (an allow nobody could revoke), and an old one could be
 * replayed long after it was signed.
 */
function assertConsentFresh(ctx: AppContext, signedAt: number, signatureRecordedAt: number): void {
  const now = ctx.clock.now();
  const skewMs = ctx.config.clockSkewSeconds * 1000;
  if (signedAt > now + skewMs) {
    throw new ApiError(
      'SIGNED_AT_OUT_OF_WINDOW',
      `signedAt must not be more than ${ctx.config.clockSkewSeconds} seconds ahead of the server's time.`,
    );
  }
  if (signedAt > signatureRecordedAt + skewMs) {
    throw new ApiError(
      'SIGNED_AT_OUT_OF_WINDOW',
      `signedAt must not be more than ${ctx.config.clockSkewSeconds} seconds after the referenced signature was recorded.`,
    );
  }
  if (signedAt < now - ctx.config.signatureWindowSeconds * 1000) {
    throw new ApiError(
      'SIGNED_AT_OUT_OF_WINDOW',
      `signedAt must be within ${ctx.config.signatureWindowSeconds} seconds of the server's time.`,
    );
  }
}

const keyRotated = (): ApiError =>
  new ApiError(
    'SIGNATURE_KEY_ROTATED',
    "The referenced signature was made by a key that is no longer the agent's current key; sign again.",
  );

/**
 * Records an agent's consent for an integrator from a signature the agent recorded earlier, whose payload hash
 * must be {@link consentPayloadHash} of this request. Checks, in order: integrator and agent exist (404), agent
 * not revoked (403 `AGENT_REVOKED`), signature exists (404), signature is the agent's (403 `FORBIDDEN`), payload
 * matches (400 `CONSENT_MISMATCH`); the same request again (same signature, already the stored consent) then
 * answers the same, writing nothing; otherwise `signedAt` is fresh (400 `SIGNED_AT_OUT_OF_WINDOW`, see
 * {@link assertConsentFresh}), the signature verifies with the agent's current key (403 `SIGNATURE_KEY_ROTATED`),
 * and it outranks the current consent (409 `CONSENT_STALE`): a later `signedAt`, or a revoke of the same `signedAt`
 * as a stored allow.
 *
 * @example
 * await setConsent(ctx, { integratorSlug: 'shop', did, action: 'allow', signatureHash, signedAt });
 */
export async function setConsent(
  ctx: AppContext,
  input: ConsentInput,
): Promise<{ did: string; integratorSlug: string; status: 'allowed' | 'revoked'; signedAt: number }> {
  const integrator = await store.findIntegrator(ctx.storage.db, input.integratorSlug);
  if (integrator === undefined) throw new ApiError('NOT_FOUND', 'No integrator has this slug.');
  const agent = await findAgent(ctx, input.did);
  if (agent === undefined || agent.did !== input.did) throw new ApiError('NOT_FOUND', 'No agent has this DID.');
  assertAgentActive(agent);
  const signature = await findSignature(ctx, input.signatureHash);
  if (signature === undefined) throw new ApiError('NOT_FOUND', 'No signature has this hash.');
  if (signature.agentId !== agent.id) {
    throw new ApiError('FORBIDDEN', 'The referenced signature was not made by this agent.');
  }
  if (signature.payloadHash !== consentPayloadHash({ ...input, did: agent.did })) {
    throw new ApiError(
      'CONSENT_MISMATCH',
      'The signature payloadHash is not the SHA-256 of the canonical integrator_consent_v1 object of this request.',
    );
  }
  const status = input.action === 'allow' ? 'allowed' : 'revoked';
  const answer = { did: agent.did, integratorSlug: input.integratorSlug, status, signedAt: input.signedAt } as const;
  // A retry of a request that was stored answers the stored state and writes nothing, so it may come after the
  // freshness window or a key rotation.
  const isRetry = async () =>
    (await store.findConsent(ctx.storage.db, input.integratorSlug, agent.id))?.signature_hash === input.signatureHash;
  if (await isRetry()) return answer;
  assertConsentFresh(ctx, input.signedAt, signature.createdAt);
  // The signature verified when it was recorded; a key rotated away since (lost, or leaked) signs nothing new.
  const message = await signedMessageText(signature.payloadHash, signature.signedAt, signature.publicNote);
  if (!(await verifyAgentSignature(agent, message, signature.signature))) throw keyRotated();
  const now = ctx.clock.now();
  // No consent accepted under these rules is dated later than now + skew; a stored one dated later still (beyond a
  // margin for processes' clocks disagreeing) was recorded before they existed and must not outrank a fresh one.
  const trustedUntil = now + (ctx.config.clockSkewSeconds + ctx.config.signatureWindowSeconds) * 1000;
  const stored = await ctx.storage.db.transaction().execute(async (trx) => {
    // The agent as checked, with the key the signature verified with: a rotation or revocation committed since
    // refuses the consent; one that comes later waits until it is stored.
    await holdSigner(ctx, trx, agent, keyRotated);
    return store.upsertConsentIfNewer(
      trx,
      {
        integrator_slug: input.integratorSlug,
        agent_id: agent.id,
        status,
        signed_at: input.signedAt,
        signature_hash: input.signatureHash,
        updated_at: now,
      },
      trustedUntil,
    );
  });
  if (stored || (await isRetry())) return answer; // or the same request, stored meanwhile by a concurrent one
  throw new ApiError(
    'CONSENT_STALE',
    'A consent signed later, or at the same time (where a revoke outranks an allow), is already recorded.',
  );
}

/** The seed's disclosure: which of the integrator's current metrics boost, hurt or leave global reputation alone. */
export async function getDisclosure(ctx: AppContext, slug: string) {
  const row = await store.findIntegrator(ctx.storage.db, slug);
  if (row === undefined) throw new ApiError('NOT_FOUND', 'No integrator has this slug.');
  const version = Number(row.current_version);
  const metrics = await metricsOf(ctx.storage.db, slug, version);
  const of = (p: Polarity) =>
    metrics
      .filter((m) => m.polarity === p)
      .map((m) => ({ metricKey: m.metricKey, lane: m.lane, weight: m.weight, maxPerDay: m.maxPerDay }));
  return {
    integrator: { slug: row.slug, name: row.name, domain: row.domain },
    environmentVersion: version,
    boostingReputationMetrics: of('boost'),
    hurtingReputationMetrics: of('hurt'),
    neutralReputationMetrics: of('neutral'),
  };
}
