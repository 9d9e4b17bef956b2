// The reputation module's service API: what other modules call (the signatures module applies and withdraws report
// penalties and shows global scores). Scores are read from rows kept up to date as events and penalties arrive, never
// recomputed from the history on read; only the report penalties still in force are summed then (one subquery).
import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../storage/index.ts';
import { LANES, laneScore, PENALTY_LIFETIME_MS, weightedScore } from './formula.ts';
import type { Lane } from './formula.ts';
import { GLOBAL_SCOPE, ReputationState } from './state.ts';
import type { ScoreState, TotalState } from './state.ts';
import * as store from './store.ts';

export { LANES, PENALTY_LIFETIME_MS } from './formula.ts';
export type { Lane, Polarity, MetricDefinition, MetricValue } from './formula.ts';

/** The seed's `score` object. Scores have two decimals; `updatedAt` is ms (0 for an agent with no history). */
export interface GlobalScore {
  score: number;
  laneScores: Record<Lane, number>;
  updatedAt: number;
}

/** The seed's `integratorScore` object. */
export interface IntegratorScore extends GlobalScore {
  environmentCount: number;
}

/** One row of the seed's `metricBreakdown`. */
export interface MetricBreakdownRow {
  environmentId: string;
  metricKey: string;
  totalEvents: number;
  /** Sum of the counted contributions, in points. */
  weightedContribution: number;
  lastEventAt: number;
}

function laneScores(s: ScoreState | undefined): Record<Lane, number> {
  const out = {} as Record<Lane, number>;
  for (const lane of LANES) out[lane] = laneScore(s?.micro[lane] ?? 0);
  return out;
}

function emptyScore(agentId: string, scope: string): ScoreState {
  return {
    agentId,
    scope,
    micro: { origin: 0, presence: 0, conduct: 0 },
    penalty: 0,
    environmentCount: 0,
    updatedAt: 0,
  };
}

/**
 * The global score of a stored row less the report penalties in force, as read with it (an absent row is a new
 * agent: 50 in every lane, no penalty).
 */
export function globalScoreOf(s: (ScoreState & { activePenalty: number }) | undefined): GlobalScore {
  const row = s ?? emptyScore('', GLOBAL_SCOPE);
  return {
    score: weightedScore(row.micro, s?.activePenalty ?? 0),
    laneScores: laneScores(row),
    updatedAt: row.updatedAt,
  };
}

/** The integrator-scoped score of a stored row: the same lanes and weights, without report penalties. */
export function integratorScoreOf(s: ScoreState | undefined): IntegratorScore {
  const row = s ?? emptyScore('', '');
  return {
    score: weightedScore(row.micro),
    laneScores: laneScores(row),
    environmentCount: row.environmentCount,
    updatedAt: row.updatedAt,
  };
}

function breakdownOf(t: TotalState): MetricBreakdownRow {
  return {
    environmentId: t.envId,
    metricKey: t.metricKey,
    totalEvents: t.totalEvents,
    weightedContribution: t.weightedMicro / 1_000_000,
    lastEventAt: t.lastEventAt,
  };
}

/**
 * Adds a report penalty (already capped by the caller) to the agent's total; the global score subtracts it for
 * {@link PENALTY_LIFETIME_MS} after `at`, unless it is withdrawn. `reporterAgentId` is the agent whose signed report
 * carried it (null for an anonymous report): revoking that agent withdraws it ({@link withdrawReportPenalties}).
 * Call it inside the transaction that stores the report, so both land or neither does. Atomic: concurrent
 * penalties and event batches for the same agent add up.
 *
 * @example
 * await ctx.storage.db.transaction().execute(async (trx) => {
 *   // ... insert the report ...
 *   await applyReportPenalty(trx, agent.id, 5, ctx.clock.now(), reporter.id);
 * });
 */
export async function applyReportPenalty(
  db: Kysely<Database> | Transaction<Database>,
  agentId: string,
  penalty: number,
  at: number,
  reporterAgentId: string | null = null,
): Promise<void> {
  if (!Number.isFinite(penalty) || penalty < 0) throw new RangeError('penalty must be a finite number >= 0.');
  if (penalty === 0) return;
  await store.addPenalty(db, agentId, penalty, at, reporterAgentId);
}

/**
 * Withdraws every penalty carried by `reporterAgentId`'s reports (its revocation, at `at`): they stop counting at
 * once, the targets' totals drop by them, and the rebuild replays the withdrawal. Call it inside the revocation's
 * transaction. Three statements at most, whatever the number of targets.
 *
 * @example
 * await withdrawReportPenalties(ctx, trx, reporter.id, ctx.clock.now());
 */
export async function withdrawReportPenalties(
  ctx: AppContext,
  db: Kysely<Database> | Transaction<Database>,
  reporterAgentId: string,
  at: number,
): Promise<void> {
  const withdrawn = await store.withdrawPenaltiesBy(db, reporterAgentId, at);
  if (withdrawn.length === 0) return;
  // The same update the rebuild replays, written as differences to add (like an ingestion batch).
  const state = new ReputationState(ctx.config.reputation.environmentCap);
  for (const w of withdrawn) state.withdrawPenalty(w.agentId, w.penalty, at);
  await store.flushState(db, ctx.storage.engine, state.changes());
}

/**
 * The agent's global score (0..100, two decimals); 50 for an agent with no events and no reports.
 *
 * @example
 * const score = await getGlobalScore(ctx, agent.id); // 50
 */
export async function getGlobalScore(ctx: AppContext, agentId: string): Promise<number> {
  return (await getGlobalScoreDetails(ctx, agentId)).score;
}

/** The agent's global score with lane scores and `updatedAt` (the seed's `score` object). */
export async function getGlobalScoreDetails(ctx: AppContext, agentId: string): Promise<GlobalScore> {
  const since = ctx.clock.now() - PENALTY_LIFETIME_MS;
  const [row] = await store.findScores(ctx.storage.db, agentId, [GLOBAL_SCOPE], since);
  return globalScoreOf(row);
}

/** Everything an integrator with the agent's consent sees: both scores and its per-metric breakdown. */
export async function getAgentReputation(
  ctx: AppContext,
  agentId: string,
  integratorSlug: string,
): Promise<{ score: GlobalScore; integratorScore: IntegratorScore; metricBreakdown: MetricBreakdownRow[] }> {
  const db = ctx.storage.db;
  const [scores, totals] = await Promise.all([
    store.findScores(db, agentId, [GLOBAL_SCOPE, integratorSlug], ctx.clock.now() - PENALTY_LIFETIME_MS),
    store.findTotals(db, ctx.storage.engine, agentId, integratorSlug),
  ]);
  const global = scores.find((s) => s.scope === GLOBAL_SCOPE);
  return {
    score: globalScoreOf(global),
    integratorScore: integratorScoreOf(scores.find((s) => s.scope === integratorSlug)),
    metricBreakdown: totals.map(breakdownOf),
  };
}
