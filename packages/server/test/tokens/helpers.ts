// Shared set-up for the tokens tests: an app with a pinned clock, agents registered through the agents module's
// own HTTP API (never its tables), and short-hands for the AIP routes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AIP_TYP, generateKeyPair, signAipIssueProof, signJwt } from '@vouch/sdk';
import type { AipTokenType, GeneratedKeyPair, JwtClaims } from '@vouch/sdk';
import type { LightMyRequestResponse } from 'fastify';
import { makeApp, T0, TEST_ADMIN_KEY } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { keyringOf } from '../../src/modules/tokens/keyring.ts';
import type { ManualClock } from '../../src/clock.ts';
import type { Storage } from '../../src/storage/index.ts';

export { T0, TEST_ADMIN_KEY };
export const ISS = 'https://vouch.test';
export const ADMIN = { 'x-api-key': TEST_ADMIN_KEY };

/** An app whose issuer is {@link ISS}, with proof of work off so agents register instantly. */
export function tokenApp(
  storage: Storage,
  options: { env?: Record<string, string>; clock?: ManualClock; kek?: Buffer } = {},
): Promise<TestApp> {
  return makeApp(storage, {
    ...options,
    env: { VOUCH_PUBLIC_URL: ISS, VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent', ...options.env },
  });
}

/** Two token apps on two storages of one database, with one clock and one KEK: two processes behind a balancer. */
export async function twoTokenApps(open: () => Promise<Storage>): Promise<[TestApp, TestApp]> {
  const a = await tokenApp(await open());
  const b = await tokenApp(await open(), { clock: a.clock, kek: a.kek });
  return [a, b];
}

export interface TestAgent {
  did: string;
  key: GeneratedKeyPair;
}

export interface TestOwner {
  ownerId: string;
  apiKey: string;
  headers: { authorization: string };
}

export async function createOwner(t: TestApp, handle = `owner-${randomBytes(4).toString('hex')}`): Promise<TestOwner> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/owners',
    headers: ADMIN,
    payload: { name: handle, handle },
  });
  assert.equal(res.statusCode, 201, res.body);
  const { ownerId, apiKey } = res.json() as { ownerId: string; apiKey: string };
  return { ownerId, apiKey, headers: { authorization: `Bearer ${apiKey}` } };
}

/** Registers an agent (identity.app route), linked to `owner` when given, with a slug when given. */
export async function registerAgent(t: TestApp, opts: { owner?: TestOwner; slug?: string } = {}): Promise<TestAgent> {
  const key = await generateKeyPair('Ed25519');
  let linkingKey: string | undefined;
  if (opts.owner !== undefined) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/owners/linking-keys',
      headers: opts.owner.headers,
    });
    assert.equal(res.statusCode, 201, res.body);
    linkingKey = (res.json() as { linkingKey: string }).linkingKey;
  }
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/agents/register',
    payload: { publicKey: key.publicKeyBase64, powNonce: '0', ...(linkingKey ? { linkingKey } : {}) },
  });
  assert.equal(res.statusCode, 201, res.body);
  const { did } = res.json() as { did: string };
  if (opts.slug !== undefined) {
    const s = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${did}/slug`,
      headers: ADMIN,
      payload: { slug: opts.slug },
    });
    assert.equal(s.statusCode, 200, s.body);
  }
  return { did, key };
}

export async function revokeAgent(t: TestApp, did: string): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/agents/${did}/revoke`,
    headers: ADMIN,
    payload: { reason: 'test' },
  });
  assert.equal(res.statusCode, 200, res.body);
}

export function post(
  t: TestApp,
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url, payload: payload as object, headers });
}

/** Issues a token as the admin and returns it. */
export async function issue(
  t: TestApp,
  agent: TestAgent | string,
  extra: Record<string, unknown> = {},
): Promise<{ token: string; jti: string; exp: number }> {
  const did = typeof agent === 'string' ? agent : agent.did;
  const res = await post(t, '/api/registry/issue', { agent_name: did, ...extra }, ADMIN);
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { token: string; jti: string; exp: number };
}

/** The agent's own issuance body (proof over the request, signed now by default). */
export async function proofBody(
  t: TestApp,
  agent: TestAgent,
  tokenType: AipTokenType,
  audience?: string,
  signedAt = t.clock.now(),
): Promise<Record<string, unknown>> {
  const { proof } = await signAipIssueProof(agent.key.privateKey, { did: agent.did, tokenType, audience, signedAt });
  return { agent_name: agent.did, token_type: tokenType, ...(audience ? { audience } : {}), proof, signedAt };
}

export async function verify(
  t: TestApp,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  body: { valid: boolean; claims?: Record<string, unknown>; code?: string; error?: string };
}> {
  const res = await post(t, '/api/registry/verify', body, headers);
  return { status: res.statusCode, body: res.json() };
}

/** Asserts a verification failed with 401 and `code`, in the seed's shape plus `code`. */
export async function rejected(
  t: TestApp,
  body: Record<string, unknown>,
  code: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const r = await verify(t, body, headers);
  assert.equal(r.status, 401, `expected 401 ${code}, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.valid, false);
  assert.equal(r.body.code, code, JSON.stringify(r.body));
  assert.equal(typeof r.body.error, 'string');
  assert.deepEqual(Object.keys(r.body).sort(), ['code', 'error', 'valid']);
}

/**
 * An identity token for `sub` (any string, not only a DID) signed with the server's active key, with no record of it
 * kept: what only a leaked key could sign. Issued at {@link T0}, living an hour.
 */
export async function signedWithServerKey(t: TestApp, sub: string, jti: string): Promise<string> {
  const s = T0 / 1000;
  const claims: JwtClaims = { iss: ISS, sub, iat: s, exp: s + 3600, jti };
  claims[`${ISS}/claims/token_type`] = 'identity';
  const { kid, privateKey } = await keyringOf(t.ctx).signingKey();
  return signJwt(claims, privateKey, { kid, typ: AIP_TYP.identity });
}
