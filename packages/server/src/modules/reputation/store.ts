// The reputation module's tables (migration 0007): events, penalties and the rows derived from them. Only this
// module queries them.
import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { translateErrors } from '../../storage/index.ts';
import type { Database } from '../../storage/index.ts';
import { insertMany } from './multi-row.ts';
import type { DayState, EnvState, ScoreState, StateChanges, TotalState } from './state.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type EventRow = Selectable<Database['reputation_events']>;
export type NewEventRow = Omit<EventRow, 'seq'>;

/** Rows per multi-row statement: well under both engines' bound-parameter limits. */
const CHUNK = 400;
/**
 * Bound parameters per multi-row write (SQLite allows 32,766, PostgreSQL 65,535): a whole batch of up to 1,000
 * events goes in one statement per table rather than one per few hundred rows.
 */
const MAX_PARAMS = 30_000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  if (items.length <= size) return items.length === 0 ? [] : [items as T[]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Rows of `columns` values each that fit one statement. */
const rowsPer = (columns: number) => Math.floor(MAX_PARAMS / columns);

/** `greatest(a, b)` on both engines. */
const later = (table: string, col: string) =>
  sql<number>`case when ${sql.ref(`excluded.${col}`)} > ${sql.ref(`${table}.${col}`)} then ${sql.ref(
    `excluded.${col}`,
  )} else ${sql.ref(`${table}.${col}`)} end`;

/**
 * Inserts events, skipping those whose (integrator, externalEventId) is already stored. Returns the `seq` of each
 * inserted event by external id; absent ids were duplicates.
 */
export async function insertEvents(db: Db, rows: readonly NewEventRow[]): Promise<Map<string, number>> {
  const inserted = new Map<string, number>();
  for (const part of chunks(rows, rowsPer(17))) {
    const res = await translateErrors(() =>
      insertMany(db, part, (rs) =>
        db
          .insertInto('reputation_events')
          .values(rs)
          .onConflict((oc) => oc.columns(['integrator_slug', 'external_event_id']).doNothing())
          .returning(['seq', 'external_event_id']),
      ),
    );
    for (const r of res) inserted.set(r.external_event_id, Number(r.seq));
  }
  return inserted;
}

/**
 * Serializes reputation updates per agent across processes (PostgreSQL; SQLite has one writer at a time anyway):
 * transaction-scoped advisory locks taken in one global order, so two batches never deadlock.
 */
export async function lockAgents(db: Db, engine: 'sqlite' | 'postgres', agentIds: readonly string[]): Promise<void> {
  if (engine !== 'postgres' || agentIds.length === 0) return;
  const keys = [...new Set(agentIds)].map((id) => `vouch-reputation:${id}`);
  await translateErrors(() =>
    sql`select pg_advisory_xact_lock(h) from (select distinct hashtext(k) as h from unnest(${keys}::text[]) as k
      order by h) as s`.execute(db),
  );
}

/** Every derived row the given events can touch: all rows of these agents (and environments, and days). */
export async function loadState(
  db: Db,
  keys: { agentIds: readonly string[]; envIds: readonly string[]; days: readonly number[] },
): Promise<{ scores: ScoreState[]; totals: TotalState[]; days: DayState[]; envs: EnvState[] }> {
  const agents = [...new Set(keys.agentIds)];
  const envIds = [...new Set(keys.envIds)];
  const days = [...new Set(keys.days)];
  const out = {
    scores: [] as ScoreState[],
    totals: [] as TotalState[],
    days: [] as DayState[],
    envs: [] as EnvState[],
  };
  if (agents.length === 0) return out;
  for (const part of chunks(agents)) {
    const [scores, totals, dayRows, envs] = await translateErrors(() =>
      Promise.all([
        db.selectFrom('reputation_scores').selectAll().where('agent_id', 'in', part).execute(),
        db
          .selectFrom('reputation_metric_totals')
          .selectAll()
          .where('agent_id', 'in', part)
          .where('env_id', 'in', envIds)
          .execute(),
        db
          .selectFrom('reputation_day_counts')
          .selectAll()
          .where('agent_id', 'in', part)
          .where('env_id', 'in', envIds)
          .where('day', 'in', days)
          .execute(),
        db.selectFrom('reputation_env_counts').selectAll().where('agent_id', 'in', part).execute(),
      ]),
    );
    out.scores.push(...scores.map(scoreFromRow));
    out.totals.push(...totals.map(totalFromRow));
    out.days.push(
      ...dayRows.map((r) => ({
        agentId: r.agent_id,
        envId: r.env_id,
        metricKey: r.metric_key,
        day: Number(r.day),
        counted: Number(r.counted),
      })),
    );
    out.envs.push(
      ...envs.map((r) => ({
        agentId: r.agent_id,
        envId: r.env_id,
        integratorSlug: r.integrator_slug,
        counted: Number(r.counted),
      })),
    );
  }
  return out;
}

export function scoreFromRow(r: Selectable<Database['reputation_scores']>): ScoreState {
  return {
    agentId: r.agent_id,
    scope: r.scope,
    micro: { origin: Number(r.origin_micro), presence: Number(r.presence_micro), conduct: Number(r.conduct_micro) },
    penalty: Number(r.penalty),
    environmentCount: Number(r.environment_count),
    updatedAt: Number(r.updated_at),
  };
}

export function totalFromRow(r: Selectable<Database['reputation_metric_totals']>): TotalState {
  return {
    agentId: r.agent_id,
    envId: r.env_id,
    metricKey: r.metric_key,
    integratorSlug: r.integrator_slug,
    totalEvents: Number(r.total_events),
    weightedMicro: Number(r.weighted_micro),
    lastEventAt: Number(r.last_event_at),
  };
}

/** Adds the differences to the stored rows (creating absent ones); times take the later value. */
export async function flushState(db: Db, changes: StateChanges): Promise<void> {
  await translateErrors(async () => {
    for (const part of chunks(changes.scores, rowsPer(8))) {
      await insertMany(
        db,
        part.map((s) => ({
          agent_id: s.agentId,
          scope: s.scope,
          origin_micro: s.micro.origin,
          presence_micro: s.micro.presence,
          conduct_micro: s.micro.conduct,
          penalty: s.penalty,
          environment_count: s.environmentCount,
          updated_at: s.updatedAt,
        })),
        (rs) =>
          db
            .insertInto('reputation_scores')
            .values(rs)
            .onConflict((oc) =>
              oc.columns(['agent_id', 'scope']).doUpdateSet((eb) => ({
                origin_micro: eb('reputation_scores.origin_micro', '+', eb.ref('excluded.origin_micro')),
                presence_micro: eb('reputation_scores.presence_micro', '+', eb.ref('excluded.presence_micro')),
                conduct_micro: eb('reputation_scores.conduct_micro', '+', eb.ref('excluded.conduct_micro')),
                penalty: eb('reputation_scores.penalty', '+', eb.ref('excluded.penalty')),
                environment_count: eb('reputation_scores.environment_count', '+', eb.ref('excluded.environment_count')),
                updated_at: later('reputation_scores', 'updated_at'),
              })),
            ),
      );
    }
    for (const part of chunks(changes.totals, rowsPer(7))) {
      await insertMany(
        db,
        part.map((t) => ({
          agent_id: t.agentId,
          env_id: t.envId,
          metric_key: t.metricKey,
          integrator_slug: t.integratorSlug,
          total_events: t.totalEvents,
          weighted_micro: t.weightedMicro,
          last_event_at: t.lastEventAt,
        })),
        (rs) =>
          db
            .insertInto('reputation_metric_totals')
            .values(rs)
            .onConflict((oc) =>
              oc.columns(['agent_id', 'env_id', 'metric_key']).doUpdateSet((eb) => ({
                total_events: eb('reputation_metric_totals.total_events', '+', eb.ref('excluded.total_events')),
                weighted_micro: eb('reputation_metric_totals.weighted_micro', '+', eb.ref('excluded.weighted_micro')),
                last_event_at: later('reputation_metric_totals', 'last_event_at'),
              })),
            ),
      );
    }
    for (const part of chunks(changes.days, rowsPer(5))) {
      await insertMany(
        db,
        part.map((d) => ({
          agent_id: d.agentId,
          env_id: d.envId,
          metric_key: d.metricKey,
          day: d.day,
          counted: d.counted,
        })),
        (rs) =>
          db
            .insertInto('reputation_day_counts')
            .values(rs)
            .onConflict((oc) =>
              oc.columns(['agent_id', 'env_id', 'metric_key', 'day']).doUpdateSet((eb) => ({
                counted: eb('reputation_day_counts.counted', '+', eb.ref('excluded.counted')),
              })),
            ),
      );
    }
    for (const part of chunks(changes.envs, rowsPer(4))) {
      await insertMany(
        db,
        part.map((e) => ({
          agent_id: e.agentId,
          env_id: e.envId,
          integrator_slug: e.integratorSlug,
          counted: e.counted,
        })),
        (rs) =>
          db
            .insertInto('reputation_env_counts')
            .values(rs)
            .onConflict((oc) =>
              oc.columns(['agent_id', 'env_id']).doUpdateSet((eb) => ({
                counted: eb('reputation_env_counts.counted', '+', eb.ref('excluded.counted')),
              })),
            ),
      );
    }
  });
}

/** Records a report penalty and adds it to the agent's global row, atomically (no read-modify-write). */
export async function addPenalty(db: Db, agentId: string, penalty: number, at: number): Promise<void> {
  await translateErrors(async () => {
    await db.insertInto('reputation_penalties').values({ agent_id: agentId, penalty, at }).execute();
    await db
      .insertInto('reputation_scores')
      .values({
        agent_id: agentId,
        scope: 'global',
        origin_micro: 0,
        presence_micro: 0,
        conduct_micro: 0,
        penalty,
        environment_count: 0,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['agent_id', 'scope']).doUpdateSet((eb) => ({
          penalty: eb('reputation_scores.penalty', '+', eb.ref('excluded.penalty')),
          updated_at: later('reputation_scores', 'updated_at'),
        })),
      )
      .execute();
  });
}

export function findScores(db: Db, agentId: string, scopes: readonly string[]): Promise<ScoreState[]> {
  return translateErrors(async () =>
    (
      await db
        .selectFrom('reputation_scores')
        .selectAll()
        .where('agent_id', '=', agentId)
        .where('scope', 'in', [...scopes])
        .execute()
    ).map(scoreFromRow),
  );
}

/** The agent's per-metric rows for one integrator, by environment and metric. */
export function findTotals(db: Db, agentId: string, integratorSlug: string): Promise<TotalState[]> {
  return translateErrors(async () =>
    (
      await db
        .selectFrom('reputation_metric_totals')
        .selectAll()
        .where('agent_id', '=', agentId)
        .where('integrator_slug', '=', integratorSlug)
        .orderBy('env_id')
        .orderBy('metric_key')
        .execute()
    ).map(totalFromRow),
  );
}

/** Which of these external ids the integrator has already stored. */
export async function existingExternalIds(db: Db, slug: string, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const unique = [...new Set(ids)];
  for (const part of chunks(unique, rowsPer(1))) {
    const rows = await translateErrors(() =>
      db
        .selectFrom('reputation_events')
        .select('external_event_id')
        .where('integrator_slug', '=', slug)
        .where('external_event_id', 'in', part)
        .execute(),
    );
    for (const r of rows) out.add(r.external_event_id);
  }
  return out;
}
