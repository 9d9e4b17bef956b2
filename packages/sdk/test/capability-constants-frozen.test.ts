// The capability rules the SDK exports are read by the gateway and by offline verifiers in the same process: one that
// code could change would change the rule for all of them. CAPABILITY_TIER_MAX_SECONDS was frozen; BOUND_ONLY_TIERS
// (the tiers that need an issuer binding) was a plain array any import could push to or empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOUND_ONLY_TIERS, CAPABILITY_TIER_MAX_SECONDS } from '../src/index.ts';

test('the exported capability rules cannot be changed at run time', () => {
  assert.ok(Object.isFrozen(CAPABILITY_TIER_MAX_SECONDS));
  assert.ok(Object.isFrozen(BOUND_ONLY_TIERS));
  assert.throws(() => (BOUND_ONLY_TIERS as unknown as string[]).splice(0), TypeError);
  assert.deepEqual([...BOUND_ONLY_TIERS], ['elevated', 'critical']);
});
