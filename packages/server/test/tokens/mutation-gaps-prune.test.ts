// Gaps found by mutation testing in token housekeeping (service.ts pruneTokenState): nothing a verifier could still
// accept may be pruned (a token passes until exp + VOUCH_CLOCK_SKEW), and a retired key is dropped only at its drop
// time, never at the first housekeeping after its rotation.
import assert from 'node:assert/strict';
import { decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { pruneTokenState } from '../../src/modules/tokens/service.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine(
  'housekeeping within the skew keeps consumed nonces and revocations of still-passing tokens',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const session = await issue(t, agent, { token_type: 'session', audience: 'shop', nonce: 'n-1' });
    const revoked = await issue(t, agent, { expires_in: '1h' });
    assert.equal(session.exp, revoked.exp);
    assert.equal((await verify(t, { token: session.token }, ADMIN)).status, 200); // consumes the nonce
    assert.equal((await post(t, '/api/registry/revoke', { jti: revoked.jti }, ADMIN)).statusCode, 200);

    // Expired 30 s ago: within the 60 s skew both tokens still pass the time checks.
    t.clock.set(session.exp * 1000 + 30_000);
    const { deleted } = await pruneTokenState(t.ctx);
    assert.deepEqual(deleted, { token_revocations: 0, token_nonces: 0, issued_tokens: 0, token_issue_proofs: 0 });
    await rejected(t, { token: session.token }, 'NONCE_REPLAYED', ADMIN);
    // A process that reads the database afresh (its own verify cache) still sees the revocation, as does the list.
    const other = await tokenApp(await open(), { clock: t.clock, kek: t.kek });
    await rejected(other, { token: revoked.token }, 'TOKEN_REVOKED');
    await rejected(other, { token: session.token }, 'NONCE_REPLAYED', ADMIN);
    const list = (await t.app.inject({ method: 'GET', url: '/api/registry/revocations' })).json() as {
      revoked: Array<{ jti: string }>;
    };
    assert.deepEqual(
      list.revoked.map((r) => r.jti),
      [revoked.jti],
    );
    await other.app.close();
    await t.app.close();
  },
);

eachEngine(
  'housekeeping drops a retired token key at its drop time, not before, with an audit entry',
  async ({ open }) => {
    const t = await tokenApp(await open());
    const agent = await registerAgent(t);
    const day = await issue(t, agent, { expires_in: '24h' });
    const oldKid = decodeJwt(day.token).header.kid as string;
    t.clock.advance(60_000);
    const rot = await post(t, '/api/v1/admin/keys/rotate', {}, ADMIN);
    assert.equal(rot.statusCode, 201, rot.body);
    const jwksKids = async () =>
      (
        (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
          keys: Array<{ kid: string }>;
        }
      ).keys
        .map((k) => k.kid)
        .sort();

    const dropsAt = day.exp * 1000 + 60_000; // its last token's exp plus the skew
    for (const at of [t.clock.now(), day.exp * 1000 - 1, dropsAt - 1]) {
      t.clock.set(at);
      const { droppedKeys } = await pruneTokenState(t.ctx);
      assert.deepEqual(droppedKeys, [], `nothing dropped at ${new Date(at).toISOString()}`);
      assert.ok((await jwksKids()).includes(oldKid), 'the retired key is still published');
    }
    t.clock.set(day.exp * 1000 - 1);
    assert.equal((await verify(t, { token: day.token })).body.valid, true, 'its token verifies until it expires');

    t.clock.set(dropsAt);
    const { droppedKeys } = await pruneTokenState(t.ctx);
    assert.deepEqual(droppedKeys, [oldKid]);
    assert.deepEqual(await jwksKids(), [(await keyringOf(t.ctx).signingKey()).kid]);
    const audit = await t.ctx.storage.db
      .selectFrom('audit_log')
      .select(['actor', 'target', 'details'])
      .where('action', '=', 'server_key.drop')
      .execute();
    assert.deepEqual(
      audit.map((a) => [a.actor, a.target, JSON.parse(String(a.details))]),
      [['system', oldKid, { purpose: 'tokens', generation: 1 }]],
    );
    // Dropped once: the next housekeeping has nothing left to drop.
    assert.deepEqual((await pruneTokenState(t.ctx)).droppedKeys, []);
    await t.app.close();
  },
);
