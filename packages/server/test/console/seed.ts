// Data for the console tests, created only through the HTTP API (in process with app.inject, or over a socket
// against a real server): agents (one named with a script), a token, a three-issuer registry that then admits a
// fourth issuer and removes one, and a signed text.
import assert from 'node:assert/strict';
import {
  encodeBase64,
  encodeUtf8,
  generateKeyPair,
  getDefaultCrypto,
  sha256HexSync,
  type GeneratedKeyPair,
} from '@vouch/sdk';
import type { FastifyInstance } from 'fastify';
import { TEST_ADMIN_KEY } from '../helpers/app.ts';
import { makeIssuers, proposal, unsigned } from '../registry/fixtures.ts';

/** The agent name that must never run: it would set `window.__pwned` and open a dialog. */
export const XSS_NAME = '<script>window.__pwned=1;alert(1)</script>';
/** An issuer name that would run script if it were not escaped. */
export const XSS_ISSUER = '<img src=x onerror="window.__pwned=2"> Alpha & Co';
export const ADMIN = { 'x-api-key': TEST_ADMIN_KEY };

export interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read by shape
  body: any;
}
export type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;

export function injectCall(app: FastifyInstance): Call {
  return async (method, url, body, headers = {}) => {
    const res = await app.inject({ method: method as 'GET', url, payload: body as object | undefined, headers });
    return { status: res.statusCode, body: res.body === '' ? undefined : (res.json() as unknown) };
  };
}

export function fetchCall(base: string): Call {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
}

export interface Seeded {
  xss: { did: string; slug: string };
  signer: { did: string; key: GeneratedKeyPair };
  token: string;
  registry: string;
}

/** Seeds everything the console shows; `now` is the server's (pinned) time. Needs VOUCH_POW_DIFFICULTY=0. */
export async function seedConsole(call: Call, now: number): Promise<Seeded> {
  const xss = await call('POST', '/v1/identity/register', {
    slug: 'xss-agent',
    name: XSS_NAME,
    description: 'An agent whose name is a script.',
  });
  assert.equal(xss.status, 201, JSON.stringify(xss.body));

  const key = await generateKeyPair('Ed25519');
  const reg = await call('POST', '/api/v1/agents/register', { publicKey: key.publicKeyBase64, powNonce: '0' });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const signer = { did: reg.body.did as string, key };

  const issued = await call('POST', '/api/registry/issue', { agent_name: signer.did }, ADMIN);
  assert.equal(issued.status, 201, JSON.stringify(issued.body));

  // Genesis with three founders (2 of 3), then delta admitted by alpha and bravo, then charlie removed.
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
  const alphaEntry = { ...is.alpha!.entry, metadata: { ...is.alpha!.entry.metadata, name: XSS_ISSUER } };
  const g = await call(
    'POST',
    '/v1/registry/genesis',
    { issuers: [alphaEntry, is.bravo!.entry, is.charlie!.entry], threshold: 2 },
    ADMIN,
  );
  assert.equal(g.status, 201, JSON.stringify(g.body));
  const registry = g.body.registry as string;
  const add = await proposal(
    { registry, baseSequence: 1, action: 'add', entry: unsigned(is.delta!.entry) },
    [is.alpha!, is.bravo!],
    now,
  );
  const added = await call('POST', '/v1/registry/proposals', add);
  assert.equal(added.body.status, 'applied', JSON.stringify(added.body));
  const remove = await proposal(
    { registry, baseSequence: 2, action: 'remove', subject: 'charlie', reason: 'left <the> consortium' },
    [is.alpha!, is.delta!],
    now,
  );
  const removed = await call('POST', '/v1/registry/proposals', remove);
  assert.equal(removed.body.status, 'applied', JSON.stringify(removed.body));

  return { xss: { did: xss.body.did as string, slug: 'xss-agent' }, signer, token: issued.body.token, registry };
}

/** Signs `content` as the agent (identity.app's `payloadHash:signedAt`) and records it; the signature hash. */
export async function signContent(
  call: Call,
  signer: Seeded['signer'],
  content: string | Uint8Array,
  signedAt: number,
): Promise<{ status: number; signatureHash?: string }> {
  const payloadHash = sha256HexSync(content);
  const sig = await getDefaultCrypto().sign('EdDSA', signer.key.privateKey, encodeUtf8(`${payloadHash}:${signedAt}`));
  const res = await call('POST', '/api/v1/signatures/sign', {
    did: signer.did,
    payloadHash,
    signature: encodeBase64(sig),
    signedAt,
  });
  return { status: res.status, signatureHash: res.body?.signatureHash as string | undefined };
}
