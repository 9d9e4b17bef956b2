// VouchClient's and createAipVerifier's crypto option was taken as given: one that is not a CryptoProvider (a
// provider's name such as 'webcrypto', an object of the wrong shape: settings read from JSON) was accepted, and the
// first agent-signed request, or the first token verified, threw a raw TypeError ("provider.sha256 is not a
// function"). Each is now refused when the client or verifier is made, as VouchError INVALID_ARGUMENT naming
// crypto; null is still the default provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AIP_TYP,
  createAipVerifier,
  createWebCryptoProvider,
  generateKeyPair,
  getDefaultCrypto,
  isVouchError,
  VouchClient,
} from '../src/index.ts';
import type { AipVerifierOptions, VouchClientOptions } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';
import { aipIssuer, NOW } from './aip-fixtures.ts';

function invalidCrypto(err: unknown): boolean {
  assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
  assert.equal(err.message, 'crypto must be a CryptoProvider (getDefaultCrypto(), createWebCryptoProvider()).');
  return true;
}

const BAD = ['webcrypto', 42, {}, { name: 'node', sign: () => undefined }];

test('a client crypto that is not a CryptoProvider is INVALID_ARGUMENT when the client is made', async (t) => {
  const s = await serveAnswers(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"revoked":true}');
  });
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = { did: 'did:identity:abcdefghijklmnopqrstuvwxya', privateKey };
  for (const bad of BAD) {
    const options = { baseUrl: s.url, credentials: { agent }, crypto: bad } as unknown as VouchClientOptions;
    let client;
    try {
      client = new VouchClient(options);
    } catch (err) {
      invalidCrypto(err);
      continue;
    }
    const outcome = await client.agents.revoke(agent.did).catch((err: unknown) => String(err));
    assert.fail(`${JSON.stringify(bad)}: the client was made; a signed call then gave ${JSON.stringify(outcome)}`);
  }
  assert.equal(s.seen.length, 0, 'nothing sent');
  for (const crypto of [null, getDefaultCrypto(), createWebCryptoProvider()]) {
    const options = { baseUrl: s.url, credentials: { agent }, crypto } as unknown as VouchClientOptions;
    assert.deepEqual(await new VouchClient(options).agents.revoke(agent.did), { revoked: true });
  }
});

test('a verifier crypto that is not a CryptoProvider is INVALID_ARGUMENT when the verifier is made', async () => {
  const a = await aipIssuer();
  const token = await a.sign(a.identity, AIP_TYP.identity);
  for (const bad of BAD) {
    const options = { jwks: a.jwks, revocations: false, now: () => NOW, crypto: bad } as unknown as AipVerifierOptions;
    let verifier;
    try {
      verifier = createAipVerifier(options);
    } catch (err) {
      invalidCrypto(err);
      continue;
    }
    const outcome = await verifier.check(token).catch((err: unknown) => String(err));
    assert.fail(`${JSON.stringify(bad)}: the verifier was made; a token then gave ${JSON.stringify(outcome)}`);
  }
  for (const crypto of [null, getDefaultCrypto(), createWebCryptoProvider()]) {
    const options = { jwks: a.jwks, revocations: false, now: () => NOW, crypto } as unknown as AipVerifierOptions;
    assert.equal((await createAipVerifier(options).check(token)).valid, true);
  }
});
