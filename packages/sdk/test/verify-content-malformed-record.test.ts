// verifyContent reads a signature record fetched from a server (or handed over by anyone): a record whose members
// RFC 8785 cannot hash (a lone surrogate, "\ud800", which JSON.parse lets through) is answered RECORD_INVALID like any
// other malformed record, never a VouchError thrown out of the verifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { verifyContent } from '../src/index.ts';
import type { SignatureRecord } from '../src/index.ts';

test('verifyContent answers RECORD_INVALID for a record RFC 8785 cannot hash', async () => {
  const content = 'hello';
  const payloadHash = createHash('sha256').update(content).digest('hex');
  const base = {
    payloadHash,
    signedAt: 1_700_000_000_000,
    signature: 'A'.repeat(86) + '==',
    agent: { did: 'did:identity:abc', status: 'active' },
  };
  for (const record of [
    { ...base, agent: { ...base.agent, did: 'did:identity:\ud800' } },
    { ...base, signature: '\ud800' },
  ]) {
    const r = await verifyContent('0'.repeat(64), content, { record: record as unknown as SignatureRecord });
    assert.equal(r.valid, false);
    assert.equal((r as { code?: string }).code, 'RECORD_INVALID', JSON.stringify(record));
    assert.equal(r.match, true, 'the content still matched the payload hash');
  }
});
