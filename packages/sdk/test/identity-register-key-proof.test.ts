// Review: Treeship's registration takes `key_proof {signed_at, signature}` beside `public_key_pem` (docs/PROTOCOL.md,
// "Proof of possession"), and a server with VOUCH_REQUIRE_KEY_PROOF=1 registers a key only with it, but the SDK's
// `IdentityRegistrationInput` had no `key_proof`: `client.identity.register` could not be given one without a cast
// (`npm run typecheck` fails on this file before the fix). With it, the typed method registers a proven key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, signKeyProof, VouchApiError, VouchClient } from '../src/index.ts';
import type { IdentityRegistrationInput } from '../src/index.ts';
import { startLiveServer } from './aip-server.ts';

test('identity.register takes key_proof, which a server that requires it asks for', async () => {
  const live = await startLiveServer({ VOUCH_REQUIRE_KEY_PROOF: '1' });
  try {
    const client = new VouchClient({ baseUrl: live.url, now: () => live.clock.now(), retry: { retries: 0 } });
    const key = await generateKeyPair('Ed25519');
    const refused = await client.identity.register({ slug: 'unproven-bot', public_key_pem: key.publicPem }).then(
      () => assert.fail('registered without a proof'),
      (err: unknown) => err,
    );
    assert.ok(refused instanceof VouchApiError);
    assert.equal(refused.field, 'body.key_proof');

    const proof = await signKeyProof(key.privateKey, { publicUrl: live.url, signedAt: live.clock.now() });
    const input: IdentityRegistrationInput = {
      slug: 'proven-bot',
      public_key_pem: key.publicPem,
      key_proof: { signed_at: proof.signedAt, signature: proof.signature },
    };
    const reg = await client.identity.register(input);
    assert.equal(reg.slug, 'proven-bot');
    const profile = (await client.identity.get('proven-bot')) as { key_proven: boolean };
    assert.equal(profile.key_proven, true);
  } finally {
    await live.close();
  }
});
