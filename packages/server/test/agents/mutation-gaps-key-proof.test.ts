// Gaps found by mutation testing: a registration key proof is held to the ±5 minute window both ways. A proof dated
// in the future would stay usable for as long as its date is ahead, so anyone who saw it (a leaked, or intercepted,
// proof) could register the holder's key as proven long after it was made. Existing tests only tried a past date.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { solvePow } from '@vouch/sdk';
import type { GeneratedKeyPair } from '@vouch/sdk';
import { registrationStatement, SIGNED_REQUEST_WINDOW_MS } from '../../src/modules/agents/auth.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { codeOf, newPair, signText, TEST_ENV } from './helpers.ts';

async function powRegister(
  app: FastifyInstance,
  pair: GeneratedKeyPair,
  signedAt: number,
): Promise<LightMyRequestResponse> {
  const publicKey = pair.publicKeyBase64!;
  const { nonce } = await solvePow(publicKey, { difficulty: 1 });
  const signature = await signText(pair, registrationStatement(TEST_ENV.VOUCH_PUBLIC_URL, publicKey, signedAt));
  return app.inject({
    method: 'POST',
    url: '/api/v1/agents/register',
    payload: { publicKey, powNonce: nonce, keyProof: { signedAt, signature } },
  });
}

eachEngine('a key proof dated beyond the window ahead is refused; at the edge it is accepted', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const holder = await newPair();
    const before = await tableCounts(storage);
    for (const ahead of [SIGNED_REQUEST_WINDOW_MS + 1, 24 * 3_600_000]) {
      const res = await powRegister(app, holder, clock.now() + ahead);
      assert.equal(res.statusCode, 400, `${ahead} ms ahead: ${res.body}`);
      assert.equal(codeOf(res), 'SIGNED_AT_OUT_OF_WINDOW');
    }
    assert.deepEqual(await tableCounts(storage), before, 'nothing was registered');

    const edge = await powRegister(app, holder, clock.now() + SIGNED_REQUEST_WINDOW_MS);
    assert.equal(edge.statusCode, 201, edge.body);
    const did = (edge.json() as { did: string }).did;
    const profile = await app.inject({ method: 'GET', url: `/v1/identity/${did}` });
    assert.equal((profile.json() as { key_proven: boolean }).key_proven, true);
  } finally {
    await app.close();
  }
});
