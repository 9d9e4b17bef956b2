// A verifier's `now`, clock skew and largest age must be finite numbers: a time check against NaN is never true, so
// a `now` of NaN or undefined (a JavaScript caller that left it out, `new Date('bad').getTime()`) used to let an
// expired token, credential or proof through. Each verifier now refuses such options with INVALID_ARGUMENT.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  AIP_TYP,
  aipClaimName,
  aipKeysFromJwks,
  checkCapability,
  generateKeyPair,
  signAgentCredential,
  signCapabilityProof,
  signJwt,
  signRevocationRequest,
  verifyAgentCredential,
  verifyAipToken,
  verifyCapabilityProof,
  verifyJwt,
  verifyRevocationRequest,
  type JwtClaims,
} from '../src/index.ts';
import { capabilityFixture, type CapabilityFixture } from './capability-fixtures.ts';
import { NOW, rejectsCode } from './registry-fixtures.ts';

const now = NOW.getTime();
const BAD_NOW: unknown[] = [Number.NaN, undefined, Number.POSITIVE_INFINITY, -1, '1700000000000'];
const BAD_SECONDS: unknown[] = [Number.NaN, Number.POSITIVE_INFINITY, -1, '60'];
const ISSUER = 'https://vouch.example';

let f: CapabilityFixture;
let jwt: { token: string; resolveKey: ReturnType<typeof aipKeysFromJwks>['resolveKey'] };
before(async () => {
  f = await capabilityFixture();
  const pair = await generateKeyPair('P-256');
  const { resolveKey } = aipKeysFromJwks({ keys: [{ ...pair.publicJwk, kid: pair.thumbprint }] });
  // Expired long ago: any working time check refuses it.
  const claims: JwtClaims = { iss: ISSUER, sub: 'did:identity:x', iat: 1000, exp: 2000, jti: 'j' };
  claims[aipClaimName(ISSUER, 'token_type')] = 'identity';
  jwt = { token: await signJwt(claims, pair.privateKey, { kid: pair.thumbprint, typ: AIP_TYP.identity }), resolveKey };
});

describe('verifiers refuse a now or a skew that is not a finite number', () => {
  test('verifyJwt and verifyAipToken: INVALID_ARGUMENT, where the token itself is JWT_EXPIRED', async () => {
    const opts = { resolveKey: jwt.resolveKey, issuer: ISSUER };
    await rejectsCode(() => verifyAipToken(jwt.token, { ...opts, now }), 'JWT_EXPIRED');
    for (const bad of BAD_NOW) {
      await rejectsCode(() => verifyJwt(jwt.token, { ...opts, now: bad as number }), 'INVALID_ARGUMENT');
      await rejectsCode(() => verifyAipToken(jwt.token, { ...opts, now: bad as number }), 'INVALID_ARGUMENT');
    }
    for (const bad of BAD_SECONDS) {
      await rejectsCode(
        () => verifyJwt(jwt.token, { ...opts, now, clockSkewSeconds: bad as number }),
        'INVALID_ARGUMENT',
      );
    }
  });

  test('checkCapability: INVALID_ARGUMENT, where the token is TOKEN_EXPIRED', async () => {
    const token = await f.token({ iat: 1000, exp: 1600 });
    const request = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
    const opts = { resolveKey: f.resolveKey, registry: f.g.doc };
    const d = await checkCapability(token, request, { ...opts, now });
    assert.equal(d.decision === 'deny' ? d.code : d.decision, 'TOKEN_EXPIRED');
    for (const bad of BAD_NOW) {
      await rejectsCode(() => checkCapability(token, request, { ...opts, now: bad as number }), 'INVALID_ARGUMENT');
    }
    for (const bad of BAD_SECONDS) {
      await rejectsCode(
        () => checkCapability(token, request, { ...opts, now, clockSkewSeconds: bad as number }),
        'INVALID_ARGUMENT',
      );
    }
  });

  test('verifyCapabilityProof and verifyRevocationRequest: INVALID_ARGUMENT, where the proof is PROOF_STALE', async () => {
    const agent = await generateKeyPair('Ed25519');
    const request = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
    const proof = await signCapabilityProof(request, agent.privateKey, { now: 0 });
    const popts = { agentKey: agent.publicKey, ...request };
    await rejectsCode(() => verifyCapabilityProof(proof, { ...popts, now }), 'PROOF_STALE');
    const revoke = await signRevocationRequest({ jti: 't1', issuerId: 'alpha' }, f.g.orgs.alpha!.privateKey, {
      now: 0,
    });
    const ropts = { registry: f.g.doc, jti: 't1' };
    await rejectsCode(() => verifyRevocationRequest(revoke, { ...ropts, now }), 'PROOF_STALE');
    for (const bad of BAD_NOW) {
      await rejectsCode(() => verifyCapabilityProof(proof, { ...popts, now: bad as number }), 'INVALID_ARGUMENT');
      await rejectsCode(() => verifyRevocationRequest(revoke, { ...ropts, now: bad as number }), 'INVALID_ARGUMENT');
    }
    for (const bad of BAD_SECONDS) {
      await rejectsCode(
        () => verifyCapabilityProof(proof, { ...popts, now, maxAgeSeconds: bad as number }),
        'INVALID_ARGUMENT',
      );
    }
  });

  test('verifyAgentCredential: INVALID_ARGUMENT, where the credential is CREDENTIAL_EXPIRED', async () => {
    const cred = await signAgentCredential(
      { issuerId: 'alpha', agentId: 'agent:x', ttlSeconds: 3600, now },
      f.g.orgs.alpha!.privateKey,
    );
    const opts = { registry: f.g.doc };
    await rejectsCode(() => verifyAgentCredential(cred, { ...opts, now: now + 86_400_000 }), 'CREDENTIAL_EXPIRED');
    for (const bad of BAD_NOW) {
      await rejectsCode(() => verifyAgentCredential(cred, { ...opts, now: bad as number }), 'INVALID_ARGUMENT');
    }
    for (const bad of BAD_SECONDS) {
      await rejectsCode(
        () => verifyAgentCredential(cred, { ...opts, now, clockSkewSeconds: bad as number }),
        'INVALID_ARGUMENT',
      );
    }
  });
});
