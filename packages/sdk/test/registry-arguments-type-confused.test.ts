// The registry's state-machine and signing functions read their arguments unchecked: a null or half-formed
// RegistryState (checkQuorum, checkCoSignature, applyProposal, signRegistryDocument), a null options argument
// (applyProposal, applyGenesis), a registry document that is not one (checkIssuer), a pending proposal whose
// signatures are not an array of signatures (checkCoSignature), or a Symbol for a time threw raw TypeErrors
// ("Cannot read properties of null", "Cannot convert a Symbol value to a string"). Each is now a coded VouchError:
// INVALID_ARGUMENT for an argument, REGISTRY_INVALID for a malformed proposal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyGenesis,
  applyProposal,
  checkCoSignature,
  checkIssuer,
  checkQuorum,
  isVouchError,
  signRegistryDocument,
  verifyRegistry,
  type GenesisOptions,
  type IssuerSignature,
  type Proposal,
  type RegistryDocument,
  type RegistryState,
} from '../src/index.ts';
import { cosignProposal, governedRegistry, NOW, proposalFor } from './registry-fixtures.ts';

const coded = (code: string) => (err: unknown) => {
  assert.ok(isVouchError(err), `expected a VouchError, got ${String(err)}`);
  assert.equal((err as { code: string }).code, code, (err as Error).message);
  return true;
};

test('a null or half-formed registry state is INVALID_ARGUMENT, not a TypeError', async () => {
  const g = await governedRegistry();
  const proposal = proposalFor(g.state, { action: 'remove', subject: 'echo', reason: 'left' });
  const sig = (await cosignProposal(proposal, [g.orgs.alpha!])).signatures[0]!;
  const { keyOwners: _k, ...noKeyOwners } = g.state;
  const { issuers: _i, ...noIssuers } = g.state;
  for (const state of [null, 'state', {}, noKeyOwners, noIssuers, { ...g.state, governance: null }]) {
    const s = state as unknown as RegistryState;
    await assert.rejects(checkQuorum(s, proposal), coded('INVALID_ARGUMENT'), JSON.stringify(state));
    await assert.rejects(checkCoSignature(s, proposal, sig), coded('INVALID_ARGUMENT'), JSON.stringify(state));
    assert.throws(() => applyProposal(s, proposal, { appliedAt: NOW }), coded('INVALID_ARGUMENT'));
    await assert.rejects(
      signRegistryDocument(s, { rootKey: g.root.privateKey, now: NOW }),
      coded('INVALID_ARGUMENT'),
      JSON.stringify(state),
    );
  }
  // The well-formed state still works.
  assert.equal((await checkQuorum(g.state, proposal)).text, 'signed by 0/3');
  assert.deepEqual(await checkCoSignature(g.state, proposal, sig), { counted: true });
});

test('checkCoSignature refuses a pending proposal whose signatures are malformed as REGISTRY_INVALID', async () => {
  const g = await governedRegistry();
  const proposal = proposalFor(g.state, { action: 'remove', subject: 'echo', reason: 'left' });
  const sig = (await cosignProposal(proposal, [g.orgs.alpha!])).signatures[0]!;
  for (const signatures of [undefined, null, {}, [null], [{ issuerId: 'bravo' }]]) {
    const change = { ...proposal, signatures } as unknown as Proposal;
    await assert.rejects(checkCoSignature(g.state, change, sig), coded('REGISTRY_INVALID'), JSON.stringify(signatures));
  }
  await assert.rejects(
    checkCoSignature(g.state, proposal, null as unknown as IssuerSignature),
    coded('REGISTRY_INVALID'),
  );
});

test('null options of applyProposal and applyGenesis are INVALID_ARGUMENT', async () => {
  const g = await governedRegistry();
  const proposal = proposalFor(g.state, { action: 'remove', subject: 'echo', reason: 'left' });
  assert.throws(() => applyProposal(g.state, proposal, null as never), coded('INVALID_ARGUMENT'));
  assert.throws(() => applyGenesis(null as unknown as GenesisOptions), coded('INVALID_ARGUMENT'));
  assert.throws(() => applyGenesis('genesis' as unknown as GenesisOptions), coded('INVALID_ARGUMENT'));
});

test('checkIssuer refuses what is not a registry document as INVALID_ARGUMENT', () => {
  for (const doc of [null, 'doc', {}, { issuers: [], revoked: null }, { issuers: {}, revoked: [] }]) {
    assert.throws(() => checkIssuer(doc as unknown as RegistryDocument, 'alpha'), coded('INVALID_ARGUMENT'));
  }
  assert.deepEqual(checkIssuer({ issuers: [], revoked: [] } as unknown as RegistryDocument, 'alpha'), {
    status: 'unknown',
  });
});

test('a time that is a Symbol (or any non-time value) is INVALID_ARGUMENT, not a TypeError', async () => {
  const g = await governedRegistry();
  const proposal = proposalFor(g.state, { action: 'remove', subject: 'echo', reason: 'left' });
  const symbol = Symbol('now') as never;
  await assert.rejects(
    signRegistryDocument(g.state, { rootKey: g.root.privateKey, now: symbol }),
    coded('INVALID_ARGUMENT'),
  );
  await assert.rejects(verifyRegistry(g.doc, { rootKey: g.root.publicKey, now: symbol }), coded('INVALID_ARGUMENT'));
  assert.throws(() => applyProposal(g.state, proposal, { appliedAt: symbol }), coded('INVALID_ARGUMENT'));
  // Only a Date, epoch milliseconds or a time string: an array or a bigint is not read as the text it prints as.
  for (const now of [['2025-01-01T01:00:00.000Z'], 10n, { toString: () => '2025-01-01T01:00:00.000Z' }]) {
    await assert.rejects(
      verifyRegistry(g.doc, { rootKey: g.root.publicKey, now: now as never }),
      coded('INVALID_ARGUMENT'),
    );
  }
});
