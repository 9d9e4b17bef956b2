// Shared steps of the signatures and reports tests: sign a message as an agent (real Ed25519) and record it.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { canonicalize, sha256HexSync } from '@vouch/sdk';
import type { GeneratedKeyPair } from '@vouch/sdk';
import { signText } from '../agents/helpers.ts';

export {
  admin,
  bearer,
  claimAgent,
  codeOf,
  createOwner,
  newPair,
  registerPow,
  registerSlug,
  signText,
} from '../agents/helpers.ts';
export type { PowAgent } from '../agents/helpers.ts';

/** The agents tests' environment plus a known signature window (300 s, the default). */
export const SIG_ENV = { VOUCH_POW_DIFFICULTY: '1', VOUCH_PUBLIC_URL: 'https://vouch.test' };

export const WINDOW_MS = 300_000;

export interface SignBody {
  did: string;
  payloadHash: string;
  signature: string;
  signedAt: number;
  publicNote?: string;
}

/**
 * A sign request body: `pair` signs identity.app's `"<payloadHash>:<signedAt>"`, which does not cover `publicNote`
 * (the server records such a note as an unverified one).
 */
export async function signBody(
  pair: GeneratedKeyPair,
  did: string,
  content: string,
  signedAt: number,
  publicNote?: string,
): Promise<SignBody> {
  const payloadHash = sha256HexSync(content);
  const signature = await signText(pair, `${payloadHash}:${signedAt}`);
  return { did, payloadHash, signature, signedAt, ...(publicNote === undefined ? {} : { publicNote }) };
}

/** A sign request body whose signature covers the note: `"<payloadHash>:<signedAt>:<sha256hex(publicNote)>"`. */
export async function signNotedBody(
  pair: GeneratedKeyPair,
  did: string,
  content: string,
  signedAt: number,
  publicNote: string,
): Promise<SignBody> {
  const payloadHash = sha256HexSync(content);
  const signature = await signText(pair, `${payloadHash}:${signedAt}:${sha256HexSync(publicNote)}`);
  return { did, payloadHash, signature, signedAt, publicNote };
}

export function postSign(app: FastifyInstance, body: unknown): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/v1/signatures/sign', payload: body as object });
}

/**
 * Signs `content` as the agent and records it (a note covered by the signature, so it is the agent's); asserts 201
 * and returns the hash and the body sent.
 */
export async function recordSigned(
  app: FastifyInstance,
  agent: { did: string; pair: GeneratedKeyPair },
  content: string,
  signedAt: number,
  publicNote?: string,
): Promise<{ signatureHash: string; body: SignBody }> {
  const body =
    publicNote === undefined
      ? await signBody(agent.pair, agent.did, content, signedAt)
      : await signNotedBody(agent.pair, agent.did, content, signedAt, publicNote);
  const res = await postSign(app, body);
  assert.equal(res.statusCode, 201, res.body);
  return { signatureHash: (res.json() as { signatureHash: string }).signatureHash, body };
}

/** The hash the issue defines: sha256hex(RFC 8785 JSON of {did, payloadHash, signedAt, signature}). */
export function expectedSignatureHash(b: {
  did: string;
  payloadHash: string;
  signedAt: number;
  signature: string;
}): string {
  return sha256HexSync(
    canonicalize({ did: b.did, payloadHash: b.payloadHash, signedAt: b.signedAt, signature: b.signature }),
  );
}

/** `POST /api/v1/signatures/certify` from the client address `from`; asserts 200 and answers the body. */
export async function certifyFrom(
  app: FastifyInstance,
  signatureHash: string,
  contentHash: string,
  from: string,
): Promise<{ match: boolean; certificationCount: number }> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/signatures/certify',
    payload: { signatureHash, contentHash },
    remoteAddress: from,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { match: boolean; certificationCount: number };
}
