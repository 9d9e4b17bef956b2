// Score rows seeded near the lane-sum bound through the storage layer, for the score-sum tests: reaching the bound
// for real takes millions of events.
import { sql } from 'kysely';
import type { Storage } from '../../src/storage/index.ts';
import * as store from '../../src/modules/reputation/store.ts';
import type { DayState } from '../../src/modules/reputation/state.ts';
import { allow, createIntegrator, registerAgent, repApp } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

/** 500 points short of Number.MAX_SAFE_INTEGER micro-points (what 9,007,199 contributions of 1,000 points leave). */
export const NEAR_BOUND = Number.MAX_SAFE_INTEGER - 500_000_000;

export interface NearBoundSeed {
  /** The lane seeded near the bound (default conduct); the others are 0. */
  lane?: 'presence' | 'conduct';
  /** Near the negative bound instead. */
  negative?: boolean;
  /** Day counts seeded with the rows. */
  days?: DayState[];
  /** When given, the agent's environment `shop.production.v1` is seeded with this many counted contributions. */
  envCounted?: number;
  /** The scopes seeded near the bound (default both); the other one's row is seeded with every lane at 0. */
  near?: ReadonlyArray<'global' | 'shop'>;
}

/** Both scopes (global and shop) of the agent's score rows near the bound, `updatedAt` 1, one environment counted. */
export async function seedNearBound(storage: Storage, agentId: string, seed: NearBoundSeed = {}): Promise<void> {
  const micro = { origin: 0, presence: 0, conduct: 0 };
  micro[seed.lane ?? 'conduct'] = seed.negative === true ? -NEAR_BOUND : NEAR_BOUND;
  const near = seed.near ?? ['global', 'shop'];
  const row = (scope: 'global' | 'shop') => ({
    agentId,
    scope,
    micro: near.includes(scope) ? { ...micro } : { origin: 0, presence: 0, conduct: 0 },
    penalty: 0,
    environmentCount: 1,
    updatedAt: 1,
  });
  await store.flushState(storage.db, storage.engine, {
    scores: [row('global'), row('shop')],
    totals: [],
    days: seed.days ?? [],
    envs:
      seed.envCounted === undefined
        ? []
        : [{ agentId, envId: 'shop.production.v1', integratorSlug: 'shop', counted: seed.envCounted }],
  });
}

/** A reputation app with the integrator `shop` (its `metrics`) and one agent that allows it: the tests' start. */
export async function shopAndAgent(storage: Storage, metrics: MetricSpec[]) {
  const t = await repApp(storage);
  const key = await createIntegrator(t, 'shop', metrics);
  const agent = await registerAgent(t);
  await allow(t, agent, 'shop');
  return { t, key, agent };
}

/** The agent's stored sums of `lane` in micro-points, as text, by scope (in scope order). */
export async function laneSums(
  storage: Storage,
  agentId: string,
  lane: 'presence' | 'conduct' = 'conduct',
): Promise<Array<[string, string]>> {
  const rows = await sql<{ scope: string; v: string }>`select scope, cast(${sql.ref(`${lane}_micro`)} as text) as v
    from reputation_scores where agent_id = ${agentId} order by scope`.execute(storage.db);
  return rows.rows.map((r) => [r.scope, String(r.v)]);
}
