// A registry array with a hole (`[a, , c]`, which a JavaScript caller can build but JSON cannot carry) is refused as
// REGISTRY_INVALID naming the missing item, like `null` there: forEach skipped the hole, so the validators passed it
// and replayGovernance read a property of undefined (a TypeError). Counterexample from the SDK parser fuzz
// (replayGovernance, VOUCH_FUZZ_SEED=1592622679): the governance steps with step 3 deleted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegistryFormatError, replayGovernance, validateProposal, validateRegistryDocument } from '../src/index.ts';
import { governedRegistry } from './registry-fixtures.ts';

function refusedAt(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RegistryFormatError, `not a RegistryFormatError: ${String(err)}`);
    assert.equal(err.code, 'REGISTRY_INVALID');
    assert.equal(err.field, field);
    return true;
  });
}

test('replayGovernance refuses governance steps with a hole, naming the step', async () => {
  const { doc } = await governedRegistry();
  const steps = JSON.parse(JSON.stringify(doc.governance)) as unknown[];
  assert.ok(steps.length >= 3);
  delete steps[2];
  refusedAt(() => replayGovernance(steps as never), 'governance[2]');
});

test('validateRegistryDocument refuses a hole in issuers, revoked or governance', async () => {
  const { doc } = await governedRegistry();
  for (const [list, i] of [
    ['issuers', 0],
    ['governance', 1],
  ] as const) {
    const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown[]>;
    delete copy[list]![i];
    refusedAt(() => validateRegistryDocument(copy), `${list}[${i}]`);
  }
  const revoked = { ...JSON.parse(JSON.stringify(doc)), revoked: new Array(1) } as unknown;
  refusedAt(() => validateRegistryDocument(revoked), 'revoked[0]');
});

test('validateProposal refuses a hole in its signatures', async () => {
  const { doc } = await governedRegistry();
  const step = doc.governance.find((s) => 'proposal' in s) as unknown as { proposal: { signatures: unknown[] } };
  const proposal = JSON.parse(JSON.stringify(step.proposal)) as { signatures: unknown[] };
  assert.ok(proposal.signatures.length >= 1);
  delete proposal.signatures[0];
  refusedAt(() => validateProposal(proposal), 'signatures[0]');
});
