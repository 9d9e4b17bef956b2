// verifyJwt's issuer is required ("the only accepted iss"), but nothing checked that one was given: with issuer left
// out and requiredClaims not naming iss, a token without iss passed and no issuer check ran at all (undefined ===
// undefined). A caller's mistake must not switch the check off: a missing or empty issuer is INVALID_ARGUMENT before
// any token is looked at, whatever the token holds.
import { test } from 'node:test';
import { generateKeyPair, signJwt, verifyJwt } from '../src/index.ts';
import type { VerifyJwtOptions } from '../src/index.ts';
import { rejectsCode } from './vectors.ts';

test('verifyJwt refuses options without a non-empty string issuer', async () => {
  const pair = await generateKeyPair('P-256');
  const resolveKey = () => pair.publicKey;
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  const noIss = await signJwt({ sub: 's', iat, exp: iat + 60, jti: 'j' }, pair.privateKey, { kid: 'k' });
  const emptyIss = await signJwt({ iss: '', sub: 's', iat, exp: iat + 60, jti: 'j' }, pair.privateKey, { kid: 'k' });
  for (const issuer of [undefined, '', null, 7, ['https://vouch.example']]) {
    const options = { resolveKey, now, issuer, requiredClaims: ['sub'] } as unknown as VerifyJwtOptions;
    await rejectsCode(() => verifyJwt(noIss, options), 'INVALID_ARGUMENT');
    await rejectsCode(() => verifyJwt(emptyIss, options), 'INVALID_ARGUMENT');
  }
  // The check still passes a token from the issuer named, and refuses one from no issuer.
  const issued = await signJwt(
    { iss: 'https://vouch.example', sub: 's', iat, exp: iat + 60, jti: 'j' },
    pair.privateKey,
    {
      kid: 'k',
    },
  );
  await verifyJwt(issued, { resolveKey, now, issuer: 'https://vouch.example' });
  await rejectsCode(
    () => verifyJwt(noIss, { resolveKey, now, issuer: 'https://vouch.example', requiredClaims: ['sub'] }),
    'JWT_ISSUER_MISMATCH',
  );
});
