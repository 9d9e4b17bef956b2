// The rebuild: recomputes every derived reputation row from the history (events in `seq` order, report
// penalties and their withdrawals) with the same code the incremental update runs, compares it with what is
// stored, and replaces it.
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { recordAudit, translateErrors } from '../../storage/index.ts';
import { getEnvironmentMetrics } from '../integrators/service.ts';
import type { MetricValue } from './formula.ts';
import { ReputationState } from './state.ts';
import type { DayState, EnvState, ScoreState, TotalState } from './state.ts';
import * as store from './store.ts';
import type { Db } from './store.ts';

const PAGE = 5000;

/** Every derived row, in a canonical order: what the rebuild compares. */
export interface DerivedState {
  scores: ScoreState[];
  totals: TotalState[];
  days: DayState[];
  envs: EnvState[];
}

export interface RebuildReport {
  events: number;
  penalties: number;
  agents: number;
  /** Whether the stored rows already equalled the rebuilt ones. */
  consistent: boolean;
  /** False for a dry run: nothing was written. */
  written: boolean;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Reads every derived row, sorted by key. */
export async function readDerivedState(db: Db): Promise<DerivedState> {
  return translateErrors(async () => {
    const [scores, totals, days, envs] = await Promise.all([
      store.readScoreRows(db),
      db.selectFrom('reputation_metric_totals').selectAll().execute(),
      db.selectFrom('reputation_day_counts').selectAll().execute(),
      db.selectFrom('reputation_env_counts').selectAll().execute(),
    ]);
    return canonical({
      scores: scores.map(store.scoreFromRow),
      totals: totals.map(store.totalFromRow),
      days: days.map((r) => ({
        agentId: r.agent_id,
        envId: r.env_id,
        metricKey: r.metric_key,
        day: Number(r.day),
        counted: Number(r.counted),
      })),
      envs: envs.map((r) => ({
        agentId: r.agent_id,
        envId: r.env_id,
        integratorSlug: r.integrator_slug,
        counted: Number(r.counted),
      })),
    });
  });
}

function canonical(s: DerivedState): DerivedState {
  return {
    scores: [...s.scores].sort((a, b) => cmp(a.agentId, b.agentId) || cmp(a.scope, b.scope)),
    totals: [...s.totals].sort(
      (a, b) => cmp(a.agentId, b.agentId) || cmp(a.envId, b.envId) || cmp(a.metricKey, b.metricKey),
    ),
    days: [...s.days].sort(
      (a, b) => cmp(a.agentId, b.agentId) || cmp(a.envId, b.envId) || cmp(a.metricKey, b.metricKey) || a.day - b.day,
    ),
    envs: [...s.envs].sort((a, b) => cmp(a.agentId, b.agentId) || cmp(a.envId, b.envId)),
  };
}

/** Replays the whole history into fresh state (read inside `db`, a transaction). */
async function replay(ctx: AppContext, db: Db): Promise<{ state: DerivedState; events: number; penalties: number }> {
  const state = new ReputationState(ctx.config.reputation.environmentCap);
  let events = 0;
  let after = 0;
  for (;;) {
    const page = await translateErrors(() =>
      db
        .selectFrom('reputation_events')
        .select(['seq', 'integrator_slug', 'env_id', 'agent_id', 'occurred_at', 'received_at', 'metric_values'])
        .where('agent_id', 'is not', null)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(PAGE)
        .execute(),
    );
    for (const e of page) {
      const version = Number(/\.v([0-9]+)$/.exec(e.env_id)?.[1]);
      const metrics = await getEnvironmentMetrics(ctx, e.integrator_slug, version, db);
      if (metrics === undefined) throw new Error(`Environment ${e.env_id} of event ${e.seq} is not published.`);
      state.apply({
        agentId: e.agent_id!,
        integratorSlug: e.integrator_slug,
        envId: e.env_id,
        occurredAt: Number(e.occurred_at),
        receivedAt: Number(e.received_at),
        metricValues: JSON.parse(e.metric_values) as MetricValue[],
        metrics,
      });
    }
    events += page.length;
    if (page.length < PAGE) break;
    after = Number(page[page.length - 1]!.seq);
  }
  const penalties = await translateErrors(() =>
    db
      .selectFrom('reputation_penalties')
      .select(['agent_id', 'penalty', 'at', 'withdrawn_at'])
      .orderBy('seq')
      .execute(),
  );
  for (const p of penalties) {
    state.applyPenalty(p.agent_id, Number(p.penalty), Number(p.at));
    // A withdrawn penalty (its reporter was revoked) is taken back as the revocation did.
    if (p.withdrawn_at !== null) state.withdrawPenalty(p.agent_id, Number(p.penalty), Number(p.withdrawn_at));
  }
  return { state: canonical(state.changes()), events, penalties: penalties.length };
}

/**
 * Recomputes all reputation from history and compares it with the incrementally maintained rows; unless
 * `dryRun`, replaces them (in one transaction, with ingestion and penalties held off on PostgreSQL).
 *
 * @example
 * const { consistent } = await rebuildReputation(ctx, { dryRun: true });
 */
export async function rebuildReputation(
  ctx: AppContext,
  options: { dryRun?: boolean; actor?: string; requestId?: string } = {},
): Promise<RebuildReport> {
  return ctx.storage.db.transaction().execute(async (trx) => {
    if (ctx.storage.engine === 'postgres') {
      // Both modes block inserts: no event or penalty lands between the replay and the write. A rebuild that writes
      // also excludes every other rebuild (SHARE ROW EXCLUSIVE conflicts with itself and with SHARE): its delete
      // cannot remove rows another one is inserting, so two at once would add their replays together.
      if (options.dryRun) await sql`lock table reputation_events, reputation_penalties in share mode`.execute(trx);
      else await sql`lock table reputation_events, reputation_penalties in share row exclusive mode`.execute(trx);
    } else if (!options.dryRun) {
      // Take SQLite's write lock first, so the replay reads what the write replaces.
      await sql`delete from reputation_day_counts where 1 = 0`.execute(trx);
    }
    const { state, events, penalties } = await replay(ctx, trx);
    const current = await readDerivedState(trx);
    const consistent = JSON.stringify(current) === JSON.stringify(state);
    if (!options.dryRun && !consistent) {
      await translateErrors(async () => {
        await trx.deleteFrom('reputation_scores').execute();
        await trx.deleteFrom('reputation_metric_totals').execute();
        await trx.deleteFrom('reputation_day_counts').execute();
        await trx.deleteFrom('reputation_env_counts').execute();
      });
      await store.flushState(trx, ctx.storage.engine, state);
    }
    if (!options.dryRun) {
      await recordAudit(trx, {
        at: ctx.clock.now(),
        actor: options.actor ?? 'admin',
        action: 'reputation.rebuild',
        details: { events, penalties, consistent },
        requestId: options.requestId,
      });
    }
    const agents = new Set(state.scores.map((s) => s.agentId)).size;
    return { events, penalties, agents, consistent, written: !options.dryRun };
  });
}
