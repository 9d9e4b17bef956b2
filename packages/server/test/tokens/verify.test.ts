import assert from 'node:assert/strict';
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { AIP_TYP, encodeBase64url, formatPublicKey, generateKeyPair, signJwt } from '@vouch/sdk';
import type { JwtClaims } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import { agentDirectory, setAgentDirectory } from '../../src/modules/tokens/agents.ts';
import type { TestApp } from '../helpers/app.ts';
import { ADMIN, ISS, issue, post, registerAgent, rejected, revokeAgent, T0, tokenApp, verify } from './helpers.ts';

const S = T0 / 1000;

/** Signs arbitrary claims with the server's real active key (what an attacker cannot do; tests the claim checks). */
async function forgeWithServerKey(t: TestApp, claims: JwtClaims, typ = AIP_TYP.identity): Promise<string> {
  const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
  return signJwt(claims, privateKey, { kid, typ });
}

function compact(header: object, payload: string, signature: string): string {
  return `${encodeBase64url(JSON.stringify(header))}.${payload}.${signature}`;
}

eachEngine('a valid token verifies with {valid: true, claims}', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const { token, jti } = await issue(t, agent);
  const r = await verify(t, { token });
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body).sort(), ['claims', 'valid']);
  assert.equal(r.body.valid, true);
  assert.equal(r.body.claims!.sub, agent.did);
  assert.equal(r.body.claims!.jti, jti);
  assert.equal(r.body.claims![`${ISS}/claims/token_type`], 'identity');
  await t.app.close();
});

