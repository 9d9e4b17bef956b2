// A leaked capability key (security review 3): intercept allows only tokens the gateway recorded, as their exact
// text; no token may outlive its tier; a retired key verifies only tokens with an `iat` from before its retirement,
// and nothing once every token it signed has expired. So `vouch keys rotate --purpose capability` stops a leak.
// Delegating from a token that outlives its tier is refused TOKEN_LIFETIME_EXCEEDED (401), writing nothing.
import assert from 'node:assert/strict';
import {
  decodeCapabilityToken,
  parsePrivateKey,
  sha256HexSync,
  signCapabilityToken,
  type CapabilityClaims,
  type PrivateKey,
} from '@vouch/sdk';
import type { Storage } from '../../src/storage/index.ts';
import { listServerKeys, NO_CHANGES } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts, type TestApp } from '../helpers/app.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, genesis, intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const DAY = 86_400;

/** The gateway's capability key `status` right now, as whoever stole it would hold it. */
async function stealKey(app: TestApp, storage: Storage, status: 'active' | 'retired', kid?: string) {
  const keys = await listServerKeys(storage, app.kek, 'capability');
  const k = keys.find((r) => r.status === status && (kid === undefined || r.kid === kid))!;
  assert.ok(k, `a ${status} capability key`);
  return { kid: k.kid, privateKey: parsePrivateKey(k.privateKey.export({ format: 'jwk' })) };
}

function forge(claims: CapabilityClaims, key: { kid: string; privateKey: PrivateKey }): Promise<string> {
  return signCapabilityToken(claims, key.privateKey, { kid: key.kid });
}

async function rotate(app: TestApp): Promise<{ kid: string; retired: string[] }> {
  const res = await post(app.app, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, admin(app.adminKey));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { kid: string; retired: string[] };
}

const sec = (app: TestApp) => Math.floor(app.clock.now() / 1000);

