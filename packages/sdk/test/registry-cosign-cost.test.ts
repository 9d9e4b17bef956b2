// checkCoSignature looked up the key of every signature already on the proposal by scanning the issuer list, once per
// signature: signatures × issuers, up to 1,000 × 10,000 comparisons for one posted co-signature (the authority runs
// it on every public POST). Now one pass over each list. Counted, not timed: the elements walked through the array
// methods, a number no machine changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCoSignature, encodeBase64url, type IssuerSignature, type RegistryState } from '../src/index.ts';
import { at, cosignProposal, entryFor, governedRegistry, makeOrg, proposalFor } from './registry-fixtures.ts';

const METHODS = ['filter', 'some', 'every', 'find', 'findIndex', 'map', 'forEach', 'includes', 'indexOf'] as const;

/** Runs `fn`, counting the elements of every array an array method above was called on until it settles. */
async function elementsWalked<T>(fn: () => Promise<T>): Promise<{ result: T; walked: number }> {
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = METHODS.map((m) => [m, proto[m]!] as const);
  let walked = 0;
  for (const [m, original] of saved) {
    proto[m] = function (this: unknown[], ...args: unknown[]) {
      walked += this.length;
      return original.apply(this, args);
    };
  }
  try {
    const result = await fn();
    return { result, walked };
  } finally {
    for (const [m, original] of saved) proto[m] = original;
  }
}

test('checkCoSignature: signatures already on the proposal cost work linear in signatures plus issuers', async () => {
  const g = await governedRegistry();
  const { alpha, bravo } = g.orgs;
  const spare = await makeOrg('spare');
  const issuers = 4_000;
  const state: RegistryState = {
    ...g.state,
    issuers: [...g.state.issuers, ...Array.from({ length: issuers }, (_, i) => entryFor({ ...spare, id: `x${i}` }))],
  };
  const proposal = await cosignProposal(proposalFor(state, { action: 'remove', subject: 'echo', reason: 'left' }), [
    alpha!,
  ]);
  // Shape-valid signatures by ids that are no issuer: each one's key was searched for through the whole list.
  const strangers: IssuerSignature[] = Array.from({ length: 999 }, (_, i) => ({
    issuerId: `u${i}`,
    signature: `ed25519:${encodeBase64url(new Uint8Array(64))}`,
    signedAt: at(2).toISOString(),
  }));
  const held = { ...proposal, signatures: [...strangers, ...proposal.signatures] };
  const byBravo = (await cosignProposal(proposal, [bravo!])).signatures.at(-1)!;

  const { result, walked } = await elementsWalked(() => checkCoSignature(state, held, byBravo));
  assert.deepEqual(result, { counted: true });
  const input = state.issuers.length + held.signatures.length;
  // Before: 999 scans of 4,000 issuers, about 4 million elements.
  assert.ok(
    walked < 50 * input,
    `checkCoSignature walked ${walked} array elements for ${input} issuers and signatures`,
  );
});