eachEngine('attack tokens are refused with 401 {valid: false, error, code}', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const { token } = await issue(t, agent);
  const session = (await issue(t, agent, { token_type: 'session', audience: 'shop.example', nonce: 'n-1' })).token;
  const [h, p, s] = token.split('.') as [string, string, string];
  const { kid } = await keyringOf(t.ctx).signingKey();
  const base: JwtClaims = { iss: ISS, sub: agent.did, iat: S, exp: S + 3600, jti: 'forged-1' };
  base[`${ISS}/claims/token_type`] = 'identity';

  // alg: none in any letter case, with and without a signature.
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    await rejected(t, { token: compact({ alg, kid, typ: AIP_TYP.identity }, p, '') }, 'JWT_MALFORMED');
    await rejected(t, { token: compact({ alg, kid, typ: AIP_TYP.identity }, p, s) }, 'JWT_ALG_NOT_ALLOWED');
  }
  // HS256 with the server's public key (PEM, and JWK JSON) as the HMAC secret.
  const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
    keys: Array<Record<string, string>>;
  };
  const publicJwk = jwks.keys[0]!;
  const { parsePublicKey } = await import('@vouch/sdk');
  const pem = formatPublicKey(parsePublicKey({ kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y }), 'pem');
  for (const secret of [pem, JSON.stringify(publicJwk)]) {
    const input = `${encodeBase64url(JSON.stringify({ alg: 'HS256', kid, typ: AIP_TYP.identity }))}.${p}`;
    await rejected(
      t,
      { token: `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}` },
      'JWT_ALG_NOT_ALLOWED',
    );
  }
  // Embedded jwk, jku, x5u, x5c: an attacker's key or key URL, signed by the attacker.
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (const extra of [
    { jwk: attacker.publicKey.export({ format: 'jwk' }) },
    { jku: 'https://evil.example/jwks.json' },
    { x5u: 'https://evil.example/cert.pem' },
    { x5c: ['MIIB'] },
  ]) {
    const input = `${encodeBase64url(JSON.stringify({ alg: 'ES256', kid, typ: AIP_TYP.identity, ...extra }))}.${p}`;
    const sig = createSign('sha256').update(input).sign({ key: attacker.privateKey, dsaEncoding: 'ieee-p1363' });
    await rejected(t, { token: `${input}.${encodeBase64url(sig)}` }, 'JWT_HEADER_FORBIDDEN');
  }
  // kid with path or SQL characters, unknown, missing.
  for (const badKid of ['../../etc/passwd', "x' OR '1'='1", "'; DROP TABLE server_keys; --", 'unknown-kid']) {
    await rejected(
      t,
      { token: compact({ alg: 'ES256', kid: badKid, typ: AIP_TYP.identity }, p, s) },
      'JWT_KID_UNKNOWN',
    );
  }
  await rejected(t, { token: compact({ alg: 'ES256', typ: AIP_TYP.identity }, p, s) }, 'JWT_KID_UNKNOWN');
  // Another issuer's key, with our kid.
  const foreign = await generateKeyPair('P-256');
  await rejected(
    t,
    { token: await signJwt(base, foreign.privateKey, { kid, typ: AIP_TYP.identity }) },
    'JWT_SIGNATURE_INVALID',
  );
  // Psychic signature r = s = 0.
  await rejected(t, { token: `${h}.${p}.${encodeBase64url(new Uint8Array(64))}` }, 'JWT_SIGNATURE_INVALID');
  // Re-encoded base64url of a valid token: padding, or a non-canonical last character.
  await rejected(t, { token: `${h}.${p}.${s}=` }, 'JWT_MALFORMED');
  await rejected(t, { token: `${h}=.${p}.${s}` }, 'JWT_MALFORMED');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = s[s.length - 1]!;
  await rejected(t, { token: `${h}.${p}.${s.slice(0, -1)}${alphabet[alphabet.indexOf(last) + 1]}` }, 'JWT_MALFORMED');
  // Oversize and malformed.
  await rejected(t, { token: `${h}.${'A'.repeat(9000)}.${s}` }, 'JWT_TOO_LARGE');
  await rejected(t, { token: 'x'.repeat(60_000) }, 'JWT_TOO_LARGE');
  for (const junk of ['', 'abc', `${h}.${p}`, `${h}.${p}.${s}.x`, '...'])
    await rejected(t, { token: junk }, 'JWT_MALFORMED');

  // Signed by the server's key but with bad claims.
  await rejected(t, { token: await forgeWithServerKey(t, { ...base, exp: S - 61 }) }, 'JWT_EXPIRED');
  await rejected(t, { token: await forgeWithServerKey(t, { ...base, nbf: S + 120 }) }, 'JWT_NOT_YET_VALID');
  await rejected(t, { token: await forgeWithServerKey(t, { ...base, iat: S + 120 }) }, 'JWT_ISSUED_IN_FUTURE');
  await rejected(
    t,
    { token: await forgeWithServerKey(t, { ...base, iss: 'https://evil.example' }) },
    'JWT_ISSUER_MISMATCH',
  );
  const { jti: _jti, ...noJti } = base;
  await rejected(t, { token: await forgeWithServerKey(t, noJti) }, 'JWT_CLAIM_INVALID');
  await rejected(t, { token: await forgeWithServerKey(t, base, 'JWT') }, 'JWT_TYP_MISMATCH');
  // One type passing as the other: session claims under the identity typ, and the reverse.
  const sessionClaims = { ...base, aud: 'shop.example', [`${ISS}/claims/token_type`]: 'session' };
  await rejected(t, { token: await forgeWithServerKey(t, sessionClaims, AIP_TYP.identity) }, 'TOKEN_TYPE_MISMATCH');
  await rejected(t, { token: await forgeWithServerKey(t, base, AIP_TYP.session) }, 'TOKEN_TYPE_MISMATCH');
  await rejected(t, { token: await forgeWithServerKey(t, { ...base, aud: 'x' }) }, 'JWT_CLAIM_INVALID');
  await rejected(
    t,
    { token: await forgeWithServerKey(t, { ...sessionClaims, aud: ['a', 'b'] }, AIP_TYP.session) },
    'JWT_CLAIM_INVALID',
  );
  // An agent this server does not know.
  await rejected(
    t,
    { token: await forgeWithServerKey(t, { ...base, sub: 'did:identity:aaaaaaaaaaaaaaaaaaaaaaaaaa' }) },
    'AGENT_NOT_FOUND',
  );

  // Audience rules: an identity token where a session token is required, the wrong audience, the wrong nonce.
  await rejected(t, { token, audience: 'shop.example' }, 'TOKEN_TYPE_MISMATCH');
  await rejected(t, { token: session, audience: 'bank.example' }, 'JWT_AUDIENCE_MISMATCH');
  await rejected(t, { token: session, audience: 'shop.example', nonce: 'n-2' }, 'JWT_NONCE_MISMATCH');
  await rejected(t, { token, nonce: 'n-1' }, 'JWT_NONCE_MISMATCH');
  assert.equal((await verify(t, { token: session, audience: 'shop.example', nonce: 'n-1' })).status, 200);

  // Bad requests are 400, not 401, and never 5xx.
  for (const payload of [{}, { token: 1 }, { token: 'x', extra: true }, { token: 'x', audience: '' }]) {
    const res = await post(t, '/api/registry/verify', payload);
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.equal((res.json() as { code: string }).code, 'VALIDATION_FAILED');
  }
  await t.app.close();
});