eachEngine(
  'after a rotation the retired key signs nothing new (forged → denied), what it issued before lives until its exp',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const before = await boundToken(app, reg.issuers.acme!, X, { expiresIn: 600 });
      const leaked = await stealKey(app, storage, 'active');
      app.clock.advance(60_000);
      assert.deepEqual((await rotate(app)).retired, [leaked.kid]);

      // Right after the rotation (inside the window where another process may still sign with the retired key),
      // a forged token passes the key check but is on no record.
      const soon = await forge(
        { ...decodeCapabilityToken(before.token).claims, jti: 'forged-1', iat: sec(app) },
        leaked,
      );
      assert.deepEqual(await intercept(app.app, soon, X), {
        decision: 'deny',
        code: 'TOKEN_UNKNOWN',
        reason: 'The gateway never issued this token (no record of it with these claims).',
      });

      // What the gateway issued before the rotation keeps working until its own expiry, delegations included (the
      // child is signed by the new key, and recorded).
      app.clock.advance(539_000);
      assert.deepEqual(await intercept(app.app, before.token, X), { decision: 'allow' }, 'a second before its exp');
      const child = await post(app.app, '/v1/tokens/delegate', { token: before.token, expiresIn: 30 });
      assert.equal(child.status, 201, JSON.stringify(child.body));
      assert.deepEqual(await intercept(app.app, child.body.token as string, X), { decision: 'allow' });
      app.clock.advance(1000);
      assert.equal((await intercept(app.app, before.token, X)).code, 'TOKEN_EXPIRED');

      // The reviewer's proof of concept: a day later, a critical token for all of payments, valid ten years.
      app.clock.advance(DAY * 1000);
      const iat = sec(app);
      const poc = await forge(
        {
          jti: 'forged-after-rotation',
          sub: 'agent-x',
          res: 'payments:*',
          act: '*',
          tier: 'critical',
          iat,
          exp: iat + 10 * 365 * DAY,
          iid: null,
          cth: null,
          ikt: null,
          par: [],
        },
        leaked,
      );
      const res = await post(app.app, '/v1/intercept', {
        token: poc,
        agentId: 'agent-x',
        resource: 'payments:wire',
        action: 'execute',
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.code, 'INVALID_SIGNATURE', JSON.stringify(res.body));
      // Within its tier's lifetime, and after the rotation window: the retired key does not verify it.
      const later = await forge(
        { ...decodeCapabilityToken(before.token).claims, jti: 'forged-2', iat, exp: iat + 60 },
        leaked,
      );
      assert.equal((await intercept(app.app, later, X)).code, 'INVALID_SIGNATURE');
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'the active key alone proves nothing: unrecorded jti, re-minted known jti (later exp, other agent) → TOKEN_UNKNOWN',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const root = await boundToken(app, reg.issuers.acme!, X, { resource: 'payments:*', expiresIn: 600 });
      const key = await stealKey(app, storage, 'active');
      const claims = decodeCapabilityToken(root.token).claims;
      const code = async (t: string, agentId = X) => (await intercept(app.app, t, agentId)).code ?? 'allow';

      assert.equal(await code(root.token), 'allow');
      // The same claims signed again are the same text (Ed25519 is deterministic): the recorded token itself.
      assert.equal(await forge(claims, key), root.token);
      assert.equal(await code(await forge({ ...claims, jti: 'never-issued' }, key)), 'TOKEN_UNKNOWN');
      assert.equal(await code(await forge({ ...claims, exp: claims.exp + 60 }, key)), 'TOKEN_UNKNOWN');
      assert.equal(await code(await forge({ ...claims, res: '*', act: '*' }, key)), 'TOKEN_UNKNOWN');
      assert.equal(await code(await forge({ ...claims, sub: 'agent:other' }, key), 'agent:other'), 'TOKEN_UNKNOWN');
      // Unbound (admin-style) tokens skip the registry, not the record.
      const unbound = { ...claims, jti: 'unbound', iid: null, cth: null, ikt: null };
      assert.equal(await code(await forge(unbound, key)), 'TOKEN_UNKNOWN');
      // A forged child of a real token, and a batch, are denied the same way.
      const child = await forge({ ...claims, jti: 'child', par: [root.tokenId] }, key);
      assert.equal(await code(child), 'TOKEN_UNKNOWN');
      const batch = await post(app.app, '/v1/intercept/batch', {
        requests: [root.token, child].map((token) => ({ token, agentId: X, resource: 'payments:x', action: 'read' })),
      });
      assert.deepEqual(
        (batch.body.results as Array<{ decision: string; code?: string }>).map((r) => r.code ?? r.decision),
        ['allow', 'TOKEN_UNKNOWN'],
      );
      // Delegating from a forged parent is refused with the same code, and writes nothing.
      const delegated = await post(app.app, '/v1/tokens/delegate', { token: await forge(unbound, key) });
      assert.equal(delegated.status, 401, JSON.stringify(delegated.body));
      assert.equal(delegated.body.code, 'TOKEN_UNKNOWN');
      // A revoked token re-minted under its own jti with other claims is unknown, not merely revoked.
      const revoked = await post(app.app, '/v1/tokens/revoke', { tokenId: root.tokenId }, admin(app.adminKey));
      assert.equal(revoked.status, 200);
      assert.equal(await code(root.token), 'TOKEN_REVOKED');
      assert.equal(await code(await forge({ ...claims, act: '*' }, key)), 'TOKEN_UNKNOWN');
    } finally {
      await app.app.close();
    }
  },
);

