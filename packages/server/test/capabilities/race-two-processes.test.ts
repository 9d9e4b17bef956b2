// Two gateway processes (two apps on two Storages of one database, one KEK) racing on the capability module's
// once-only writes: a proof of possession spent by two issues or two delegations at once, one token revoked twice
// at once, and a delegation whose parent is revoked between the delegation's check and its record.
import assert from 'node:assert/strict';
import { generateKeyPair, signCapabilityProof } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { listAudit } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { admin, post } from '../registry/fixtures.ts';
import { boundToken, credential, genesis, intercept, issue } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const env = { VOUCH_TOKEN_ISSUE_RATE_MAX: '1000', VOUCH_TOKEN_REVOKE_RATE_MAX: '1000' };

async function twoProcesses(open: () => Promise<Storage>): Promise<[TestApp, TestApp]> {
  const a = await makeApp(await open(), { env });
  const b = await makeApp(await open(), { env, clock: a.clock, kek: a.kek });
  return [a, b];
}

eachEngine('one proof of possession sent to two processes at once: one token, one delegation', async ({ open }) => {
  const [a, b] = await twoProcesses(open);
  try {
    const reg = await genesis(a);
    const agentKey = await generateKeyPair('Ed25519');
    const cred = await credential(a, reg.issuers.acme!, X, { agentKey: agentKey.publicKey });
    const req = { agentId: X, resource: 'payments:*', action: 'read' };
    const body = {
      ...req,
      issuerBinding: { issuerId: 'acme', agentCredential: cred },
      proof: await signCapabilityProof(req, agentKey.privateKey, { now: a.clock.now() }),
    };
    const before = await tableCounts(a.ctx.storage);
    const issued = await Promise.all([a, b, a, b].map((app) => issue(app.app, body)));
    assert.deepEqual(
      issued.map((r) => r.status).sort(),
      [201, 409, 409, 409],
      JSON.stringify(issued.map((r) => r.body)),
    );
    for (const r of issued.filter((r) => r.status === 409)) assert.equal(r.body.code, 'PROOF_REPLAYED');
    assert.equal((await tableCounts(a.ctx.storage)).capability_tokens, before.capability_tokens! + 1);

    const parent = issued.find((r) => r.status === 201)!.body.token!;
    a.clock.advance(1000); // a new proof (its own iat), for the child's request
    const childReq = { ...req, resource: 'payments:invoices' };
    const delegation = {
      token: parent,
      resource: 'payments:invoices',
      proof: await signCapabilityProof(childReq, agentKey.privateKey, { now: a.clock.now() }),
    };
    const delegated = await Promise.all([a, b, a, b].map((app) => post(app.app, '/v1/tokens/delegate', delegation)));
    assert.deepEqual(
      delegated.map((r) => r.status).sort(),
      [201, 409, 409, 409],
      JSON.stringify(delegated.map((r) => r.body)),
    );
    for (const r of delegated.filter((r) => r.status === 409)) assert.equal(r.body.code, 'PROOF_REPLAYED');
    assert.equal((await tableCounts(a.ctx.storage)).capability_tokens, before.capability_tokens! + 2);
  } finally {
    await Promise.all([a.app.close(), b.app.close()]);
  }
});

eachEngine('one capability token revoked at two processes at once: revoked once, audited once', async ({ open }) => {
  const [a, b] = await twoProcesses(open);
  try {
    const reg = await genesis(a);
    const { token, tokenId } = await boundToken(a, reg.issuers.acme!, X);
    const results = await Promise.all(
      [a, b, a, b].map((app) => post(app.app, '/v1/tokens/revoke', { tokenId, reason: 'race' }, admin(app.adminKey))),
    );
    for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      results.map((r) => r.body.alreadyRevoked).sort(),
      [false, true, true, true],
      'exactly one of them revoked it',
    );
    assert.equal((await listAudit(a.ctx.storage.db, { action: 'capability.revoke' })).length, 1);
    for (const app of [a, b]) assert.equal((await intercept(app.app, token, X)).code, 'TOKEN_REVOKED');
  } finally {
    await Promise.all([a.app.close(), b.app.close()]);
  }
});

eachEngine(
  'a parent revoked at another process after the delegation checked it: the child is denied everywhere',
  async ({ open }) => {
    const [a, b] = await twoProcesses(open);
    try {
      const reg = await genesis(a);
      const parent = await boundToken(a, reg.issuers.acme!, X, { resource: 'payments:*' });
      // The delegation at A has found the parent allowed; its record's transaction is next. B revokes the parent first.
      let revoked: Awaited<ReturnType<typeof post>> | undefined;
      beforeNextTransaction(a.ctx.storage.db, async () => {
        revoked = await post(b.app, '/v1/tokens/revoke', { tokenId: parent.tokenId }, admin(b.adminKey));
      });
      const child = await post(a.app, '/v1/tokens/delegate', { token: parent.token, resource: 'payments:invoices' });
      assert.equal(revoked?.status, 200, JSON.stringify(revoked?.body));
      assert.equal(revoked.body.alreadyRevoked, false);
      // The revocation committed before the child's record: the child may be answered, but is never allowed.
      assert.equal(child.status, 201, JSON.stringify(child.body));
      for (const app of [a, b]) {
        assert.equal((await intercept(app.app, child.body.token as string, X)).code, 'TOKEN_REVOKED');
        const again = await post(app.app, '/v1/tokens/delegate', { token: child.body.token });
        assert.equal(again.body.code, 'TOKEN_REVOKED');
      }
    } finally {
      await Promise.all([a.app.close(), b.app.close()]);
    }
  },
);
