// A retired token key may have leaked (docs/PROTOCOL.md, "Keys"): the server accepts from it only the tokens it
// recorded as issued by it, unchanged, and no token whose lifetime exceeds what it issues. `compromised: true` drops
// the old key at once.
import assert from 'node:assert/strict';
import { AIP_TYP, decodeJwt, signJwt } from '@vouch/sdk';
import type { JwtClaims, PrivateKey } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import type { TestApp } from '../helpers/app.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, ISS, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

const TYPE_CLAIM = `${ISS}/claims/token_type`;

interface LeakedKey {
  kid: string;
  privateKey: PrivateKey;
}

async function rotate(t: TestApp, body: Record<string, unknown> = {}) {
  const res = await post(t, '/api/v1/admin/keys/rotate', body, ADMIN);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { kid: string; retired: string[]; dropped: string[] };
}

function sign(key: LeakedKey, claims: JwtClaims, typ = AIP_TYP.identity): Promise<string> {
  return signJwt(claims, key.privateKey, { kid: key.kid, typ });
}

eachEngine('a token forged with a retired key after the rotation is refused TOKEN_UNKNOWN', async ({ open }) => {
  const t = await tokenApp(await open());
  const victim = await registerAgent(t);
  await issue(t, victim, { expires_in: '24h' }); // keeps the old key published after the rotation
  const leaked = await keyringOf(t.ctx).signingKey();
  t.clock.advance(60_000);
  await rotate(t);
  t.clock.advance(3_600_000);
  const now = Math.floor(t.clock.now() / 1000);
  // The reviewer's token: minted after the rotation, exp a year out, a jti never issued.
  const far = await sign(leaked, { iss: ISS, sub: victim.did, iat: now, exp: now + 365 * 86_400, jti: 'never-issued' });
  const r = await verify(t, { token: far });
  assert.notEqual(r.body.valid, true);
  // Within every offline rule (iat before the rotation, a 1 h lifetime), still never issued: refused.
  const claims = { iss: ISS, sub: victim.did, iat: now - 3660, exp: now + 3000, jti: 'never-issued-2' };
  claims[TYPE_CLAIM as 'jti'] = 'identity';
  const quiet = await sign(leaked, claims);
  await rejected(t, { token: quiet }, 'TOKEN_UNKNOWN');
  // The negative answer is remembered: asked again, the same refusal.
  await rejected(t, { token: quiet }, 'TOKEN_UNKNOWN');
  await t.app.close();
});

eachEngine('a token issued under the retired key still verifies until its exp or the key drops', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const identity = await issue(t, agent, { expires_in: '1h' });
  const session = await issue(t, agent, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
  const day = await issue(t, agent, { expires_in: '24h' }); // keeps the old key published for a day
  t.clock.advance(60_000);
  const { retired } = await rotate(t);
  assert.equal(retired.length, 1);
  assert.equal(decodeJwt(identity.token).header.kid, retired[0]);
  t.clock.advance(30 * 60_000);
  for (let i = 0; i < 2; i++) {
    assert.equal((await verify(t, { token: identity.token })).body.valid, true, 'identity token of the retired key');
    assert.equal((await verify(t, { token: session.token, audience: 'shop' })).body.valid, true, 'session token');
  }
  // Its nonce is still consumed once by its audience.
  assert.equal((await verify(t, { token: session.token, audience: 'shop' }, ADMIN)).body.valid, true);
  await rejected(t, { token: session.token, audience: 'shop' }, 'NONCE_REPLAYED', ADMIN);
  // A token of the new key verifies as before.
  assert.equal((await verify(t, { token: (await issue(t, agent)).token })).body.valid, true);
  t.clock.advance(30 * 60_000 + 120_000); // past exp and the skew
  await rejected(t, { token: identity.token }, 'JWT_EXPIRED');
  assert.equal((await verify(t, { token: day.token })).body.valid, true);
  // Once its last token expired (plus the skew) the key leaves the JWKS: nothing it signed verifies.
  t.clock.advance(23 * 3_600_000);
  await rejected(t, { token: day.token }, 'JWT_KID_UNKNOWN');
  await t.app.close();
});

eachEngine('a known jti re-minted with the retired key and other claims is refused', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const other = await registerAgent(t);
  const session = await issue(t, agent, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
  const identity = await issue(t, agent, { expires_in: '6h' });
  const leaked = await keyringOf(t.ctx).signingKey();
  t.clock.advance(60_000);
  await rotate(t);
  const original = decodeJwt(session.token).claims;
  const cases: Array<[string, JwtClaims, string]> = [
    ['a fresh nonce (a replay)', { ...original, nonce: 'n-2' }, AIP_TYP.session],
    ['another audience', { ...original, aud: 'bank' }, AIP_TYP.session],
    ['another agent', { ...original, sub: other.did }, AIP_TYP.session],
    ['a later exp', { ...original, exp: (original.exp as number) + 60 }, AIP_TYP.session],
    ['another iat', { ...original, iat: (original.iat as number) - 60 }, AIP_TYP.session],
    ['an added claim', { ...original, [`${ISS}/claims/deployer`]: 'mallory' }, AIP_TYP.session],
  ];
  for (const [what, claims, typ] of cases) {
    const r = await verify(t, { token: await sign(leaked, claims, typ) });
    assert.equal(r.status, 401, what);
    assert.equal(r.body.code, 'TOKEN_UNKNOWN', `${what}: ${JSON.stringify(r.body)}`);
  }
  // The jti of an identity token re-minted as a session token (another type) is refused too.
  const idClaims = decodeJwt(identity.token).claims;
  const asSession = { ...idClaims, aud: 'shop', [TYPE_CLAIM]: 'session' };
  await rejected(t, { token: await sign(leaked, asSession, AIP_TYP.session) }, 'TOKEN_UNKNOWN');
  // A jti issued by the NEW key, signed with the old one: the record names another kid.
  const fresh = decodeJwt((await issue(t, agent, { expires_in: '1h' })).token).claims;
  await rejected(t, { token: await sign(leaked, { ...fresh, iat: (fresh.iat as number) - 61 }) }, 'TOKEN_UNKNOWN');
  await rejected(t, { token: await sign(leaked, fresh) }, 'TOKEN_UNKNOWN');
  // The genuine ones still verify.
  assert.equal((await verify(t, { token: session.token })).body.valid, true);
  assert.equal((await verify(t, { token: identity.token })).body.valid, true);
  await t.app.close();
});

