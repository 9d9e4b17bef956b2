// The agent statement signers read their required input unguarded: aipIssueProofMessage, signAipIssueProof,
// signKeyProof and signKeyRotation threw a raw TypeError on a null or absent input (a JavaScript caller, settings read
// from JSON: "Cannot destructure property 'did' of 'input' as it is null"). Each now throws VouchError
// INVALID_ARGUMENT naming what the input must hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aipIssueProofMessage,
  generateKeyPair,
  isVouchError,
  signAipIssueProof,
  signKeyProof,
  signKeyRotation,
} from '../src/index.ts';

function invalid(names: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, names);
    return true;
  };
}

test('a null, absent or non-object input of the statement signers is INVALID_ARGUMENT naming its members', async () => {
  const { privateKey } = await generateKeyPair('Ed25519');
  type Any = never;
  for (const bad of [null, undefined, 'did:identity:x']) {
    const label = String(bad);
    assert.throws(() => aipIssueProofMessage(bad as Any), invalid(/did, tokenType and signedAt/), label);
    await assert.rejects(signAipIssueProof(privateKey, bad as Any), invalid(/did, tokenType and signedAt/), label);
    await assert.rejects(signKeyProof(privateKey, bad as Any), invalid(/publicUrl and signedAt/), label);
    await assert.rejects(signKeyRotation(privateKey, bad as Any), invalid(/did, oldKeyBase64 and signedAt/), label);
  }
});

// signKeyRotation checked signedAt but not did or oldKeyBase64, so an input missing either (settings read from JSON)
// was signed as 'vouch-rotate-key-v1:undefined:...', a rotation statement naming no agent or no key, as signKeyProof
// refuses a missing publicUrl.
test('signKeyRotation refuses a did or oldKeyBase64 that is not a non-empty string', async () => {
  const { privateKey } = await generateKeyPair('Ed25519');
  const good = { did: 'did:identity:x', oldKeyBase64: 'b2xk', signedAt: 1 };
  for (const did of [undefined, null, '', 42]) {
    const input = { ...good, did } as never;
    await assert.rejects(signKeyRotation(privateKey, input), invalid(/did/), String(did));
  }
  for (const oldKeyBase64 of [undefined, null, '', 42]) {
    const input = { ...good, oldKeyBase64 } as never;
    await assert.rejects(signKeyRotation(privateKey, input), invalid(/oldKeyBase64/), String(oldKeyBase64));
  }
  assert.equal(typeof (await signKeyRotation(privateKey, good)), 'string');
});
