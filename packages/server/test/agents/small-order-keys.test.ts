// Ed25519 keys of small order (and non-canonical spellings of them) never become an agent's key or a registry
// issuer's key: for such a key OpenSSL accepts the fixed forged signature R = identity, S = 0, so anyone could act
// as that agent or issuer. Each refusal is a 400 with a stable code and writes nothing.
import assert from 'node:assert/strict';
import { encodeBase64, encodeBase64url, solvePow } from '@vouch/sdk';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin as registryAdmin, cosignature, makeIssuers, post, proposal, unsigned } from '../registry/fixtures.ts';
import { codeOf, newPair, registerPow, signedInject, signText, TEST_ENV } from './helpers.ts';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
// The identity point, one of order 8, and p + 1 (OpenSSL reads it as the identity: a second spelling).
const IDENTITY = hex('0100000000000000000000000000000000000000000000000000000000000000');
const WEAK = [
  IDENTITY,
  hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
  hex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'),
];
/** R = identity, S = 0: verifies under OpenSSL for every message when the key is the identity. */
const FORGED = encodeBase64(new Uint8Array([...IDENTITY, ...new Uint8Array(32)]));
const pem = (raw: Uint8Array): string =>
  `-----BEGIN PUBLIC KEY-----\n${Buffer.concat([hex('302a300506032b6570032100'), raw]).toString('base64')}\n` +
  '-----END PUBLIC KEY-----\n';

eachEngine('registration with a small-order key: 400 INVALID_KEY, nothing written', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const before = await tableCounts(storage);
    for (const raw of WEAK) {
      const publicKey = encodeBase64(raw);
      const { nonce } = await solvePow(publicKey, { difficulty: 1 });
      const pow = await app.inject({
        method: 'POST',
        url: '/api/v1/agents/register',
        payload: { publicKey, powNonce: nonce },
      });
      assert.equal(pow.statusCode, 400, pow.body);
      assert.equal(codeOf(pow), 'INVALID_KEY');
      const slug = await app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug: `weak-${raw[0]}`, public_key_pem: pem(raw) },
      });
      assert.equal(slug.statusCode, 400, slug.body);
      assert.equal(codeOf(slug), 'INVALID_KEY');
    }
    assert.deepEqual(await tableCounts(storage), before);
  } finally {
    await app.close();
  }
});

eachEngine('rotation to a small-order key: 400 INVALID_KEY, the old key stays in force', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const a = await registerPow(app);
    const url = `/api/v1/agents/${a.did}/rotate-key`;
    const oldKey = a.pair.publicKeyBase64!;
    const before = await tableCounts(storage);
    for (const raw of WEAK) {
      clock.advance(1);
      const newPublicKey = encodeBase64(raw);
      // The forged signature is "the new key's signature" of the rotation statement, as far as OpenSSL can tell.
      const p = { newPublicKey, newKeySignature: FORGED };
      const res = await signedInject(app, a.pair, a.did, 'POST', url, p, clock.now());
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(codeOf(res), 'INVALID_KEY');
    }
    assert.deepEqual(await tableCounts(storage), before, 'refused rotations wrote nothing');
    const profile = (await app.inject({ method: 'GET', url: `/v1/identity/${a.did}` })).json() as {
      public_key: string;
    };
    assert.equal(profile.public_key, oldKey);
    // The old key still speaks for the agent: it can rotate to a proper key.
    clock.advance(1);
    const next = await newPair();
    const statement = rotationStatement(a.did, oldKey, next.publicKeyBase64!, clock.now());
    const p = { newPublicKey: next.publicKeyBase64!, newKeySignature: await signText(next, statement) };
    const ok = await signedInject(app, a.pair, a.did, 'POST', url, p, clock.now());
    assert.equal(ok.statusCode, 200, ok.body);
  } finally {
    await app.close();
  }
});

eachEngine(
  'registry: genesis and proposals with a small-order issuer key are 400 REGISTRY_INVALID',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta', 'mallory']);
      const founders = [is.alpha!, is.bravo!, is.charlie!, is.delta!];
      const weakKeys = WEAK.map((raw) => `ed25519:${encodeBase64url(raw)}`);

      const before = await tableCounts(storage);
      for (const publicKey of weakKeys) {
        const issuers = [...founders.map((f) => f.entry), { ...is.mallory!.entry, publicKey }];
        const g = await post(app.app, '/v1/registry/genesis', { issuers, threshold: 2 }, registryAdmin(app.adminKey));
        assert.equal(g.status, 400, JSON.stringify(g.body));
        assert.equal(g.body.code, 'REGISTRY_INVALID');
        assert.equal(g.body.field, 'body.issuers[4].publicKey');
      }
      assert.deepEqual(await tableCounts(storage), before);

      const g = await post(
        app.app,
        '/v1/registry/genesis',
        { issuers: founders.map((f) => f.entry), threshold: 2 },
        registryAdmin(app.adminKey),
      );
      assert.equal(g.status, 201, JSON.stringify(g.body));
      const registry = g.body.registry as string;
      const now = app.clock.now();
      const afterGenesis = await tableCounts(storage);
      for (const publicKey of weakKeys) {
        // Signed by two issuers (a quorum) over the weak key, so only the key check stands in the way.
        const add = await proposal(
          { registry, baseSequence: 1, action: 'add', entry: unsigned(is.mallory!.entry) },
          [],
          now,
        );
        const update = await proposal(
          { registry, baseSequence: 1, action: 'update', entry: unsigned(is.alpha!.entry) },
          [],
          now,
        );
        for (const [p, signers] of [
          [add, [is.alpha!, is.bravo!]],
          [update, [is.bravo!, is.charlie!]],
        ] as const) {
          const weak = { ...p, entry: { ...p.entry!, publicKey } };
          const signed = { ...weak, signatures: signers.map((s) => cosignature(weak, s, now)) };
          const res = await post(app.app, '/v1/registry/proposals', signed);
          assert.equal(res.status, 400, JSON.stringify(res.body));
          assert.equal(res.body.code, 'REGISTRY_INVALID');
          assert.match(String(res.body.field), /entry\.publicKey$/);
        }
      }
      assert.deepEqual(await tableCounts(storage), afterGenesis, 'refused proposals wrote nothing');
    } finally {
      await app.app.close();
    }
  },
);
