// The reputation module's service API: what other modules call (the signatures module applies report penalties
// and shows global scores). Scores are read from rows kept up to date as events and penalties arrive, never
// recomputed from the history on read.
import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../storage/index.ts';
import { LANES, laneScore, round2, weightedScore } from './formula.ts';
import type { Lane } from './formula.ts';
import { GLOBAL_SCOPE } from './state.ts';
import type { ScoreState, TotalState } from './state.ts';
import * as store from './store.ts';

export { LANES } from './formula.ts';
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
  for (const lane of LANES) out[lane] = round2(laneScore(s?.micro[lane] ?? 0));
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

/** The global score of a stored row (an absent row is a new agent: 50 in every lane, no penalty). */
export function globalScoreOf(s: ScoreState | undefined): GlobalScore {
  const row = s ?? emptyScore('', GLOBAL_SCOPE);
  return {
    score: round2(weightedScore(row.micro, row.penalty)),
    laneScores: laneScores(row),
    updatedAt: row.updatedAt,
  };
}

/** The integrator-scoped score of a stored row: the same lanes and weights, without report penalties. */
export function integratorScoreOf(s: ScoreState | undefined): IntegratorScore {
  const row = s ?? emptyScore('', '');
  return {
    score: round2(weightedScore(row.micro)),
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
 * Adds a report penalty (already capped by the caller) to the agent's total, which the global score subtracts.
 * Call it inside the transaction that stores the report, so both land or neither does. Atomic: concurrent
 * penalties and event batches for the same agent add up.
 *
 * @example
 * await ctx.storage.db.transaction().execute(async (trx) => {
 *   // ... insert the report ...
 *   await applyReportPenalty(trx, agent.id, 5, ctx.clock.now());
 * });
 */
export async function applyReportPenalty(
  db: Kysely<Database> | Transaction<Database>,
  agentId: string,
  penalty: number,
  at: number,
): Promise<void> {
  if (!Number.isFinite(penalty) || penalty < 0) throw new RangeError('penalty must be a finite number >= 0.');
  if (penalty === 0) return;
  await store.addPenalty(db, agentId, penalty, at);
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
  const [row] = await store.findScores(ctx.storage.db, agentId, [GLOBAL_SCOPE]);
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
    store.findScores(db, agentId, [GLOBAL_SCOPE, integratorSlug]),
    store.findTotals(db, agentId, integratorSlug),
  ]);
  return {
    score: globalScoreOf(scores.find((s) => s.scope === GLOBAL_SCOPE)),
    integratorScore: integratorScoreOf(scores.find((s) => s.scope === integratorSlug)),
    metricBreakdown: totals.map(breakdownOf),
  };
}
