// The reputation module's tables (migration 0007; penalties' reporter and withdrawal, 0012): events, penalties and
// the rows derived from them. Only this module queries them.
import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { codePointOrder, saturatedSumSql, translateErrors } from '../../storage/index.ts';
import type { Database, Engine } from '../../storage/index.ts';
import { insertRows } from './multi-row.ts';
import type { InsertSpec } from './multi-row.ts';
import { LANES } from './formula.ts';
import type { Lane } from './formula.ts';
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

/** The columns of a stored event, in the order insertEvents binds them. */
const EVENT_COLUMNS = [
  ['integrator_slug', 'text'],
  ['external_event_id', 'text'],
  ['env_id', 'text'],
  ['event_type', 'text'],
  ['subject_type', 'text'],
  ['subject_id', 'text'],
  ['agent_id', 'text'],
  ['actor_type', 'text'],
  ['actor_id', 'text'],
  ['occurred_at', 'int8'],
  ['metric_values', 'text'],
  ['severity', 'text'],
  ['counterparty_type', 'text'],
  ['counterparty_id', 'text'],
  ['interaction_id', 'text'],
  ['data', 'text'],
  ['received_at', 'int8'],
] as const satisfies InsertSpec['columns'];

const EVENTS: InsertSpec = {
  table: 'reputation_events',
  columns: EVENT_COLUMNS,
  tail: 'on conflict ("integrator_slug", "external_event_id") do nothing returning "seq", "external_event_id"',
};

/** `greatest(a, b)` on both engines, as SQL text for an upsert's SET clause. */
const laterText = (table: string, col: string) =>
  `case when "excluded"."${col}" > "${table}"."${col}" then "excluded"."${col}" else "${table}"."${col}" end`;
const addText = (table: string, col: string) => `"${col}" = "${table}"."${col}" + "excluded"."${col}"`;
/** `addText`, held at what a 32-bit column takes (the added value is a batch's change, never negative). */
const addSaturatedText = (table: string, col: string) =>
  `"${col}" = ${saturatedSumSql(`"${table}"."${col}"`, `"excluded"."${col}"`)}`;

const SCORES: InsertSpec = {
  table: 'reputation_scores',
  columns: [
    ['agent_id', 'text'],
    ['scope', 'text'],
    ['origin_micro', 'int8'],
    ['presence_micro', 'int8'],
    ['conduct_micro', 'int8'],
    ['penalty', 'float8'],
    ['environment_count', 'int4'],
    ['updated_at', 'int8'],
  ],
  tail:
    'on conflict ("agent_id", "scope") do update set ' +
    ['origin_micro', 'presence_micro', 'conduct_micro', 'penalty']
      .map((c) => addText('reputation_scores', c))
      .join(', ') +
    `, ${addSaturatedText('reputation_scores', 'environment_count')}` +
    `, "updated_at" = ${laterText('reputation_scores', 'updated_at')}`,
};

const TOTALS: InsertSpec = {
  table: 'reputation_metric_totals',
  columns: [
    ['agent_id', 'text'],
    ['env_id', 'text'],
    ['metric_key', 'text'],
    ['integrator_slug', 'text'],
    ['total_events', 'int8'],
    ['weighted_micro', 'int8'],
    ['last_event_at', 'int8'],
  ],
  tail:
    'on conflict ("agent_id", "env_id", "metric_key") do update set ' +
    `${addText('reputation_metric_totals', 'total_events')}, ${addText('reputation_metric_totals', 'weighted_micro')}, ` +
    `"last_event_at" = ${laterText('reputation_metric_totals', 'last_event_at')}`,
};

const DAYS: InsertSpec = {
  table: 'reputation_day_counts',
  columns: [
    ['agent_id', 'text'],
    ['env_id', 'text'],
    ['metric_key', 'text'],
    ['day', 'int4'],
    ['counted', 'int4'],
  ],
  tail: `on conflict ("agent_id", "env_id", "metric_key", "day") do update set ${addText('reputation_day_counts', 'counted')}`,
};

const ENVS: InsertSpec = {
  table: 'reputation_env_counts',
  columns: [
    ['agent_id', 'text'],
    ['env_id', 'text'],
    ['integrator_slug', 'text'],
    ['counted', 'int4'],
  ],
  tail: `on conflict ("agent_id", "env_id") do update set ${addText('reputation_env_counts', 'counted')}`,
};

/**
 * Inserts events, skipping those whose (integrator, externalEventId) is already stored. Returns the `seq` of each
 * inserted event by external id; absent ids were duplicates.
 */
