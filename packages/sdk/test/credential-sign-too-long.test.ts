// A credential longer than the verifiers decode (MAX_TOKEN_LENGTH) can never verify anywhere: signing one must fail
// at once, not hand the issuer something every gateway refuses as CREDENTIAL_INVALID.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyPair, MAX_TOKEN_LENGTH, signAgentCredential, verifyAgentCredential } from '../src/index.ts';
import { governedRegistry, NOW } from './registry-fixtures.ts';

const now = NOW.getTime();

/** `n` scope entries of about `len` characters each. */
function scope(n: number, len: number): string[] {
  // Resource segments hold at most 64 characters: `len` is spread over segments of 50.
  const filler = 'x'.repeat(len).replace(/x{50}(?=x)/g, '$&:');
  return Array.from({ length: n }, (_, i) => `r${String(i).padStart(2, '0')}:${filler}:read`);
}

test('a credential longer than any verifier reads is refused; the longest that fits is signed', async () => {
  const g = await governedRegistry();
  const issuer = { id: 'alpha', privateKey: g.orgs.alpha!.privateKey };
  const { publicKey } = await generateKeyPair('Ed25519');
  const input = { issuerId: issuer.id, agentId: 'agent:long:v1', ttlSeconds: 3600, now, agentKey: publicKey };
  await assert.rejects(
    signAgentCredential({ ...input, scope: scope(64, 120) }, issuer.privateKey),
    (err: { code?: string; message?: string }) =>
      err.code === 'INVALID_ARGUMENT' && /more than the 8192 characters/.test(err.message ?? ''),
  );
  // Grow the scope one character at a time up to the limit: the last credential signed is at most the limit and
  // still verifies; one more character is refused.
  let longest = '';
  for (let len = 60; len < 120; len++) {
    try {
      longest = await signAgentCredential({ ...input, scope: scope(64, len) }, issuer.privateKey);
    } catch (err) {
      assert.equal((err as { code?: string }).code, 'INVALID_ARGUMENT');
      break;
    }
  }
  assert.ok(longest.length > MAX_TOKEN_LENGTH - 200 && longest.length <= MAX_TOKEN_LENGTH, String(longest.length));
  const verified = await verifyAgentCredential(longest, { registry: g.doc, now });
  assert.equal(verified.claims.sub, 'agent:long:v1');
});
