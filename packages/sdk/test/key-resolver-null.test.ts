// A key resolver that answers null for a kid it does not know (a database lookup, a Map replaced by a query) made
// verifyJws, verifyJwt and verifyAipToken throw a raw TypeError ("Cannot read properties of null (reading 'type')")
// and checkCapability reject with one, where undefined gives JWT_KID_UNKNOWN and an INVALID_SIGNATURE deny. Null is now
// "no such key" as undefined is, synchronously or through a promise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AIP_TYP,
  aipClaimName,
  checkCapability,
  generateKeyPair,
  isVouchError,
  signJwt,
  verifyAipToken,
  verifyJws,
  verifyJwt,
} from '../src/index.ts';
import type { KeyResolver } from '../src/index.ts';
import { capabilityFixture } from './capability-fixtures.ts';
import { NOW as REGISTRY_NOW } from './registry-fixtures.ts';

const ISS = 'https://vouch.example';
const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;

const resolvers: Array<[string, KeyResolver]> = [
  ['null', () => null as unknown as undefined],
  ['a promise of null', async () => null as unknown as undefined],
];

test('a resolver answering null is JWT_KID_UNKNOWN from verifyJws, verifyJwt and verifyAipToken', async () => {
  const pair = await generateKeyPair('P-256');
  const claims = {
    iss: ISS,
    sub: 'did:identity:abc',
    iat: S,
    exp: S + 600,
    jti: 'j1',
    [aipClaimName(ISS, 'token_type')]: 'identity',
  };
  const token = await signJwt(claims, pair.privateKey, { kid: pair.thumbprint, typ: AIP_TYP.identity });
  const unknown = (e: unknown) => isVouchError(e, 'JWT_KID_UNKNOWN');
  for (const [label, resolveKey] of resolvers) {
    await assert.rejects(verifyJws(token, { resolveKey }), unknown, `verifyJws, ${label}`);
    await assert.rejects(verifyJwt(token, { resolveKey, issuer: ISS, now: NOW }), unknown, `verifyJwt, ${label}`);
    await assert.rejects(
      verifyAipToken(token, { resolveKey, issuer: ISS, now: NOW }),
      unknown,
      `verifyAipToken, ${label}`,
    );
  }
});

test('a resolver answering null is an INVALID_SIGNATURE deny from checkCapability', async () => {
  const f = await capabilityFixture();
  const token = await f.token();
  const request = { agentId: f.claims.sub, resource: 'payments:invoices', action: 'read' };
  for (const [label, resolveKey] of resolvers) {
    const d = await checkCapability(token, request, { resolveKey, now: REGISTRY_NOW.getTime(), registry: f.g.doc });
    assert.equal(d.decision, 'deny', label);
    assert.equal(d.decision === 'deny' ? d.code : undefined, 'INVALID_SIGNATURE', label);
  }
});
