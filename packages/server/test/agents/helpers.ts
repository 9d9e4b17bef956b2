// Shared steps of the agents tests: register agents both ways, create owners, sign requests as an agent.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import {
  canonicalize,
  encodeBase64,
  encodeUtf8,
  generateKeyPair,
  getDefaultCrypto,
  sha256HexSync,
  solvePow,
} from '@vouch/sdk';
import type { GeneratedKeyPair } from '@vouch/sdk';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { TEST_ADMIN_KEY } from '../helpers/app.ts';
import type { TestDnsServer } from '../net/fixtures/dns-server.ts';

/** Low proof-of-work difficulty for tests that are not about proof of work. */
export const TEST_ENV = { VOUCH_POW_DIFFICULTY: '1', VOUCH_PUBLIC_URL: 'https://vouch.test' };

export const admin = { 'x-api-key': TEST_ADMIN_KEY };
export const bearer = (secret: string): Record<string, string> => ({ authorization: `Bearer ${secret}` });

export interface PowAgent {
  did: string;
  id: string;
  claimToken?: string;
  linked: boolean;
  pair: GeneratedKeyPair;
}

export async function newPair(): Promise<GeneratedKeyPair> {
  return generateKeyPair('Ed25519');
}

/** Registers through identity.app's route with a solved proof of work; asserts 201. */
export async function registerPow(
  app: FastifyInstance,
  opts: { difficulty?: number; label?: string; linkingKey?: string; pair?: GeneratedKeyPair } = {},
): Promise<PowAgent> {
  const pair = opts.pair ?? (await newPair());
  const publicKey = pair.publicKeyBase64!;
  const { nonce } = await solvePow(publicKey, { difficulty: opts.difficulty ?? 1 });
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/agents/register',
    payload: { publicKey, powNonce: nonce, label: opts.label, linkingKey: opts.linkingKey },
  });
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json() as { did: string; claimToken?: string; linked: boolean };
  return { ...body, id: body.did.slice('did:identity:'.length), pair };
}

export interface SlugAgent {
  slug: string;
  did: string;
  id: string;
  managementToken: string;
  body: Record<string, unknown>;
  pair?: GeneratedKeyPair;
}

/** Registers through Treeship's route; asserts 201. */
export async function registerSlug(
  app: FastifyInstance,
  slug: string,
  extra: Record<string, unknown> = {},
): Promise<SlugAgent> {
  const res = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug, ...extra } });
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json() as Record<string, unknown> & { did: string; management_token: string };
  return {
    slug,
    did: body.did,
    id: body.did.slice('did:identity:'.length),
    managementToken: body.management_token,
    body,
  };
}

/** Creates an owner as the admin. */
export async function createOwner(
  app: FastifyInstance,
  handle: string,
  name = `Owner ${handle}`,
): Promise<{ ownerId: string; apiKey: string; handle: string; name: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/owners', headers: admin, payload: { name, handle } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { ownerId: string; apiKey: string; handle: string; name: string };
}

/** Claims an agent for `owner` with its one-time claim token; asserts 200. */
export async function claimAgent(app: FastifyInstance, owner: { apiKey: string }, claimToken: unknown): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/agents/claim',
    headers: bearer(owner.apiKey),
    payload: { claimToken },
  });
  assert.equal(res.statusCode, 200, res.body);
}

export async function signText(pair: GeneratedKeyPair, text: string): Promise<string> {
  return encodeBase64(await getDefaultCrypto().sign('EdDSA', pair.privateKey, encodeUtf8(text)));
}

/** The headers of an agent-signed request (docs/PROTOCOL.md, "Agent-signed requests"). */
export async function signedHeaders(
  pair: GeneratedKeyPair,
  agent: string,
  method: string,
  url: string,
  payload: unknown,
  signedAt: number,
): Promise<Record<string, string>> {
  const contentSha256 = sha256HexSync(payload === undefined || payload === null ? '' : canonicalize(payload));
  const text = `vouch-request-v1\n${method}\n${url}\n${signedAt}\n${contentSha256}`;
  return {
    'x-vouch-agent': agent,
    'x-vouch-signed-at': String(signedAt),
    'x-vouch-content-sha256': contentSha256,
    'x-vouch-signature': await signText(pair, text),
  };
}

