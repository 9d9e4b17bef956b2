// checkCapability: a token stamped in the very second its issuer was removed is from before the removal (a token's
// `iat` is whole seconds, the removal's appliedAt is ms), so it stays denied after governance re-admits the issuer
// with the same key. Found by mutation testing: `claims.iat * 1000 <= lapse.at` weakened to `<` failed no SDK test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCapability, issuerKeyThumbprint, checkIssuer, applyProposal } from '../src/index.ts';
import { capabilityFixture } from './capability-fixtures.ts';
import { at, cosignProposal, entryFor, proposalFor, publish } from './registry-fixtures.ts';

test('removed at second s, re-admitted with the same key: iat s stays ISSUER_REVOKED, s + 1 is allowed', async () => {
  const f = await capabilityFixture();
  const { alpha, bravo, charlie, delta } = f.g.orgs;
  // delta was removed at at(4) (a whole second); re-admit it with the same key.
  const readmit = await cosignProposal(proposalFor(f.g.state, { action: 'add', entry: entryFor(delta!) }), [
    alpha!,
    bravo!,
    charlie!,
  ]);
  const { state } = applyProposal(f.g.state, readmit, { appliedAt: at(6) });
  const doc = await publish(state, f.g.root, 7);
  const found = checkIssuer(doc, 'delta');
  assert.equal(found.status, 'active');
  const ikt = await issuerKeyThumbprint(found.issuer);
  const removedAt = at(4).getTime() / 1000;
  const now = at(8).getTime();
  const decide = async (iat: number) => {
    const token = await f.token({ iid: 'delta', ikt, iat, exp: iat + 3600 });
    const d = await checkCapability(
      token,
      { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' },
      {
        resolveKey: f.resolveKey,
        now,
        registry: doc,
      },
    );
    return d.decision === 'deny' ? d.code : 'allow';
  };
  assert.equal(await decide(removedAt - 1), 'ISSUER_REVOKED');
  assert.equal(await decide(removedAt), 'ISSUER_REVOKED');
  assert.equal(await decide(removedAt + 1), 'allow');
});