eachEngine('expiry honours VOUCH_CLOCK_SKEW', async ({ open }) => {
  const storage = await open();
  const t = await tokenApp(storage);
  const agent = await registerAgent(t);
  const { token } = await issue(t, agent, { token_type: 'session', audience: 'a' });
  t.clock.advance(3600_000 + 59_000);
  assert.equal((await verify(t, { token })).status, 200, 'within the default 60 s skew');
  t.clock.advance(1000);
  await rejected(t, { token }, 'JWT_EXPIRED');
  await t.app.close();

  const strict = await tokenApp(storage, { env: { VOUCH_CLOCK_SKEW: '0' }, kek: t.kek });
  const fresh = await issue(strict, agent, { token_type: 'session', audience: 'a' });
  strict.clock.advance(3600_000);
  await rejected(strict, { token: fresh.token }, 'JWT_EXPIRED');
  await strict.app.close();
});

eachEngine('revoked tokens and revoked agents fail verification', async ({ open }) => {
  const t = await tokenApp(await open());
  const agent = await registerAgent(t);
  const a = await issue(t, agent);
  const b = await issue(t, agent);
  const revoke = await post(t, '/api/registry/revoke', { jti: a.jti, reason: 'leaked' }, ADMIN);
  assert.equal(revoke.statusCode, 200, revoke.body);
  await rejected(t, { token: a.token }, 'TOKEN_REVOKED');
  assert.equal((await verify(t, { token: b.token })).status, 200);

  // Revoking the agent revokes its live tokens too (agents module → revokeTokensOfAgent), so the revocation list,
  // and with it every offline verifier, learns it.
  await revokeAgent(t, agent.did);
  await rejected(t, { token: b.token }, 'TOKEN_REVOKED');
  const list = (await t.app.inject({ method: 'GET', url: '/api/registry/revocations' })).json() as {
    revoked: Array<{ jti: string; reason: string }>;
  };
  assert.deepEqual(
    list.revoked.map((r) => [r.jti, r.reason]),
    [
      [a.jti, 'leaked'],
      [b.jti, 'test'],
    ],
  );

  // And the agent's own status is checked as well, whatever the list says.
  const other = await registerAgent(t);
  const c = await issue(t, other);
  const real = agentDirectory(t.ctx);
  setAgentDirectory(t.ctx, {
    ...real,
    find: async (ref) => {
      const found = await real.find(ref);
      return found && { ...found, status: 'revoked' };
    },
  });
  await rejected(t, { token: c.token }, 'AGENT_REVOKED');
  await t.app.close();
});

eachEngine(
  'the audience consumes a session nonce once, across processes; anonymous checks do not',
  async ({ open }) => {
    const storage = await open();
    const t = await tokenApp(storage);
    const other = await tokenApp(await open(), { clock: t.clock, kek: t.kek });
    const agent = await registerAgent(t);
    const { token } = await issue(t, agent, { token_type: 'session', audience: 'shop.example', nonce: 'n-42' });

    // Anonymous verifications check validity without consuming.
    for (let i = 0; i < 2; i++) assert.equal((await verify(t, { token })).status, 200);
    // A wrong admin key is refused (it would pass for anonymous and leave the nonce it meant to consume).
    const wrong = await verify(t, { token }, { 'x-api-key': 'not-the-admin-key-000' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 'UNAUTHORIZED');
    // The audience (here the admin) consumes it: once.
    assert.equal((await verify(t, { token, audience: 'shop.example' }, ADMIN)).status, 200);
    await rejected(t, { token }, 'NONCE_REPLAYED', ADMIN);
    // Another server process on the same database knows it too.
    await rejected(other, { token, nonce: 'n-42' }, 'NONCE_REPLAYED', ADMIN);
    // A token without a nonce has nothing to consume.
    const plain = await issue(t, agent, { token_type: 'session', audience: 'shop.example' });
    for (let i = 0; i < 2; i++) assert.equal((await verify(t, { token: plain.token }, ADMIN)).status, 200);

    // Concurrent presentations of a fresh nonce to two processes: exactly one wins.
    const race = await issue(t, agent, { token_type: 'session', audience: 'shop.example', nonce: 'n-race' });
    const results = await Promise.all([t, other, t, other].map((app) => verify(app, { token: race.token }, ADMIN)));
    assert.deepEqual(
      results.map((r) => r.status).sort(),
      [200, 401, 401, 401],
      JSON.stringify(results.map((r) => r.body.code)),
    );
    assert.ok(results.filter((r) => r.status === 401).every((r) => r.body.code === 'NONCE_REPLAYED'));
    await t.app.close();
    await other.app.close();
  },
);