/** Sends a request signed by `pair` as `agent` at `signedAt`. */
export async function signedInject(
  app: FastifyInstance,
  pair: GeneratedKeyPair,
  agent: string,
  method: 'POST' | 'PUT' | 'DELETE' | 'GET',
  url: string,
  payload: unknown,
  signedAt: number,
): Promise<LightMyRequestResponse> {
  const headers = await signedHeaders(pair, agent, method, url, payload, signedAt);
  return app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/**
 * A newly registered agent's signed `PUT /api/v1/agents/:did/slug` of `{ slug: 'mine' }`, signed at `clock`'s now and
 * not sent yet: its url and headers, for tests of what may and may not use a signed request up.
 */
export async function unsentSlugPut(
  app: FastifyInstance,
  clock: { now(): number },
): Promise<{ url: string; headers: Record<string, string> }> {
  const agent = await registerPow(app);
  const url = `/api/v1/agents/${agent.did}/slug`;
  return { url, headers: await signedHeaders(agent.pair, agent.did, 'PUT', url, { slug: 'mine' }, clock.now()) };
}

export function codeOf(res: LightMyRequestResponse): string {
  return (res.json() as { code: string }).code;
}

/**
 * Asserts that `slug` is refused `status` `code` every way a slug is taken: a registration, `agent`'s own signed slug
 * change (signed a millisecond on, by `clock`) and the admin's change of it.
 */
export async function assertSlugRefused(
  app: FastifyInstance,
  clock: { now(): number; advance(ms: number): void },
  agent: PowAgent,
  slug: string,
  status: number,
  code: string,
): Promise<void> {
  const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } });
  assert.equal(reg.statusCode, status, `${slug}: ${reg.body}`);
  assert.equal(codeOf(reg), code, slug);
  clock.advance(1);
  const url = `/api/v1/agents/${agent.did}/slug`;
  const put = await signedInject(app, agent.pair, agent.did, 'PUT', url, { slug }, clock.now());
  assert.equal(put.statusCode, status, `${slug}: ${put.body}`);
  assert.equal(codeOf(put), code, slug);
  // Not even the admin may hand one out through the API.
  const byAdmin = await app.inject({ method: 'PUT', url, headers: admin, payload: { slug } });
  assert.equal(byAdmin.statusCode, status, `${slug}: ${byAdmin.body}`);
  assert.equal(codeOf(byAdmin), code, slug);
}

/**
 * Registers `slug` and proves `domain` by DNS TXT through the routes, publishing the challenge's token in `zone` (a
 * test DNS server's); returns the agent and the token.
 */
export async function proveDomainByDns(
  app: FastifyInstance,
  zone: TestDnsServer['zone'],
  slug: string,
  domain: string,
): Promise<{ agent: SlugAgent; token: string }> {
  const agent = await registerSlug(app, slug);
  const auth = bearer(agent.managementToken);
  const c = await app.inject({
    method: 'GET',
    url: `/v1/identity/${slug}/domain-challenge?domain=${domain}`,
    headers: auth,
  });
  assert.equal(c.statusCode, 200, c.body);
  const token = (c.json() as { challenge_token: string }).challenge_token;
  zone.set(`_vouch-verify.${domain}`, { TXT: [token] });
  const v = await app.inject({
    method: 'POST',
    url: `/v1/identity/${slug}/verify-domain`,
    headers: auth,
    payload: { domain },
  });
  assert.equal(v.statusCode, 200, v.body);
  assert.equal((v.json() as { verified: boolean }).verified, true, v.body);
  return { agent, token };
}

/**
 * The agent `did` rotates its key from `from` to `to`: the request signed by `from`, the rotation statement by `to`,
 * both dated `at` (ms).
 */
export async function rotateKey(
  app: FastifyInstance,
  did: string,
  from: GeneratedKeyPair,
  to: GeneratedKeyPair,
  at: number,
): Promise<LightMyRequestResponse> {
  const newKeySignature = await signText(to, rotationStatement(did, from.publicKeyBase64!, to.publicKeyBase64!, at));
  const payload = { newPublicKey: to.publicKeyBase64, newKeySignature };
  return signedInject(app, from, did, 'POST', `/api/v1/agents/${did}/rotate-key`, payload, at);
}
