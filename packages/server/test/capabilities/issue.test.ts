// POST /v1/tokens: admin tokens, issuer-bound tokens and every refusal (nothing written), lifetimes, proofs.
import assert from 'node:assert/strict';
import {
  decodeCapabilityToken,
  generateKeyPair,
  signAgentCredential,
  signCapabilityProof,
  type CapabilityClaims,
} from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts, type TestApp } from '../helpers/app.ts';
import { listAudit } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { admin, makeIssuers } from '../registry/fixtures.ts';
import { registerAgent, revokeAgent } from '../tokens/helpers.ts';
import { credential, genesis, intercept, issue, type Governed } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const REQ = { agentId: X, resource: 'payments:invoices', action: 'read' };

function claimsOf(token: string): CapabilityClaims {
  return decodeCapabilityToken(token).claims;
}

async function setup(storage: Storage): Promise<{ app: TestApp; reg: Governed }> {
  const app = await makeApp(storage, { env: { VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' } });
  return { app, reg: await genesis(app) };
}

/** Asserts a refusal with `status` and `code` that wrote nothing. */
async function refused(
  app: TestApp,
  storage: Storage,
  body: Record<string, unknown>,
  status: number,
  code: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const before = await tableCounts(storage);
  const res = await issue(app.app, body, headers);
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.code, code, JSON.stringify(res.body));
  assert.equal(typeof res.body.error, 'string');
  assert.deepEqual(await tableCounts(storage), before, `${code} wrote nothing`);
}

eachEngine(
  'admin tokens: admin key required, no elevated tiers, audited; they intercept without a registry',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      await refused(app, storage, REQ, 401, 'UNAUTHORIZED');
      await refused(app, storage, REQ, 401, 'UNAUTHORIZED', { 'x-api-key': 'wrong-admin-key-0123456789' });
      for (const tier of ['elevated', 'critical']) {
        await refused(app, storage, { ...REQ, tier }, 403, 'TIER_NOT_ALLOWED', admin(app.adminKey));
      }
      await refused(app, storage, { ...REQ, proof: 'a.b.c' }, 400, 'VALIDATION_FAILED', admin(app.adminKey));
      const res = await issue(app.app, { ...REQ, tier: 'observe', expiresIn: 86_400 }, admin(app.adminKey));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const c = claimsOf(res.body.token!);
      assert.equal(c.jti, res.body.tokenId);
      assert.deepEqual([c.iid, c.cth, c.ikt, c.par], [null, null, null, []]);
      // observe allows a day, VOUCH_CAPABILITY_MAX_TTL (default 3600) caps it.
      assert.equal(c.exp - c.iat, 3600);
      assert.equal(res.body.expiresAt, new Date(c.exp * 1000).toISOString());
      assert.deepEqual(await intercept(app.app, res.body.token!, X), { decision: 'allow' });
      const audit = await listAudit(storage.db, { action: 'capability.issue' });
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.target, c.jti);
    } finally {
      await app.app.close();
    }
  },
);

eachEngine('schema refusals name the field: bad resource patterns, actions, tiers, lifetimes', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const bad: Array<Record<string, unknown>> = [
      { resource: 'payments:*:read' },
      { resource: 'payments::x' },
      { resource: '' },
      { action: 'read write' },
      { tier: 'root' },
      { expiresIn: 0 },
      { expiresIn: 1.5 },
      { agentId: '' },
      { extra: 1 },
    ];
    for (const b of bad) await refused(app, storage, { ...REQ, ...b }, 400, 'VALIDATION_FAILED', admin(app.adminKey));
  } finally {
    await app.app.close();
  }
});

