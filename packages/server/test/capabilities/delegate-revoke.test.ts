// POST /v1/tokens/delegate and /v1/tokens/revoke: narrower children only, depth, expiry never later, proofs for
// key-bound credentials; revocation by the admin or the binding issuer (signed request), denying every descendant.
import assert from 'node:assert/strict';
import { decodeCapabilityToken, generateKeyPair, signCapabilityProof, signRevocationRequest } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { listAudit } from '../../src/storage/index.ts';
import { findToken } from '../../src/modules/capabilities/store.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, credential, genesis, intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine(
  'delegation: narrower only, never later, depth-limited; a revoked parent denies its children',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage, { env: { VOUCH_DELEGATION_MAX_DEPTH: '2' } });
    try {
      const reg = await genesis(app);
      const root = await boundToken(app, reg.issuers.acme!, X, { resource: 'payments:*', action: '*', expiresIn: 600 });
      const delegate = (body: Record<string, unknown>) => post(app.app, '/v1/tokens/delegate', body);

      for (const [body, code] of [
        [{ token: root.token, resource: '*' }, 'DELEGATION_WIDER'],
        [{ token: root.token, resource: 'payments' }, 'DELEGATION_WIDER'],
        [{ token: root.token, resource: 'billing:invoices' }, 'DELEGATION_WIDER'],
        [{ token: 'a.b.c' }, 'MALFORMED_TOKEN'],
      ] as const) {
        const before = await tableCounts(storage);
        const res = await delegate(body);
        assert.equal(res.body.code, code, JSON.stringify(res.body));
        assert.deepEqual(await tableCounts(storage), before);
      }

      const child = await delegate({
        token: root.token,
        resource: 'payments:invoices:*',
        action: 'read',
        expiresIn: 3600,
      });
      assert.equal(child.status, 201, JSON.stringify(child.body));
      const cc = decodeCapabilityToken(child.body.token as string).claims;
      const rc = decodeCapabilityToken(root.token).claims;
      assert.deepEqual(cc.par, [root.tokenId]);
      assert.equal(cc.exp, rc.exp, 'never a later expiry than the parent');
      assert.deepEqual([cc.sub, cc.tier, cc.iid, cc.cth, cc.ikt], [rc.sub, rc.tier, rc.iid, rc.cth, rc.ikt]);
      assert.equal(
        (await intercept(app.app, child.body.token as string, X, 'payments:invoices:42', 'read')).decision,
        'allow',
      );
      assert.equal(
        (await intercept(app.app, child.body.token as string, X, 'payments:invoices:42', 'write')).code,
        'ACTION_MISMATCH',
      );
      assert.equal(
        (await intercept(app.app, child.body.token as string, X, 'payments:refunds:1', 'read')).code,
        'RESOURCE_MISMATCH',
      );
      // From a child: its action is now `read`; `write` is wider.
      const wider = await delegate({ token: child.body.token, action: 'write' });
      assert.equal(wider.body.code, 'DELEGATION_WIDER');
      const grandchild = await delegate({ token: child.body.token, resource: 'payments:invoices:42', expiresIn: 60 });
      assert.equal(grandchild.status, 201, JSON.stringify(grandchild.body));
      const gc = decodeCapabilityToken(grandchild.body.token as string).claims;
      assert.deepEqual(gc.par, [root.tokenId, cc.jti]);
      assert.equal(gc.exp, gc.iat + 60);
      // The records say where each token came from (write-only columns, for whoever investigates later).
      const recorded = async (jti: string) => {
        const row = await findToken(storage.db, jti);
        return [row?.parent_jti, row?.depth, row?.issued_by, row?.issuer_id];
      };
      assert.deepEqual(await recorded(root.tokenId), [null, 0, 'issuer:acme', 'acme']);
      assert.deepEqual(await recorded(cc.jti), [root.tokenId, 1, 'delegation', 'acme']);
      assert.deepEqual(await recorded(gc.jti), [cc.jti, 2, 'delegation', 'acme']);
      const tooDeep = await delegate({ token: grandchild.body.token });
      assert.equal(tooDeep.status, 403);
      assert.equal(tooDeep.body.code, 'DELEGATION_DEPTH_EXCEEDED');

      // Revoking the root denies every descendant (and delegating from them).
      const revoked = await post(
        app.app,
        '/v1/tokens/revoke',
        { tokenId: root.tokenId, reason: 'done' },
        admin(app.adminKey),
      );
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      assert.deepEqual(revoked.body, { tokenId: root.tokenId, revoked: true, alreadyRevoked: false });
      for (const t of [root.token, child.body.token as string, grandchild.body.token as string]) {
        assert.equal((await intercept(app.app, t, X, 'payments:invoices:42', 'read')).code, 'TOKEN_REVOKED');
      }
      assert.equal((await delegate({ token: child.body.token })).body.code, 'TOKEN_REVOKED');
      const again = await post(app.app, '/v1/tokens/revoke', { tokenId: root.tokenId }, admin(app.adminKey));
      assert.equal(again.body.alreadyRevoked, true);
      assert.equal((await listAudit(storage.db, { action: 'capability.revoke' })).length, 1);
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'delegating a key-bound token needs the agent proof; revoking a child leaves the parent',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const agentKey = await generateKeyPair('Ed25519');
      const cred = await credential(app, reg.issuers.acme!, X, { agentKey: agentKey.publicKey });
      const req = { agentId: X, resource: 'payments:*', action: 'read' };
      const parent = await issue(app.app, {
        ...req,
        issuerBinding: { issuerId: 'acme', agentCredential: cred },
        proof: await signCapabilityProof(req, agentKey.privateKey, { now: app.clock.now() }),
      });
      assert.equal(parent.status, 201, JSON.stringify(parent.body));
      const body = { token: parent.body.token, resource: 'payments:invoices' };
      const noProof = await post(app.app, '/v1/tokens/delegate', body);
      assert.equal(noProof.body.code, 'PROOF_REQUIRED');
      const wrong = await signCapabilityProof({ ...req, resource: 'payments:*' }, agentKey.privateKey, {
        now: app.clock.now(),
      });
      assert.equal((await post(app.app, '/v1/tokens/delegate', { ...body, proof: wrong })).body.code, 'PROOF_INVALID');
      const proof = await signCapabilityProof({ ...req, resource: 'payments:invoices' }, agentKey.privateKey, {
        now: app.clock.now(),
      });
      const child = await post(app.app, '/v1/tokens/delegate', { ...body, proof });
      assert.equal(child.status, 201, JSON.stringify(child.body));
      const revoked = await post(app.app, '/v1/tokens/revoke', { tokenId: child.body.tokenId }, admin(app.adminKey));
      assert.equal(revoked.status, 200);
      assert.equal((await intercept(app.app, child.body.token as string, X)).code, 'TOKEN_REVOKED');
      assert.equal((await intercept(app.app, parent.body.token!, X)).decision, 'allow');
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'revocation by the binding issuer with a signed request; others refused, nothing written',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const reg = await genesis(app);
      const { tokenId, token } = await boundToken(app, reg.issuers.acme!, X);
      const now = () => app.clock.now();
      const refuse = async (body: Record<string, unknown>, status: number, code: string, headers = {}) => {
        const before = await tableCounts(storage);
        const res = await post(app.app, '/v1/tokens/revoke', body, headers);
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.equal(res.body.code, code);
        assert.deepEqual(await tableCounts(storage), before);
      };
      await refuse({ tokenId }, 401, 'UNAUTHORIZED');
      await refuse({ tokenId: 'nope' }, 404, 'NOT_FOUND', admin(app.adminKey));
      const byBolt = await signRevocationRequest(
        { jti: tokenId, issuerId: 'bolt' },
        reg.issuers.bolt!.pair.privateKey,
        { now: now() },
      );
      await refuse({ tokenId, proof: byBolt }, 403, 'FORBIDDEN');
      const forged = await signRevocationRequest(
        { jti: tokenId, issuerId: 'acme' },
        reg.issuers.bolt!.pair.privateKey,
        { now: now() },
      );
      await refuse({ tokenId, proof: forged }, 401, 'PROOF_INVALID');
      const otherJti = await signRevocationRequest(
        { jti: 'other', issuerId: 'acme' },
        reg.issuers.acme!.pair.privateKey,
        { now: now() },
      );
      await refuse({ tokenId, proof: otherJti }, 401, 'PROOF_INVALID');
      const stale = await signRevocationRequest({ jti: tokenId, issuerId: 'acme' }, reg.issuers.acme!.pair.privateKey, {
        now: now() - 120_000,
      });
      await refuse({ tokenId, proof: stale }, 401, 'PROOF_STALE');
      const stranger = await generateKeyPair('Ed25519');
      const unknown = await signRevocationRequest({ jti: tokenId, issuerId: 'zulu' }, stranger.privateKey, {
        now: now(),
      });
      await refuse({ tokenId, proof: unknown }, 403, 'UNKNOWN_ISSUER');
      assert.equal((await intercept(app.app, token, X)).decision, 'allow');

      const proof = await signRevocationRequest({ jti: tokenId, issuerId: 'acme' }, reg.issuers.acme!.pair.privateKey, {
        now: now(),
      });
      const ok = await post(app.app, '/v1/tokens/revoke', { tokenId, proof, reason: 'agent retired' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal((await intercept(app.app, token, X)).code, 'TOKEN_REVOKED');
      const audit = await listAudit(storage.db, { action: 'capability.revoke' });
      assert.equal(audit[0]!.actor, 'issuer:acme');
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  "delegation on a process whose clock lags the issuer's: the child stays within its tier's lifetime",
  async ({ open }) => {
    const storage = await open();
    // VOUCH_CAPABILITY_MAX_TTL above the tier's hour: only the tier's cap keeps the child within it (under the
    // default 3600 the TTL cap did it alone, and the tier's cap could be dropped with this test still passing).
    const app = await makeApp(storage, { env: { VOUCH_CLOCK_SKEW: '0', VOUCH_CAPABILITY_MAX_TTL: '86400' } });
    try {
      const reg = await genesis(app);
      // A standard token for the tier's whole hour, then a delegation from a clock 5 s behind the one that issued it.
      const root = await boundToken(app, reg.issuers.acme!, X, { expiresIn: 3600 });
      app.clock.advance(-5000);
      const child = await post(app.app, '/v1/tokens/delegate', { token: root.token });
      assert.equal(child.status, 201, JSON.stringify(child.body));
      const cc = decodeCapabilityToken(child.body.token as string).claims;
      assert.equal(cc.exp - cc.iat, 3600, 'capped by the tier from its own iat');
      assert.ok(cc.exp < decodeCapabilityToken(root.token).claims.exp);
      app.clock.advance(5000);
      assert.equal((await intercept(app.app, child.body.token as string, X)).decision, 'allow');

      // A parent at its last second: the child would be born expired.
      app.clock.advance(3600_000 - 1000);
      const late = await post(app.app, '/v1/tokens/delegate', { token: root.token });
      assert.equal(late.status, 201, JSON.stringify(late.body));
      assert.equal(
        decodeCapabilityToken(late.body.token as string).claims.exp,
        decodeCapabilityToken(root.token).claims.exp,
      );
    } finally {
      await app.app.close();
    }
  },
);

eachEngine(
  'a delegation is capped by VOUCH_CAPABILITY_MAX_TTL where it is made, below a parent issued under a longer one',
  async ({ open }) => {
    // Two gateway processes of one database: the parent from one allowing an hour, the child from one allowing 600 s.
    const a = await makeApp(await open());
    const b = await makeApp(await open(), { env: { VOUCH_CAPABILITY_MAX_TTL: '600' }, clock: a.clock, kek: a.kek });
    try {
      const reg = await genesis(a);
      const root = await boundToken(a, reg.issuers.acme!, X, { expiresIn: 3600 });
      const rc = decodeCapabilityToken(root.token).claims;
      assert.equal(rc.exp - rc.iat, 3600);
      for (const body of [{ token: root.token }, { token: root.token, expiresIn: 3600 }]) {
        const child = await post(b.app, '/v1/tokens/delegate', body);
        assert.equal(child.status, 201, JSON.stringify(child.body));
        const cc = decodeCapabilityToken(child.body.token as string).claims;
        assert.equal(cc.exp - cc.iat, 600, JSON.stringify(body));
        assert.equal((await intercept(a.app, child.body.token as string, X)).decision, 'allow');
      }
    } finally {
      await b.app.close();
      await a.app.close();
    }
  },
);
