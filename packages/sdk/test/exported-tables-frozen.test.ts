// The rules and tables the SDK exports are read by the gateway and by offline verifiers in the same process: one that
// code could change would change the rule for all of them. CAPABILITY_TIER_MAX_SECONDS was frozen; BOUND_ONLY_TIERS
// (the tiers that need an issuer binding) was a plain array any import could push to or empty, and so were the JWT
// header members every verifier refuses, the AIP token types and lifetimes, and the client's route table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AIP_DEFAULT_EXPIRES_IN,
  AIP_EXPIRES_IN,
  AIP_TOKEN_TYPES,
  AIP_TYP,
  BOUND_ONLY_TIERS,
  CAPABILITY_DENY_CODES,
  CAPABILITY_TIER_MAX_SECONDS,
  FORBIDDEN_HEADER_MEMBERS,
  NOT_IN_CLIENT,
  ROUTES,
} from '../src/index.ts';

test('the exported capability rules cannot be changed at run time', () => {
  assert.ok(Object.isFrozen(CAPABILITY_TIER_MAX_SECONDS));
  assert.ok(Object.isFrozen(BOUND_ONLY_TIERS));
  assert.throws(() => (BOUND_ONLY_TIERS as unknown as string[]).splice(0), TypeError);
  assert.deepEqual([...BOUND_ONLY_TIERS], ['elevated', 'critical']);
});

test('the exported JWT, AIP and client tables cannot be changed at run time', () => {
  // FORBIDDEN_HEADER_MEMBERS emptied would let every verifier in the process take a token's own jwk/jku/x5u/crit.
  for (const table of [
    FORBIDDEN_HEADER_MEMBERS,
    CAPABILITY_DENY_CODES,
    AIP_TOKEN_TYPES,
    AIP_TYP,
    AIP_EXPIRES_IN,
    AIP_DEFAULT_EXPIRES_IN,
    NOT_IN_CLIENT,
    ROUTES,
  ]) {
    assert.ok(Object.isFrozen(table));
  }
  assert.throws(() => (FORBIDDEN_HEADER_MEMBERS as string[]).splice(0), TypeError);
  for (const route of Object.values(ROUTES)) assert.ok(Object.isFrozen(route) && Object.isFrozen(route.auth));
  assert.throws(() => {
    (ROUTES.intercept as { path: string }).path = '/elsewhere';
  }, TypeError);
});