export async function insertEvents(db: Db, engine: Engine, rows: readonly NewEventRow[]): Promise<Map<string, number>> {
  const inserted = new Map<string, number>();
  for (const part of chunks(rows, rowsPer(EVENT_COLUMNS.length))) {
    const values: unknown[] = [];
    for (const r of part) {
      values.push(
        r.integrator_slug,
        r.external_event_id,
        r.env_id,
        r.event_type,
        r.subject_type,
        r.subject_id,
        r.agent_id,
        r.actor_type,
        r.actor_id,
        r.occurred_at,
        r.metric_values,
        r.severity,
        r.counterparty_type,
        r.counterparty_id,
        r.interaction_id,
        r.data,
        r.received_at,
      );
    }
    const res = await translateErrors(() =>
      insertRows<{ seq: number | string | bigint; external_event_id: string }>(db, engine, EVENTS, values),
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

/**
 * The stored rows that decide how the given events count: the per-day and per-environment allowances of these agents
 * (and environments, and days). Scores and per-metric totals are written as differences (flushState adds them), so
 * they need no read; leaving them out saves two statements inside the ingest transaction, which holds its agents'
 * locks a round trip longer for each.
 */
export async function loadState(
  db: Db,
  keys: { agentIds: readonly string[]; envIds: readonly string[]; days: readonly number[] },
): Promise<{ days: DayState[]; envs: EnvState[] }> {
  const agents = [...new Set(keys.agentIds)];
  const envIds = [...new Set(keys.envIds)];
  const days = [...new Set(keys.days)];
  const out = { days: [] as DayState[], envs: [] as EnvState[] };
  if (agents.length === 0) return out;
  for (const part of chunks(agents)) {
    const [dayRows, envs] = await translateErrors(() =>
      Promise.all([
        db
          .selectFrom('reputation_day_counts')
          .selectAll()
          .where('agent_id', 'in', part)
          .where('env_id', 'in', envIds)
          .where('day', 'in', days)
          .execute(),
        // Only the environments of the batch: an agent can be in any number of others (one row each, from any
        // integrator), and reading them all made every batch touching it slower by one row per environment.
        db
          .selectFrom('reputation_env_counts')
          .selectAll()
          .where('agent_id', 'in', part)
          .where('env_id', 'in', envIds)
          .execute(),
      ]),
    );
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

/**
 * A score row as read: the lane sums come as text. Every sum written since the bound (state.ts, `MAX_SUM_MICRO`) is a
 * safe integer, but a row written before it can hold more than 2^53 (up to int8's maximum; on SQLite, past it, a
 * float), which PostgreSQL's int8 parser refuses (the whole query would fail: a 500 on every read of that agent).
 * `Number` of the text is exact below the bound and, beyond it, a number also beyond it: such a lane clamps to 0 or
 * 100 in a score, refuses every event that would count in it until a rebuild replaces it, and never equals a rebuilt
 * value.
 */
export type ScoreRow = Omit<Selectable<Database['reputation_scores']>, `${Lane}_micro`> &
  Record<`${Lane}_micro`, string>;

/** The columns of a {@link ScoreRow}. */
function scoreColumns() {
  const ref = (c: string) => sql.ref(`reputation_scores.${c}`);
  return [
    sql<string>`${ref('agent_id')}`.as('agent_id'),
    sql<string>`${ref('scope')}`.as('scope'),
    sql<string>`cast(${ref('origin_micro')} as text)`.as('origin_micro'),
    sql<string>`cast(${ref('presence_micro')} as text)`.as('presence_micro'),
    sql<string>`cast(${ref('conduct_micro')} as text)`.as('conduct_micro'),
    sql<number>`${ref('penalty')}`.as('penalty'),
    sql<number>`${ref('environment_count')}`.as('environment_count'),
    sql<number>`${ref('updated_at')}`.as('updated_at'),
  ] as const;
}

/** Every score row, lane sums as text (see {@link ScoreRow}). */
export function readScoreRows(db: Db): Promise<ScoreRow[]> {
  return db.selectFrom('reputation_scores').select(scoreColumns()).execute();
}

/**
 * The score rows of these agents with a lane sum beyond `beyond` in magnitude: the only ones a batch that can move a
 * sum by at most `MAX_SUM_MICRO - beyond` could take past the bound (state.ts). Usually none; the others need no
 * read, as their changes are written as differences.
 */
export async function loadScoresNearBound(db: Db, agentIds: readonly string[], beyond: number): Promise<ScoreState[]> {
  const agents = [...new Set(agentIds)];
  const out: ScoreState[] = [];
  const b = Math.max(0, Math.floor(beyond));
  for (const part of chunks(agents)) {
    const rows = await translateErrors(() =>
      db
        .selectFrom('reputation_scores')
        .select(scoreColumns())
        .where('agent_id', 'in', part)
        .where((eb) => eb.or(LANES.flatMap((lane) => [eb(`${lane}_micro`, '>', b), eb(`${lane}_micro`, '<', -b)])))
        .execute(),
    );
    out.push(...rows.map(scoreFromRow));
  }
  return out;
}

export function scoreFromRow(r: ScoreRow | Selectable<Database['reputation_scores']>): ScoreState {
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

const cmpKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Adds the differences to the stored rows (creating absent ones); times take the later value. */
export async function flushState(db: Db, engine: Engine, changes: StateChanges): Promise<void> {
  // Score rows are locked in key order by every writer: an ingestion batch (its agents in event order) and a
  // revocation withdrawing penalties (its targets in report order) touching the same agents in opposite orders would
  // otherwise deadlock, and the revocation is not retried (a 500).
  const scores = [...changes.scores].sort((x, y) => cmpKey(x.agentId, y.agentId) || cmpKey(x.scope, y.scope));
  await translateErrors(async () => {
    for (const part of chunks(scores, rowsPer(8))) {
      const values: unknown[] = [];
      for (const s of part) {
        values.push(
          s.agentId,
          s.scope,
          s.micro.origin,
          s.micro.presence,
          s.micro.conduct,
          s.penalty,
          s.environmentCount,
          s.updatedAt,
        );
      }
      await insertRows(db, engine, SCORES, values);
    }
    for (const part of chunks(changes.totals, rowsPer(7))) {
      const values: unknown[] = [];
      for (const t of part) {
        values.push(t.agentId, t.envId, t.metricKey, t.integratorSlug, t.totalEvents, t.weightedMicro, t.lastEventAt);
      }
      await insertRows(db, engine, TOTALS, values);
    }
    for (const part of chunks(changes.days, rowsPer(5))) {
      const values: unknown[] = [];
      for (const d of part) values.push(d.agentId, d.envId, d.metricKey, d.day, d.counted);
      await insertRows(db, engine, DAYS, values);
    }
    for (const part of chunks(changes.envs, rowsPer(4))) {
      const values: unknown[] = [];
      for (const e of part) values.push(e.agentId, e.envId, e.integratorSlug, e.counted);
      await insertRows(db, engine, ENVS, values);
    }
  });
}

/**
 * Records a report penalty (with the reporting agent, null for an anonymous report) and adds it to the agent's global
 * row, atomically (no read-modify-write).
 */
export async function addPenalty(
  db: Db,
  agentId: string,
  penalty: number,
  at: number,
  reporterAgentId: string | null,
): Promise<void> {
  await translateErrors(async () => {
    await db
      .insertInto('reputation_penalties')
      .values({ agent_id: agentId, penalty, at, reporter_agent_id: reporterAgentId, withdrawn_at: null })
      .execute();
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

/** Marks every penalty of this reporter not yet withdrawn as withdrawn at `at`; returns them (target, amount). */
export async function withdrawPenaltiesBy(
  db: Db,
  reporterAgentId: string,
  at: number,
): Promise<Array<{ agentId: string; penalty: number }>> {
  const rows = await translateErrors(() =>
    db
      .updateTable('reputation_penalties')
      .set({ withdrawn_at: at })
      .where('reporter_agent_id', '=', reporterAgentId)
      .where('withdrawn_at', 'is', null)
      .returning(['agent_id', 'penalty'])
      .execute(),
  );
  return rows.map((r) => ({ agentId: r.agent_id, penalty: Number(r.penalty) }));
}

/** A stored score row with the sum of its agent's report penalties in force (not withdrawn, newer than `since`). */
export interface ScoreRead extends ScoreState {
  activePenalty: number;
}

/**
 * The agent's rows for these scopes, each with the penalties in force: one statement, whose subquery reads only the
 * agent's penalties since `penaltiesSince` (index `reputation_penalties_agent_at_idx`).
 */
export function findScores(
  db: Db,
  agentId: string,
  scopes: readonly string[],
  penaltiesSince: number,
): Promise<ScoreRead[]> {
  return translateErrors(async () =>
    (
      await db
        .selectFrom('reputation_scores')
        .select(scoreColumns())
        .select((eb) =>
          eb
            .selectFrom('reputation_penalties')
            .select((p) => p.fn.coalesce(p.fn.sum<number>('reputation_penalties.penalty'), p.lit(0)).as('total'))
            .whereRef('reputation_penalties.agent_id', '=', 'reputation_scores.agent_id')
            .where('reputation_penalties.at', '>', penaltiesSince)
            .where('reputation_penalties.withdrawn_at', 'is', null)
            .as('active_penalty'),
        )
        .where('agent_id', '=', agentId)
        .where('scope', 'in', [...scopes])
        .execute()
    ).map((r) => ({ ...scoreFromRow(r), activePenalty: Number(r.active_penalty ?? 0) })),
  );
}

/** The agent's per-metric rows for one integrator, by environment and metric. */
export function findTotals(db: Db, engine: Engine, agentId: string, integratorSlug: string): Promise<TotalState[]> {
  return translateErrors(async () =>
    (
      await db
        .selectFrom('reputation_metric_totals')
        .selectAll()
        .where('agent_id', '=', agentId)
        .where('integrator_slug', '=', integratorSlug)
        .orderBy(codePointOrder(engine, 'env_id'))
        .orderBy(codePointOrder(engine, 'metric_key'))
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

/**
 * Deletes events this transaction stored and then refused (their contributions would have taken a score sum past
 * the bound): nothing of them is committed.
 */
export async function deleteEvents(db: Db, seqs: readonly number[]): Promise<void> {
  for (const part of chunks(seqs, rowsPer(1))) {
    await translateErrors(() => db.deleteFrom('reputation_events').where('seq', 'in', part).execute());
  }
}
