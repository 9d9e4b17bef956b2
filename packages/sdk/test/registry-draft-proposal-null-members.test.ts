// draftProposal copied `entry` (dropping its signatures) and `threshold.required` without looking at them: null for
// either (a JavaScript caller, fields read from JSON) threw a raw TypeError ("Cannot destructure property
// 'signatures' of 'input.entry'", "reading 'required'") where any other wrong value is a REGISTRY_INVALID naming the
// field. A member that is no object now goes to the validator as it is. Likewise a Date that holds no time (or a
// number of milliseconds past what a Date can hold) for expiresAt, registeredAt or signedAt threw toISOString's
// RangeError: it is now INVALID_ARGUMENT, as any other time that is not one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  draftIssuerEntry,
  draftProposal,
  generateKeyPair,
  signProposal,
  type DraftProposalInput,
} from '../src/index.ts';

const base = { registry: 'A'.repeat(43), baseSequence: 1, expiresAt: '2030-01-01T00:00:00.000Z' };

test('draftProposal names a null entry or threshold as REGISTRY_INVALID, not a TypeError', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...base, action: 'remove', subject: 'acme', reason: 'left', entry: null }, /entry: must be absent/],
    [{ ...base, action: 'add', subject: 'acme', entry: null }, /entry: must be a JSON object/],
    [{ ...base, action: 'add', subject: 'acme', entry: ['acme'] }, /entry: must be a JSON object/],
    [{ ...base, action: 'threshold', threshold: null }, /threshold: must be a JSON object/],
    [{ ...base, action: 'threshold', threshold: 3 }, /threshold: must be a JSON object/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => draftProposal(input as DraftProposalInput),
      (err: Error & { code?: string }) => err.code === 'REGISTRY_INVALID' && message.test(err.message),
      JSON.stringify(input),
    );
  }
});

test('registry drafts and co-signatures refuse a time no Date holds as INVALID_ARGUMENT, not a RangeError', async () => {
  const pair = await generateKeyPair('Ed25519');
  const entryInput = {
    id: 'acme',
    publicKey: pair.publicKey,
    endpoint: 'https://credentials.acme.example',
    name: 'Acme',
    contact: 'trust@acme.example',
  };
  const proposal = draftProposal({ ...base, action: 'remove', subject: 'bolt', reason: 'left' });
  const refused = (err: Error & { code?: string }) => err.code === 'INVALID_ARGUMENT' && /valid time/.test(err.message);
  assert.throws(
    () => draftProposal({ ...base, action: 'remove', subject: 'a', reason: 'r', expiresAt: new Date(NaN) }),
    refused,
  );
  assert.throws(() => draftIssuerEntry({ ...entryInput, registeredAt: new Date(NaN) }), refused);
  await assert.rejects(signProposal(proposal, pair.privateKey, { issuerId: 'acme', signedAt: 1e16 }), refused);
  await assert.rejects(
    signProposal(proposal, pair.privateKey, { issuerId: 'acme', signedAt: new Date(8.64e15 + 1) }),
    refused,
  );
});