eachEngine(
  'issuer-bound: credential for another agent, scope, expiry, wrong issuer, unknown issuer',
  async ({ open }) => {
    const storage = await open();
    const { app, reg } = await setup(storage);
    try {
      const acme = reg.issuers.acme!;
      const bind = async (cred: string, issuerId = 'acme') => ({ issuerBinding: { issuerId, agentCredential: cred } });

      await refused(
        app,
        storage,
        { ...REQ, ...(await bind(await credential(app, acme, 'agent:other'))) },
        403,
        'SUBJECT_MISMATCH',
      );
      const scoped = await credential(app, acme, X, { scope: ['payments:invoices:write', 'billing:*:read'] });
      await refused(app, storage, { ...REQ, ...(await bind(scoped)) }, 403, 'SCOPE_VIOLATION');
      const inScope = await issue(app.app, { ...REQ, resource: 'billing:reports:2026', ...(await bind(scoped)) });
      assert.equal(inScope.status, 201, JSON.stringify(inScope.body));
      // A pattern is within scope only when the scope covers all of it.
      await refused(app, storage, { ...REQ, resource: '*', ...(await bind(scoped)) }, 403, 'SCOPE_VIOLATION');

      const old = await credential(app, acme, X, { ttlSeconds: 60, now: app.clock.now() - 3_600_000 });
      await refused(app, storage, { ...REQ, ...(await bind(old)) }, 401, 'CREDENTIAL_EXPIRED');
      await refused(
        app,
        storage,
        { ...REQ, ...(await bind(await credential(app, acme, X), 'bolt')) },
        401,
        'CREDENTIAL_INVALID',
      );
      // Signed by bolt's key but claiming to be acme.
      const forged = await signAgentCredential(
        { issuerId: 'acme', agentId: X, ttlSeconds: 600, now: app.clock.now() },
        reg.issuers.bolt!.pair.privateKey,
      );
      await refused(app, storage, { ...REQ, ...(await bind(forged)) }, 401, 'CREDENTIAL_INVALID');
      const stranger = await generateKeyPair('Ed25519');
      const unknown = await signAgentCredential(
        { issuerId: 'zulu', agentId: X, ttlSeconds: 600, now: app.clock.now() },
        stranger.privateKey,
      );
      await refused(app, storage, { ...REQ, ...(await bind(unknown, 'zulu')) }, 403, 'UNKNOWN_ISSUER');
      await refused(app, storage, { ...REQ, ...(await bind('not-a-jws')) }, 401, 'CREDENTIAL_INVALID');

      // Lifetimes: the tier caps expiresIn, and so does the credential's own expiry.
      const critical = await issue(app.app, {
        ...REQ,
        tier: 'critical',
        expiresIn: 3600,
        ...(await bind(await credential(app, acme, X))),
      });
      assert.equal(critical.status, 201);
      const cc = claimsOf(critical.body.token!);
      assert.equal(cc.exp - cc.iat, 300);
      assert.equal(cc.iid, 'acme');
      assert.equal(cc.ikt, reg.issuers.acme!.pair.thumbprint);
      const short = await credential(app, acme, X, { ttlSeconds: 90 });
      const capped = await issue(app.app, { ...REQ, expiresIn: 3600, ...(await bind(short)) });
      assert.equal(claimsOf(capped.body.token!).exp, Math.floor(app.clock.now() / 1000) + 90);
      // A credential whose exp is this very second still verifies (within the skew), but leaves no lifetime.
      const endsNow = await credential(app, acme, X, { ttlSeconds: 60, now: app.clock.now() - 60_000 });
      await refused(app, storage, { ...REQ, ...(await bind(endsNow)) }, 401, 'CREDENTIAL_EXPIRED');
    } finally {
      await app.app.close();
    }
  },
);

eachEngine('a credential that binds the agent key needs a fresh proof by it, used once', async ({ open }) => {
  const storage = await open();
  const { app, reg } = await setup(storage);
  try {
    const agentKey = await generateKeyPair('Ed25519');
    const cred = await credential(app, reg.issuers.acme!, X, { agentKey: agentKey.publicKey });
    const body = { ...REQ, issuerBinding: { issuerId: 'acme', agentCredential: cred } };
    await refused(app, storage, body, 401, 'PROOF_REQUIRED');
    const stale = await signCapabilityProof(REQ, agentKey.privateKey, { now: app.clock.now() - 61_000 });
    await refused(app, storage, { ...body, proof: stale }, 401, 'PROOF_STALE');
    const otherResource = await signCapabilityProof({ ...REQ, resource: 'payments:*' }, agentKey.privateKey, {
      now: app.clock.now(),
    });
    await refused(app, storage, { ...body, proof: otherResource }, 401, 'PROOF_INVALID');
    const wrongKey = await generateKeyPair('Ed25519');
    const byOther = await signCapabilityProof(REQ, wrongKey.privateKey, { now: app.clock.now() });
    await refused(app, storage, { ...body, proof: byOther }, 401, 'PROOF_INVALID');

    const proof = await signCapabilityProof(REQ, agentKey.privateKey, { now: app.clock.now() - 30_000 });
    const ok = await issue(app.app, { ...body, proof });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    await refused(app, storage, { ...body, proof }, 409, 'PROOF_REPLAYED');
  } finally {
    await app.app.close();
  }
});

eachEngine('agents known to Vouch: revoked → AGENT_REVOKED at issuance and at intercept', async ({ open }) => {
  const storage = await open();
  const { app, reg } = await setup(storage);
  try {
    const agent = await registerAgent(app);
    const cred = await credential(app, reg.issuers.acme!, agent.did);
    const body = { ...REQ, agentId: agent.did, issuerBinding: { issuerId: 'acme', agentCredential: cred } };
    const ok = await issue(app.app, body);
    assert.equal(ok.status, 201);
    assert.deepEqual(await intercept(app.app, ok.body.token!, agent.did), { decision: 'allow' });
    await revokeAgent(app, agent.did);
    assert.equal((await intercept(app.app, ok.body.token!, agent.did)).code, 'AGENT_REVOKED');
    await refused(app, storage, body, 403, 'AGENT_REVOKED');
  } finally {
    await app.app.close();
  }
});

eachEngine(
  'no registry yet: bound issuance answers 503 REGISTRY_UNAVAILABLE, admin issuance works',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      // An issuer's key and credential, but no genesis on this gateway.
      const { acme } = await makeIssuers(['acme']);
      const reg = { issuers: { acme } };
      const cred = await credential(app, reg.issuers.acme!, X);
      await refused(
        app,
        storage,
        { ...REQ, issuerBinding: { issuerId: 'acme', agentCredential: cred } },
        503,
        'REGISTRY_UNAVAILABLE',
      );
      assert.equal((await issue(app.app, REQ, admin(app.adminKey))).status, 201);
    } finally {
      await app.app.close();
    }
  },
);