eachEngine('a record from before migration 0014 (no payload digest) is matched on its columns', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const { token, jti } = await issue(t, agent, { expires_in: '1h' });
  await t.ctx.storage.db.updateTable('issued_tokens').set({ payload_sha256: null }).where('jti', '=', jti).execute();
  const leaked = await keyringOf(t.ctx).signingKey();
  t.clock.advance(60_000);
  await rotate(t);
  assert.equal((await verify(t, { token })).body.valid, true);
  const claims = decodeJwt(token).claims;
  await rejected(t, { token: await sign(leaked, { ...claims, exp: (claims.exp as number) + 1 }) }, 'TOKEN_UNKNOWN');
  await t.app.close();
});

eachEngine('a token living longer than any issued lifetime (24 h) is refused, whatever its key', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const active = await keyringOf(t.ctx).signingKey();
  const now = Math.floor(t.clock.now() / 1000);
  const base = { iss: ISS, sub: agent.did, iat: now, [TYPE_CLAIM]: 'identity' };
  await rejected(
    t,
    { token: await sign(active, { ...base, exp: now + 86_401, jti: 'long' }) },
    'TOKEN_LIFETIME_EXCEEDED',
  );
  await rejected(
    t,
    { token: await sign(active, { ...base, iat: now - 86_400, exp: now + 60, jti: 'old-iat' }) },
    'TOKEN_LIFETIME_EXCEEDED',
  );
  // 24 h exactly is what the server issues: the active key's token verifies (no record asked on that path).
  assert.equal(
    (await verify(t, { token: await sign(active, { ...base, exp: now + 86_400, jti: 'day' }) })).body.valid,
    true,
  );
  await t.app.close();
});

eachEngine('a compromised rotation drops every retired token key at once', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const { token: first } = await issue(t, agent);
  const oldest = await keyringOf(t.ctx).signingKey();
  // A routine rotation first: the leak may be of a key already retired, whose tokens still verify meanwhile.
  t.clock.advance(60_000);
  await rotate(t);
  const { token } = await issue(t, agent);
  const before = await keyringOf(t.ctx).signingKey();
  assert.notEqual(before.kid, oldest.kid);
  assert.equal((await verify(t, { token: first })).body.valid, true);
  t.clock.advance(60_000);
  const bad = await post(t, '/api/v1/admin/keys/rotate', { purpose: 'tool-manifest', compromised: true }, ADMIN);
  assert.equal(bad.statusCode, 400, bad.body);
  assert.equal((bad.json() as { code: string }).code, 'VALIDATION_FAILED');
  assert.equal((bad.json() as { field: string }).field, 'body.compromised');
  const r = await rotate(t, { compromised: true });
  assert.deepEqual(r.retired, [before.kid]);
  assert.deepEqual(r.dropped, [before.kid, oldest.kid]);
  await rejected(t, { token }, 'JWT_KID_UNKNOWN');
  await rejected(t, { token: first }, 'JWT_KID_UNKNOWN');
  const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
    keys: Array<{ kid: string }>;
  };
  assert.deepEqual(
    jwks.keys.map((k) => k.kid),
    [r.kid],
  );
  const audit = await t.ctx.storage.db
    .selectFrom('audit_log')
    .select(['actor', 'details'])
    .where('action', '=', 'server_key.drop_compromised')
    .execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.actor, 'admin');
  assert.deepEqual(JSON.parse(String(audit[0]!.details)), { purpose: 'tokens', dropped: [before.kid, oldest.kid] });
  assert.equal((await verify(t, { token: (await issue(t, agent)).token })).body.valid, true);
  // A routine rotation keeps its grace: nothing dropped. No body at all is a routine token-key rotation.
  const routine = await t.app.inject({ method: 'POST', url: '/api/v1/admin/keys/rotate', headers: ADMIN });
  assert.equal(routine.statusCode, 201, routine.body);
  assert.deepEqual((routine.json() as { purpose: string; dropped: string[] }).dropped, []);
  assert.equal((routine.json() as { purpose: string }).purpose, 'tokens');
  await t.app.close();
});

eachEngine(
  "a retired key's recorded token stamped up to the skew after its retirement verifies; a second later it does not",
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const agent = await registerAgent(t);
      const skewMs = t.ctx.config.clockSkewSeconds * 1000;
      const retiredAt = t.clock.now();
      // Issued by a process whose clock runs ahead of the rotating one's: iat up to the skew after the retirement.
      t.clock.set(retiredAt + skewMs);
      const atSkew = await issue(t, agent);
      t.clock.set(retiredAt + skewMs + 1000);
      const pastSkew = await issue(t, agent);
      t.clock.set(retiredAt);
      await rotate(t);
      t.clock.set(retiredAt + skewMs + 1000);
      const ok = await verify(t, { token: atSkew.token });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      await rejected(t, { token: pastSkew.token }, 'TOKEN_UNKNOWN');
    } finally {
      await t.app.close();
    }
  },
);
