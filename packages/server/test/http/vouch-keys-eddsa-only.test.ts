// Mutation gap in /.well-known/vouch-keys.json (modules/keys/routes.ts): it lists the Ed25519 keys only. Every key
// is stored in one table, and nothing held the filter: without it the ES256 token keys were listed too, each labelled
// an Ed25519 OKP key (its P-256 `x` as an Ed25519 key) under the tokens' purpose and kid.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const ENV = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };

eachEngine('vouch-keys.json lists no ES256 token key, only the Ed25519 keys', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    // A token issued: the token keyring holds its ES256 key, published in the JWKS.
    const reg = await t.app.inject({
      method: 'POST',
      url: '/v1/identity/register',
      payload: { slug: 'key-list-agent', name: 'Key list agent' },
    });
    assert.equal(reg.statusCode, 201, reg.body);
    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(jwks.statusCode, 200, jwks.body);
    const tokenKids = (jwks.json() as { keys: Array<{ kid: string; kty: string }> }).keys.map((k) => k.kid);
    assert.ok(tokenKids.length > 0, 'the JWKS lists a token key');

    const res = await t.app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' });
    assert.equal(res.statusCode, 200, res.body);
    const keys = (res.json() as { keys: Array<Record<string, string>> }).keys;
    assert.ok(keys.length > 0, 'the Ed25519 keys are listed');
    for (const k of keys) {
      assert.ok(!tokenKids.includes(k.kid!), `an ES256 token key listed as Ed25519: ${JSON.stringify(k)}`);
      assert.notEqual(k.purpose, 'tokens', JSON.stringify(k));
    }
  } finally {
    await t.app.close();
  }
});
