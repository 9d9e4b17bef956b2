// The retired-key iat rule (keys.ts): once the capability key is retired, it verifies only tokens it can have signed
// before every process stopped using it (retirement + key cache + clock skew). A process whose clock runs far ahead
// and still holds the old key in its cache now re-signs with the active key when it records (service.ts); a process
// of a version before that (mid-rollout) would record a token signed by the old key, and the intercept must refuse it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeJwt, encodeBase64url, parsePrivateKey, sha256HexSync, signCapabilityToken } from '@vouch/sdk';
import type { CapabilityClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { listServerKeys, NO_CHANGES } from '../../src/storage/index.ts';
import { admin, post } from '../registry/fixtures.ts';
import { intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const REQ = { agentId: X, resource: 'payments:invoices', action: 'read', expiresIn: 3600 };
const AHEAD_MS = 10 * 60_000;

eachEngine('a retired key verifies no token with an iat after it stopped signing', async ({ open }) => {
  const kek = Buffer.alloc(32, 7);
  const a = await makeApp(await open(), { kek });
  // Process B shares the database; its clock is ten minutes ahead, and its change listener is down (reconnecting):
  // it hears no announcement of the rotation, so its key cache is what bounds how long it signs with the old key.
  const b = await makeApp({ ...(await open()), changes: NO_CHANGES }, { kek, clock: new ManualClock(T0 + AHEAD_MS) });
  try {
    // A signs a token at T0; B loads the same capability key (its cache is fresh for a minute of B's time).
    const first = await issue(a.app, REQ, admin(a.adminKey));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const oldKid = decodeJwt(first.body.token!).header.kid!;
    const warm = await issue(b.app, REQ, admin(b.adminKey));
    assert.equal(decodeJwt(warm.body.token!).header.kid, oldKid);

    // A rotates at T0: the old key's tokens must have an iat before T0 + cache + skew.
    const rotated = await post(a.app, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, admin(a.adminKey));
    assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
    assert.deepEqual(rotated.body.retired, [oldKid]);

    // B, unaware, loads nothing new before signing, but its record finds the old key retired: it signs again.
    const late = await issue(b.app, REQ, admin(b.adminKey));
    assert.equal(late.status, 201, JSON.stringify(late.body));
    const newKid = decodeJwt(late.body.token!).header.kid;
    assert.notEqual(newKid, oldKid);
    // What a process of the previous version would have recorded instead: the same claims at B's time, old key.
    const old = (await listServerKeys(a.ctx.storage, kek, 'capability')).find((k) => k.kid === oldKid)!;
    const lateClaims = decodeJwt(late.body.token!).claims as unknown as CapabilityClaims;
    const row = await a.ctx.storage.db
      .selectFrom('capability_tokens')
      .selectAll()
      .where('jti', '=', lateClaims.jti)
      .executeTakeFirstOrThrow();
    const recordOld = async (iat: number): Promise<string> => {
      const claims = { ...lateClaims, jti: encodeBase64url(randomBytes(16)), iat, exp: iat + 3600 };
      const text = await signCapabilityToken(claims, parsePrivateKey(old.privateKey.export({ format: 'jwk' })), {
        kid: oldKid,
      });
      await a.ctx.storage.db
        .insertInto('capability_tokens')
        .values({ ...row, jti: claims.jti, token_sha256: sha256HexSync(text) })
        .execute();
      return text;
    };
    const stale = await recordOld(lateClaims.iat);
    // The last second the old key can have signed in (retirement + key cache + skew) still verifies; the next not.
    const issuedUntil = old.retiredAt! + 60_000 + a.ctx.config.clockSkewSeconds * 1000;
    assert.equal(issuedUntil % 1000, 0, 'the edge is a whole second');
    const lastSigned = await recordOld(issuedUntil / 1000);
    const afterLast = await recordOld(issuedUntil / 1000 + 1);

    // At B's time, A's gateway refuses the late token and still allows the one signed before.
    a.clock.set(T0 + AHEAD_MS);
    assert.deepEqual(await intercept(a.app, first.body.token!, X), { decision: 'allow' });
    assert.deepEqual(await intercept(a.app, late.body.token!, X), { decision: 'allow' });
    const d = await intercept(a.app, stale, X);
    assert.equal(d.decision, 'deny');
    assert.equal(d.code, 'INVALID_SIGNATURE');
    assert.deepEqual(await intercept(a.app, lastSigned, X), { decision: 'allow' });
    assert.equal((await intercept(a.app, afterLast, X)).code, 'INVALID_SIGNATURE');
  } finally {
    await b.app.close();
    await a.app.close();
  }
});
