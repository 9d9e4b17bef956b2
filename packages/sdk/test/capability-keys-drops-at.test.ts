// An offline gateway keeps its capabilityKeysFromVouchKeys resolver, and the vouch-keys.json it read, for a while: a
// retired key must stop verifying at its `drops_at` (when the server stops verifying with it and stops listing it),
// on the resolver's clock, and a key whose `status` is neither "active" nor "retired" (the server publishes only
// those) must not verify at all. A list without these members (an older server) verifies as before.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  capabilityKeysFromVouchKeys,
  checkCapability,
  generateKeyPair,
  signCapabilityToken,
  verifyCapability,
  VouchError,
  type CapabilityClaims,
  type GeneratedKeyPair,
  type VouchKeys,
} from '../src/index.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const DROPS = NOW + 3_600_000;
const REQUEST = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' } as const;

function entry(pair: GeneratedKeyPair, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kty: 'OKP',
    crv: 'Ed25519',
    x: pair.publicJwk.x,
    kid: pair.thumbprint,
    alg: 'EdDSA',
    use: 'sig',
    purpose: 'capability',
    created_at: new Date(NOW - 86_400_000).toISOString(),
    ...extra,
  };
}

function token(pair: GeneratedKeyPair): Promise<string> {
  const iat = Math.floor(NOW / 1000) - 60;
  const claims: CapabilityClaims = {
    jti: 't1',
    sub: REQUEST.agentId,
    res: 'payments:*',
    act: 'read',
    tier: 'observe',
    iat,
    exp: iat + 86_400,
    iid: null,
    cth: null,
    ikt: null,
    par: [],
  };
  return signCapabilityToken(claims, pair.privateKey, { kid: pair.thumbprint });
}

describe('capabilityKeysFromVouchKeys honours drops_at and status', async () => {
  const pair = await generateKeyPair('Ed25519');
  const kid = pair.thumbprint;

  test('a retired key resolves until its drops_at, on the injected clock, and not from then on', async () => {
    let clock = NOW;
    const resolveKey = capabilityKeysFromVouchKeys(
      { keys: [entry(pair, { status: 'retired', drops_at: new Date(DROPS).toISOString() })] },
      { now: () => clock },
    );
    const t = await token(pair);
    const decide = () => checkCapability(t, REQUEST, { resolveKey, now: clock });
    assert.ok(await resolveKey(kid, { alg: 'EdDSA', kid }));
    assert.equal((await decide()).decision, 'allow');
    clock = DROPS - 1;
    assert.ok(await resolveKey(kid, { alg: 'EdDSA', kid }), 'still listed one ms before');
    clock = DROPS;
    assert.equal(await resolveKey(kid, { alg: 'EdDSA', kid }), undefined, 'the same resolver drops it at drops_at');
    const d = await decide();
    assert.deepEqual([d.decision, d.decision === 'deny' ? d.code : ''], ['deny', 'INVALID_SIGNATURE']);
  });

  test('without a clock, drops_at is compared with Date.now()', async () => {
    const past = capabilityKeysFromVouchKeys({
      keys: [entry(pair, { status: 'retired', drops_at: '2000-01-01T00:00:00.000Z' })],
    });
    assert.equal(await past(kid, { alg: 'EdDSA', kid }), undefined);
    const future = capabilityKeysFromVouchKeys({
      keys: [entry(pair, { status: 'retired', drops_at: '2999-01-01T00:00:00.000Z' })],
    });
    assert.ok(await future(kid, { alg: 'EdDSA', kid }));
  });

  test('"active" and "retired" keys verify; any other status does not', async () => {
    for (const status of ['active', 'retired']) {
      const resolveKey = capabilityKeysFromVouchKeys({ keys: [entry(pair, { status })] }, { now: () => NOW });
      assert.ok(await resolveKey(kid, { alg: 'EdDSA', kid }), status);
    }
    for (const status of ['compromised', 'revoked', 'dropped', 'Active', '', 1, null, true]) {
      const resolveKey = capabilityKeysFromVouchKeys({ keys: [entry(pair, { status })] }, { now: () => NOW });
      assert.equal(await resolveKey(kid, { alg: 'EdDSA', kid }), undefined, JSON.stringify(status));
      const d = await checkCapability(await token(pair), REQUEST, { resolveKey, now: NOW });
      assert.equal(d.decision === 'deny' ? d.code : 'allow', 'INVALID_SIGNATURE', JSON.stringify(status));
    }
  });

  test('a drops_at that is not a time does not keep a key trusted for ever', async () => {
    for (const dropsAt of ['soon', '', DROPS, null, {}]) {
      const resolveKey = capabilityKeysFromVouchKeys(
        { keys: [entry(pair, { status: 'retired', drops_at: dropsAt })] },
        { now: () => NOW },
      );
      assert.equal(await resolveKey(kid, { alg: 'EdDSA', kid }), undefined, JSON.stringify(dropsAt));
    }
  });

  test('a kid listed twice stays ambiguous, whatever the status of one of the entries', async () => {
    const resolveKey = capabilityKeysFromVouchKeys(
      { keys: [entry(pair, { status: 'compromised' }), entry(pair, { status: 'active' })] },
      { now: () => NOW },
    );
    assert.equal(await resolveKey(kid, { alg: 'EdDSA', kid }), undefined);
  });

  test('a list without status or drops_at (an older server) verifies as before, at any time', async () => {
    const resolveKey = capabilityKeysFromVouchKeys({ keys: [entry(pair)] }, { now: () => Date.parse('2999-01-01') });
    assert.ok(await resolveKey(kid, { alg: 'EdDSA', kid }));
    assert.equal(
      (
        await checkCapability(await token(pair), REQUEST, {
          resolveKey: capabilityKeysFromVouchKeys({ keys: [entry(pair)] }),
          now: NOW,
        })
      ).decision,
      'allow',
    );
  });

  test('a clock that is not a time is refused, never read as "not dropped yet"', async () => {
    const keys = { keys: [entry(pair, { status: 'retired', drops_at: new Date(DROPS).toISOString() })] };
    for (const now of [() => NaN, () => Infinity, () => '1' as unknown as number]) {
      const resolveKey = capabilityKeysFromVouchKeys(keys, { now });
      assert.throws(
        () => resolveKey(kid, { alg: 'EdDSA', kid }),
        (e: unknown) => e instanceof VouchError && e.code === 'INVALID_ARGUMENT',
      );
    }
    assert.throws(
      () => capabilityKeysFromVouchKeys(keys, { now: 5 as unknown as () => number }),
      (e: unknown) => e instanceof VouchError && e.code === 'INVALID_ARGUMENT',
    );
  });

  test("verifyCapability (the offline verifier's) compares drops_at with its own now", async () => {
    const cache = {
      vouchKeys: {
        keys: [entry(pair, { status: 'retired', drops_at: new Date(DROPS).toISOString() })],
      } as unknown as VouchKeys,
    };
    const t = await token(pair);
    assert.equal((await verifyCapability(t, REQUEST, cache, { now: DROPS - 1 })).decision, 'allow');
    const d = await verifyCapability(t, REQUEST, cache, { now: DROPS });
    assert.equal(d.decision === 'deny' ? d.code : 'allow', 'INVALID_SIGNATURE');
  });
});
