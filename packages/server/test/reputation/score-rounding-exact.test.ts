// Published scores have two decimals, rounded halves away from zero from the exact value (docs/reputation.md). Lanes
// are integer micro-points, so the exact value is a decimal with at most seven places: a score whose exact value ends
// in 5 at the third decimal must round up, even where the nearest double lies just below it (50 + (-3.77) × 0.5 =
// 48.115 is the double 48.114999…, which `Math.round(x * 100) / 100` took to 48.11).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globalScoreOf, integratorScoreOf } from '../../src/modules/reputation/service.ts';
import { eachEngine } from '../helpers/storage.ts';
import { appWithAllowingAgent, event, ingest, resolve } from '../integrators/helpers.ts';

const row = (micro: { origin?: number; presence?: number; conduct?: number }, activePenalty = 0) => ({
  agentId: 'a',
  scope: 'global',
  micro: { origin: 0, presence: 0, conduct: 0, ...micro },
  penalty: activePenalty,
  environmentCount: 0,
  updatedAt: 0,
  activePenalty,
});

/**
 * The two-decimal figure of `units / 10^places` points (a non-negative integer), halves up, worked in BigInt and
 * printed as decimal text: independent of floating point.
 */
function exact2(units: bigint, places: number): number {
  const per = 10n ** BigInt(places - 2);
  const hundredths = (units + per / 2n) / per;
  return Number(`${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`);
}

test('a score whose exact value is a half at the third decimal rounds up, not down through float error', () => {
  // conduct 50 − 3.77 = 46.23; score 10 + 15 + 23.115 = 48.115
  assert.equal(globalScoreOf(row({ conduct: -3_770_000 })).score, 48.12);
  assert.equal(integratorScoreOf(row({ conduct: -3_770_000 })).score, 48.12);
  // with a report penalty in force: 43.115
  assert.equal(globalScoreOf(row({ conduct: -3_770_000 }, 5)).score, 43.12);
  // lane scores: 40.035 and 64.115 (doubles just below the half)
  assert.equal(globalScoreOf(row({ presence: -9_965_000 })).laneScores.presence, 40.04);
  assert.equal(globalScoreOf(row({ origin: 14_115_000 })).laneScores.origin, 64.12);
  // a hair below the half rounds down
  assert.equal(globalScoreOf(row({ origin: 14_114_999 })).laneScores.origin, 64.11);
});

test('every lane score and every single-lane global score is the exact two-decimal rounding', () => {
  for (let m = -50_000_000; m <= 50_000_000; m += 2_500) {
    const lane = BigInt(Math.min(100_000_000, Math.max(0, 50_000_000 + m))); // micro-points
    const s = globalScoreOf(row({ conduct: m }));
    assert.equal(s.laneScores.conduct, exact2(lane, 6), `lane of ${m}`);
    // 0.2·50 + 0.3·50 + 0.5·lane, in tenths of micro-points
    assert.equal(s.score, exact2(1_000_000_000n + 1_500_000_000n + 5n * lane * 10n, 8), `score of ${m}`);
  }
});

eachEngine('resolve publishes the exact rounding of a score ending in a half', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', [
    { metricKey: 'late', polarity: 'hurt', weight: 3.77, lane: 'conduct' },
  ]);
  try {
    const res = await ingest(t, key, [event('shop', agent, [{ metricKey: 'late', booleanValue: true }])]);
    assert.equal(res.body.count, 1, JSON.stringify(res.body));
    const r = await resolve(t, agent.did, key);
    assert.equal(r.body.score.score, 48.12);
    assert.equal(r.body.integratorScore.score, 48.12);
    assert.equal(r.body.score.laneScores.conduct, 46.23);
  } finally {
    await t.app.close();
  }
});