eachEngine('a token that lives longer than its tier allows is denied, even on record', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const reg = await genesis(app);
    const real = await boundToken(app, reg.issuers.acme!, X, { expiresIn: 600 });
    const key = await stealKey(app, storage, 'active');
    const claims = decodeCapabilityToken(real.token).claims;
    const long = await forge({ ...claims, jti: 'long', exp: claims.iat + 3600 + 1 }, key);
    // Recorded as if the gateway had issued it: the tier cap holds regardless of the record.
    await storage.db
      .insertInto('capability_tokens')
      .values({
        jti: 'long',
        token_sha256: sha256HexSync(long),
        agent_id: X,
        issuer_id: 'acme',
        parent_jti: null,
        depth: 0,
        cnf_jwk: null,
        issued_by: 'issuer:acme',
        issued_at: claims.iat * 1000,
        expires_at: (claims.iat + 3601) * 1000,
        vouch_agent_id: null,
      })
      .execute();
    assert.deepEqual(await intercept(app.app, long, X), {
      decision: 'deny',
      code: 'TOKEN_LIFETIME_EXCEEDED',
      reason: 'The token lives longer than its tier (standard) allows.',
    });
    // No other test delegated from such a parent: with the code missing from the delegate's deny-to-error map, it
    // answered 403 FORBIDDEN and every test still passed.
    const before = await tableCounts(storage);
    const child = await post(app.app, '/v1/tokens/delegate', { token: long });
    assert.deepEqual([child.status, child.body.code], [401, 'TOKEN_LIFETIME_EXCEEDED'], JSON.stringify(child.body));
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    const critical = await forge({ ...claims, jti: 'crit', tier: 'critical', exp: claims.iat + 301 }, key);
    assert.equal((await intercept(app.app, critical, X)).code, 'TOKEN_LIFETIME_EXCEEDED');
    assert.equal((await intercept(app.app, real.token, X)).decision, 'allow');
  } finally {
    await app.app.close();
  }
});

eachEngine(
  'a retired key verifies nothing once every token it signed has expired (retired_at + max TTL + skew)',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage, { env: { VOUCH_CAPABILITY_MAX_TTL: String(DAY) } });
    try {
      const longest = await issue(
        app.app,
        { agentId: X, resource: 'payments:invoices', action: 'read', tier: 'observe', expiresIn: DAY },
        admin(app.adminKey),
      );
      assert.equal(longest.status, 201, JSON.stringify(longest.body));
      const token = longest.body.token!;
      const retiredAt = app.clock.now() + 60_000;
      app.clock.advance(60_000);
      await rotate(app);
      app.clock.advance((DAY - 61) * 1000);
      assert.deepEqual(await intercept(app.app, token, X), { decision: 'allow' });
      app.clock.advance(1000);
      assert.equal((await intercept(app.app, token, X)).code, 'TOKEN_EXPIRED');
      // Drop time: retired_at + 60 s (other processes' key cache) + skew (60 s) + the longest tier + skew.
      app.clock.set(retiredAt + (60 + 60 + DAY + 60) * 1000 - 1);
      assert.equal((await intercept(app.app, token, X)).code, 'TOKEN_EXPIRED');
      app.clock.advance(1);
      assert.equal((await intercept(app.app, token, X)).code, 'INVALID_SIGNATURE');
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'another process whose key cache still holds the just-retired key issues tokens that are allowed',
  async ({ open }) => {
    const storage = await open();
    const a = await makeApp(storage);
    // b's change listener is down (reconnecting, on PostgreSQL): it hears no announcement of the rotation, so its key
    // cache still holds the retired key as its signing key.
    const b = await makeApp({ ...storage, changes: NO_CHANGES }, { kek: a.kek, clock: a.clock });
    try {
      const reg = await genesis(a);
      // b loads (and caches) the first key by issuing; then a rotates.
      const first = await boundToken(b, reg.issuers.acme!, X);
      a.clock.advance(1000);
      const { kid, retired } = await rotate(a);
      a.clock.advance(30_000);
      const stale = await boundToken(b, reg.issuers.acme!, X);
      // Recording the token finds its key retired: b reloads its keys and signs it again with the active one.
      assert.notEqual(decodeCapabilityToken(stale.token).header.kid, retired[0], 'the retired key signed nothing');
      assert.equal(decodeCapabilityToken(stale.token).header.kid, kid, 'b signs with the active key');
      for (const t of [first.token, stale.token]) assert.deepEqual(await intercept(a.app, t, X), { decision: 'allow' });
    } finally {
      await Promise.all([a.app.close(), b.app.close()]);
    }
  },
);
