// verifyJws and verifyJwt read `algorithms`, `typ` and `resolveKey` without a guard: `algorithms: null` (a setting
// read from JSON) threw a raw TypeError (reading 'includes' of null), a `typ` that is not a string or a list of
// strings threw one ("accepted is not iterable", reading 'toLowerCase'), and a `resolveKey` that is not a function
// threw "resolveKey is not a function" (verifyAipToken too). A null `algorithms` now gives the default (['ES256'],
// the narrowest), and the others are INVALID_ARGUMENT naming the option, before the token is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AIP_TYP,
  aipClaimName,
  generateKeyPair,
  isVouchError,
  keysFromJwks,
  signJwt,
  verifyAipToken,
  verifyJws,
  verifyJwt,
} from '../src/index.ts';
import type { VerifyJwsOptions } from '../src/index.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;

function invalid(name: string) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
    assert.match(err.message, new RegExp(name));
    return true;
  };
}

test('malformed algorithms, typ and resolveKey are INVALID_ARGUMENT; a null algorithms is the default', async () => {
  const es = await generateKeyPair('P-256');
  const ed = await generateKeyPair('Ed25519');
  const resolveKey = keysFromJwks({
    keys: [
      { ...es.publicJwk, kid: es.thumbprint },
      { ...ed.publicJwk, kid: ed.thumbprint },
    ],
  });
  const claims = {
    iss: ISS,
    sub: 'did:identity:abc',
    iat: S,
    exp: S + 600,
    jti: 'j1',
    [aipClaimName(ISS, 'token_type')]: 'identity',
  };
  const token = await signJwt(claims, es.privateKey, { kid: es.thumbprint, typ: AIP_TYP.identity });
  const jwt = { issuer: ISS, now: NOW };
  const bad: Array<[string, Partial<VerifyJwsOptions>]> = [
    ['algorithms', { algorithms: 'ES256' as unknown as ['ES256'] }],
    ['typ', { typ: null as unknown as string }],
    ['typ', { typ: 5 as unknown as string }],
    ['typ', { typ: [AIP_TYP.identity, null] as unknown as string[] }],
    ['resolveKey', { resolveKey: null as unknown as VerifyJwsOptions['resolveKey'] }],
    ['resolveKey', { resolveKey: 'kid' as unknown as VerifyJwsOptions['resolveKey'] }],
  ];
  for (const [name, given] of bad) {
    const label = `${name}: ${String(Object.values(given)[0])}`;
    await assert.rejects(verifyJws(token, { resolveKey, ...given }), invalid(name), `verifyJws ${label}`);
    await assert.rejects(verifyJwt(token, { resolveKey, ...jwt, ...given }), invalid(name), `verifyJwt ${label}`);
  }
  // Checked before the token is read.
  await assert.rejects(verifyJws('not a token', { resolveKey, typ: 5 as unknown as string }), invalid('typ'));
  await assert.rejects(
    verifyAipToken(token, { resolveKey: 'k' as unknown as VerifyJwsOptions['resolveKey'], now: NOW }),
    invalid('resolveKey'),
  );
  // null algorithms: the default, ES256 only.
  const nullAlgorithms = { resolveKey, algorithms: null as unknown as undefined };
  assert.equal((await verifyJws(token, nullAlgorithms)).header.alg, 'ES256');
  assert.equal((await verifyJwt(token, { ...nullAlgorithms, ...jwt })).claims.jti, 'j1');
  const edToken = await signJwt(claims, ed.privateKey, { kid: ed.thumbprint });
  await assert.rejects(verifyJws(edToken, nullAlgorithms), (e: unknown) => isVouchError(e, 'JWT_ALG_NOT_ALLOWED'));
  await verifyJws(edToken, { resolveKey, algorithms: ['EdDSA'] });
  // Well-formed typ options still work as before.
  await verifyJws(token, { resolveKey, typ: AIP_TYP.identity.toUpperCase() });
  await verifyJws(token, { resolveKey, typ: ['other+jwt', AIP_TYP.identity] });
  await assert.rejects(verifyJws(token, { resolveKey, typ: [] }), (e: unknown) => isVouchError(e, 'JWT_TYP_MISMATCH'));
});
