// checkCoSignature's duplicate-key rule (one key counts once, under whichever id) was held by no test: dropping it
// passed every test. A state whose issuers share a key does not come out of a valid history, but replayGovernance
// returns one with its failures (a genesis listing one key twice), and checkCoSignature must count as verifyRegistry
// and checkQuorum do: a second id signing with the key already on the proposal does not count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCoSignature, checkQuorum, type RegistryState } from '../src/index.ts';
import { cosignProposal, governedRegistry, proposalFor, rawSignProposal } from './registry-fixtures.ts';

test('checkCoSignature: a second id with the key of a signer already on the proposal is duplicate-key', async () => {
  const g = await governedRegistry();
  const { alpha, bravo } = g.orgs;
  // bravo listed with alpha's key
  const shared: RegistryState = {
    ...g.state,
    issuers: g.state.issuers.map((e) => (e.id === 'bravo' ? { ...e, publicKey: alpha!.publicKey } : e)),
  };
  const proposal = proposalFor(shared, { action: 'remove', subject: 'echo', reason: 'left' });
  const byAlpha = await cosignProposal(proposal, [alpha!]);
  const asBravo = (await rawSignProposal(proposal, [[alpha!, 'bravo']])).signatures[0]!;
  assert.deepEqual(await checkCoSignature(shared, byAlpha, asBravo), { counted: false, reason: 'duplicate-key' });
  // As checkQuorum counts the two together.
  const both = { ...byAlpha, signatures: [...byAlpha.signatures, asBravo] };
  assert.deepEqual((await checkQuorum(shared, both)).ignored, [{ issuerId: 'bravo', reason: 'duplicate-key' }]);
  // Control: with its own key, bravo's signature counts.
  const own = (await rawSignProposal(proposal, [[bravo!]])).signatures[0]!;
  assert.deepEqual(await checkCoSignature(g.state, byAlpha, own), { counted: true });
});
