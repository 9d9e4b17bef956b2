// Whole-number settings take leading zeros (VOUCH_PORT=04100 is 4100), and VOUCH_DOMAIN_RECHECK_INTERVAL and
// VOUCH_TRUST_REGISTRY_MAX_LIFETIME document `0` as off, but `00` was refused "must be between 60 and 2592000, got 0":
// a refusal naming a value the setting accepts. Any run of zeros is now 0, off, as `0` is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, parseRegistryMaxLifetime } from '../src/config.ts';

test('a run of zeros turns the re-check and the lifetime cap off, as 0 does', () => {
  for (const raw of ['00', '000', ' 00 ']) {
    assert.equal(loadConfig({ VOUCH_DOMAIN_RECHECK_INTERVAL: raw }).domainRecheckIntervalMs, 0, raw);
    const c = loadConfig({ VOUCH_TRUST_REGISTRY_MAX_LIFETIME: raw });
    assert.equal(c.registry.trustMaxLifetimeSeconds, undefined, raw);
    assert.equal(parseRegistryMaxLifetime(raw, '--max-lifetime'), undefined, raw);
  }
  // Leading zeros before other digits are the number, bounds still apply.
  assert.equal(loadConfig({ VOUCH_DOMAIN_RECHECK_INTERVAL: '060' }).domainRecheckIntervalMs, 60_000);
  assert.throws(() => loadConfig({ VOUCH_DOMAIN_RECHECK_INTERVAL: '059' }), /must be between 60 and/);
});
