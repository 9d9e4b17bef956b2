import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

const HOUR = 3_600_000;

test('domain re-checks: every 24 h with a 72 h grace by default; seconds; 0 or off turns re-checking off', () => {
  const c = loadConfig({});
  assert.equal(c.domainRecheckIntervalMs, 24 * HOUR);
  assert.equal(c.domainProofGraceMs, 72 * HOUR);
  const set = (env: Record<string, string>) => loadConfig(env);
  assert.equal(set({ VOUCH_DOMAIN_RECHECK_INTERVAL: '3600' }).domainRecheckIntervalMs, HOUR);
  assert.equal(set({ VOUCH_DOMAIN_RECHECK_INTERVAL: ' 60 ' }).domainRecheckIntervalMs, 60_000);
  assert.equal(set({ VOUCH_DOMAIN_RECHECK_INTERVAL: '2592000' }).domainRecheckIntervalMs, 720 * HOUR);
  for (const off of ['0', 'off', 'OFF', 'Off']) {
    assert.equal(set({ VOUCH_DOMAIN_RECHECK_INTERVAL: off }).domainRecheckIntervalMs, 0, off);
  }
  assert.equal(set({ VOUCH_DOMAIN_RECHECK_INTERVAL: '' }).domainRecheckIntervalMs, 24 * HOUR);
  assert.equal(set({ VOUCH_DOMAIN_PROOF_GRACE: '7200' }).domainProofGraceMs, 2 * HOUR);
  assert.equal(set({ VOUCH_DOMAIN_PROOF_GRACE: '0' }).domainProofGraceMs, 0, 'no grace: the first failure lapses');
});

test('domain re-checks: bad values are refused with ConfigError naming the variable', () => {
  const bad: Array<Record<string, string>> = [
    { VOUCH_DOMAIN_RECHECK_INTERVAL: 'daily' },
    { VOUCH_DOMAIN_RECHECK_INTERVAL: '24h' },
    { VOUCH_DOMAIN_RECHECK_INTERVAL: '-1' },
    { VOUCH_DOMAIN_RECHECK_INTERVAL: '1.5' },
    { VOUCH_DOMAIN_RECHECK_INTERVAL: '59' },
    { VOUCH_DOMAIN_RECHECK_INTERVAL: '2592001' },
    { VOUCH_DOMAIN_PROOF_GRACE: 'off' },
    { VOUCH_DOMAIN_PROOF_GRACE: '3d' },
    { VOUCH_DOMAIN_PROOF_GRACE: '-5' },
    { VOUCH_DOMAIN_PROOF_GRACE: '31536001' },
  ];
  for (const env of bad) {
    const [name] = Object.keys(env);
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && err.message.includes(name!),
      JSON.stringify(env),
    );
  }
});
