// The integrators module's tables (migration 0007): integrators, their published metric sets and agents'
// consents. Only this module queries them.
import type { Kysely, Selectable, Transaction } from 'kysely';
import { codePointOrder, translateErrors } from '../../storage/index.ts';
import type { Database, Engine } from '../../storage/index.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type IntegratorRow = Selectable<Database['integrators']>;
export type MetricRow = Selectable<Database['integrator_metrics']>;
export type ConsentRow = Selectable<Database['integrator_consents']>;

export function findIntegrator(db: Db, slug: string): Promise<IntegratorRow | undefined> {
  return translateErrors(() => db.selectFrom('integrators').selectAll().where('slug', '=', slug).executeTakeFirst());
}

export function findIntegratorByKeyHash(db: Db, hash: string): Promise<IntegratorRow | undefined> {
  return translateErrors(() =>
    db.selectFrom('integrators').selectAll().where('api_key_hash', '=', hash).executeTakeFirst(),
  );
}

export function listIntegrators(db: Db, engine: Engine): Promise<IntegratorRow[]> {
  return translateErrors(() =>
    db.selectFrom('integrators').selectAll().orderBy(codePointOrder(engine, 'slug')).execute(),
  );
}

/** Inserts an integrator; false when the slug is taken (the primary key settles races). */
export async function insertIntegrator(db: Db, row: IntegratorRow): Promise<boolean> {
  const res = await translateErrors(() =>
    db
      .insertInto('integrators')
      .values(row)
      .onConflict((oc) => oc.column('slug').doNothing())
      .returning('slug')
      .executeTakeFirst(),
  );
  return res !== undefined;
}

/**
 * Replaces the integrator's API key hash `from` with `to` (compare-and-set); false when `from` is no longer its key
 * (another rotation committed first, or the integrator is gone). On PostgreSQL a concurrent rotation's UPDATE waits
 * for this one's row lock, then finds the hash changed and updates nothing.
 */
export async function replaceApiKeyHash(db: Db, slug: string, from: string, to: string, at: number): Promise<boolean> {
  const res = await translateErrors(() =>
    db
      .updateTable('integrators')
      .set({ api_key_hash: to, updated_at: at })
      .where('slug', '=', slug)
      .where('api_key_hash', '=', from)
      .executeTakeFirst(),
  );
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Whether `hash` is still the integrator's API key; on PostgreSQL the row is read `FOR SHARE`, so a rotation waits
 * for the caller's transaction to end, and one committed first is what this reads.
 */
export async function apiKeyLiveHeld(db: Db, engine: Engine, slug: string, hash: string): Promise<boolean> {
  const q = db.selectFrom('integrators').select('slug').where('slug', '=', slug).where('api_key_hash', '=', hash);
  return (await translateErrors(() => (engine === 'postgres' ? q.forShare() : q).executeTakeFirst())) !== undefined;
}

/**
 * Moves the integrator from version `from` to `from + 1`; false if another change got there first (the version
 * is the optimistic lock).
 */
export async function bumpVersion(db: Db, slug: string, from: number, at: number): Promise<boolean> {
  const res = await translateErrors(() =>
    db
      .updateTable('integrators')
      .set({ current_version: from + 1, updated_at: at })
      .where('slug', '=', slug)
      .where('current_version', '=', from)
      .executeTakeFirst(),
  );
  return Number(res.numUpdatedRows) === 1;
}

export async function insertVersion(db: Db, slug: string, version: number, at: number, metrics: MetricRow[]) {
  await translateErrors(async () => {
    await db
      .insertInto('integrator_environment_versions')
      .values({ integrator_slug: slug, version, published_at: at })
      .execute();
    if (metrics.length > 0) await db.insertInto('integrator_metrics').values(metrics).execute();
  });
}

/** Whether the integrator published this environment version. */
export async function versionPublished(db: Db, slug: string, version: number): Promise<boolean> {
  const row = await translateErrors(() =>
    db
      .selectFrom('integrator_environment_versions')
      .select('version')
      .where('integrator_slug', '=', slug)
      .where('version', '=', version)
      .executeTakeFirst(),
  );
  return row !== undefined;
}

/** Which of `versions` the integrator has published: one query however many are asked. */
export async function publishedVersions(db: Db, slug: string, versions: readonly number[]): Promise<Set<number>> {
  if (versions.length === 0) return new Set();
  const rows = await translateErrors(() =>
    db
      .selectFrom('integrator_environment_versions')
      .select('version')
      .where('integrator_slug', '=', slug)
      .where('version', 'in', versions)
      .execute(),
  );
  return new Set(rows.map((r) => Number(r.version)));
}

export function listMetrics(db: Db, slug: string, version: number): Promise<MetricRow[]> {
  return translateErrors(() =>
    db
      .selectFrom('integrator_metrics')
      .selectAll()
      .where('integrator_slug', '=', slug)
      .where('version', '=', version)
      .orderBy('position')
      .execute(),
  );
}

/** The columns that define a metric (its slug, version and position locate it). */
export type MetricFields = Pick<MetricRow, 'metric_key' | 'polarity' | 'weight' | 'lane' | 'max_per_day'>;
/** One integrator with one of its current metrics; the metric columns are null when it has none. */
export type IntegratorMetricRow = IntegratorRow & { [K in keyof MetricFields]: MetricFields[K] | null };

/**
 * Every integrator with its current metrics, one row per metric, by slug then position. One statement, so the
 * versions and the metrics come from one snapshot (and listing never queries once per integrator).
 */
export function listIntegratorsWithMetrics(db: Db, engine: Engine): Promise<IntegratorMetricRow[]> {
  return translateErrors(() =>
    db
      .selectFrom('integrators as i')
      .leftJoin('integrator_metrics as m', (join) =>
        join.onRef('m.integrator_slug', '=', 'i.slug').onRef('m.version', '=', 'i.current_version'),
      )
      .selectAll('i')
      .select(['m.metric_key', 'm.polarity', 'm.weight', 'm.lane', 'm.max_per_day'])
      .orderBy(codePointOrder(engine, 'i.slug'))
      .orderBy('m.position')
      .execute(),
  );
}

export function findConsent(db: Db, slug: string, agentId: string): Promise<ConsentRow | undefined> {
  return translateErrors(() =>
    db
      .selectFrom('integrator_consents')
      .selectAll()
      .where('integrator_slug', '=', slug)
      .where('agent_id', '=', agentId)
      .executeTakeFirst(),
  );
}

/**
 * The consents of these agents for the integrator. With `hold` on PostgreSQL the rows are read `FOR SHARE`: a
 * consent change waits for the caller's transaction to end, and one committed first is what this reads.
 */
export function findConsents(db: Db, slug: string, agentIds: readonly string[], hold?: Engine): Promise<ConsentRow[]> {
  if (agentIds.length === 0) return Promise.resolve([]);
  const query = db
    .selectFrom('integrator_consents')
    .selectAll()
    .where('integrator_slug', '=', slug)
    .where('agent_id', 'in', [...agentIds]);
  return translateErrors(() => (hold === 'postgres' ? query.forShare() : query).execute());
}

/**
 * Stores a consent unless the stored one outranks it (and is not dated after `trustedUntil`: a stored date beyond it
 * is a pre-freshness-check lock, which any fresh consent replaces); returns whether it was stored. Consents rank by
 * `signedAt`, and at equal `signedAt` a revoke outranks an allow: a strict order, so no stored consent can be
 * displaced by a statement it outranks (a replay), and an allow then revoke of one millisecond ends revoked. One
 * statement, so two concurrent consents for the same agent settle on the higher one.
 */
export async function upsertConsentIfNewer(db: Db, row: ConsentRow, trustedUntil: number): Promise<boolean> {
  const res = await translateErrors(() =>
    db
      .insertInto('integrator_consents')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['integrator_slug', 'agent_id'])
          .doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            signed_at: eb.ref('excluded.signed_at'),
            signature_hash: eb.ref('excluded.signature_hash'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .where((eb) =>
            eb.or([
              eb('integrator_consents.signed_at', '<', eb.ref('excluded.signed_at')),
              eb.and([
                eb('integrator_consents.signed_at', '=', eb.ref('excluded.signed_at')),
                eb('integrator_consents.status', '=', 'allowed'),
                eb(eb.ref('excluded.status'), '=', 'revoked'),
              ]),
              eb('integrator_consents.signed_at', '>', trustedUntil),
            ]),
          ),
      )
      .returning('agent_id')
      .executeTakeFirst(),
  );
  return res !== undefined;
}
