// Issuers, signed proposals and HTTP helpers shared by the registry tests.
import {
  applyProposal,
  createGenesis,
  draftIssuerEntry,
  draftProposal,
  generateKeyPair,
  proposalSigningBytes,
  replayGovernance,
  signProposal,
  signRegistryDocument,
  type GeneratedKeyPair,
  type IssuerEntry,
  type IssuerSignature,
  type Proposal,
  type RegistryDocument,
  type RegistryState,
  type UnsignedIssuerEntry,
} from '@vouch/sdk';
import { encodeBase64url } from '@vouch/sdk';
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { T0, type TestApp } from '../helpers/app.ts';

export interface TestIssuer {
  id: string;
  pair: GeneratedKeyPair;
  entry: IssuerEntry;
}

export async function makeIssuers(ids: readonly string[]): Promise<Record<string, TestIssuer>> {
  const out: Record<string, TestIssuer> = {};
  for (const id of ids) {
    const pair = await generateKeyPair('Ed25519');
    const entry = draftIssuerEntry({
      id,
      publicKey: pair.publicKeyRegistry!,
      endpoint: `https://credentials.${id}.example`,
      name: `${id} Inc.`,
      contact: `trust@${id}.example`,
      registeredAt: new Date(T0),
    });
    out[id] = { id, pair, entry };
  }
  return out;
}

export function unsigned(entry: IssuerEntry): UnsignedIssuerEntry {
  const { signatures: _s, $schema: _d, ...rest } = entry;
  return rest;
}

/** A proposal for `registry` at `baseSequence`, co-signed by `signers` in order. */
export async function proposal(
  input: Omit<Parameters<typeof draftProposal>[0], 'expiresAt'> & { expiresAt?: Date },
  signers: readonly TestIssuer[],
  signedAt: number,
): Promise<Proposal> {
  let p = draftProposal({ expiresAt: new Date(signedAt + 86_400_000), ...input });
  for (const s of signers)
    p = await signProposal(p, s.pair.privateKey, { issuerId: s.id, signedAt: new Date(signedAt) });
  return p;
}

/** One co-signature of `p` by `issuer` (or with another key), as posted to the signatures route. */
export function cosignature(
  p: Proposal,
  issuer: TestIssuer,
  signedAt: number,
  key: GeneratedKeyPair = issuer.pair,
): IssuerSignature {
  const sig = sign(null, proposalSigningBytes(p), createPrivateKey(key.privatePem));
  return {
    issuerId: issuer.id,
    signature: `ed25519:${encodeBase64url(sig)}`,
    signedAt: new Date(signedAt).toISOString(),
  };
}

export function admin(key: string): Record<string, string> {
  return { 'x-api-key': key };
}

export async function post(app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url, payload: payload as object, headers });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> & { code?: string } };
}

export async function get(app: FastifyInstance, url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> & { code?: string } };
}

/** The registry's genesis with these founders and a threshold of 2; its id. */
export async function genesis(app: TestApp, founders: TestIssuer[]): Promise<string> {
  const g = await post(
    app.app,
    '/v1/registry/genesis',
    { issuers: founders.map((f) => f.entry), threshold: 2 },
    admin(app.adminKey),
  );
  assert.equal(g.status, 201, JSON.stringify(g.body));
  return g.body.registry as string;
}

/** The authority `app` founded by alpha, bravo and charlie; echo, not an issuer yet, is there to be proposed. */
export async function foundersAndEcho(app: TestApp): Promise<{ is: Record<string, TestIssuer>; registry: string }> {
  const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'echo']);
  return { is, registry: await genesis(app, [is.alpha!, is.bravo!, is.charlie!]) };
}

/** A proposal to add echo on sequence 1 of `registry`, co-signed by `signers` at `signedAt` (by default, valid a day). */
export function addEcho(
  registry: string,
  is: Record<string, TestIssuer>,
  signers: readonly TestIssuer[],
  signedAt: number,
  expiresAt?: Date,
): Promise<Proposal> {
  const input = { registry, baseSequence: 1, action: 'add' as const, entry: unsigned(is.echo!.entry) };
  return proposal(expiresAt === undefined ? input : { ...input, expiresAt }, signers, signedAt);
}

/** A registry source on loopback serving `set`'s document (503 while it holds none, as an unreachable source). */
export async function registrySource(initial: RegistryDocument | null = null) {
  let body: string | null = initial === null ? null : JSON.stringify(initial);
  const server = createServer((_req, res) => {
    if (body === null) return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent-trust.json`,
    server,
    set(doc: RegistryDocument | null) {
      body = doc === null ? null : JSON.stringify(doc);
    },
  };
}

/**
 * A consumer's first document, as an authority signs it offline: genesis at T0 of issuers `ids`, threshold 2, signed by
 * `root`; with its issuers and replayed state for the steps that follow.
 */
export async function signedGenesis(
  root: GeneratedKeyPair,
  ids: readonly string[],
  options: { validitySeconds?: number } = {},
): Promise<{ is: Record<string, TestIssuer>; doc: RegistryDocument; state: RegistryState }> {
  const is = await makeIssuers(ids);
  const doc = await createGenesis({
    rootKey: root.privateKey,
    issuers: Object.values(is).map((i) => i.entry),
    threshold: 2,
    now: T0,
    ...options,
  });
  return { is, doc, state: replayGovernance(doc.governance).state! };
}

/** `state` after the removal of `subject`, proposed and co-signed by alpha and bravo at `at` and applied then. */
export async function removed(
  state: RegistryState,
  is: Record<string, TestIssuer>,
  subject: string,
  at: number,
  reason = 'left',
): Promise<RegistryState> {
  const rm = await proposal(
    { registry: state.registry, baseSequence: state.sequence, action: 'remove', subject, reason },
    [is.alpha!, is.bravo!],
    at,
  );
  return applyProposal(state, rm, { appliedAt: at }).state;
}

/**
 * Sequence 1 of a registry of alpha, bravo, charlie and delta (threshold 2, at T0) and sequence 2, `subject` removed
 * at T0 + 1 s, both signed by `root`: a consumer's older and later document.
 */
export async function twoVersions(
  root: GeneratedKeyPair,
  subject: string,
): Promise<{ is: Record<string, TestIssuer>; v1: RegistryDocument; v2: RegistryDocument }> {
  const { is, doc: v1, state } = await signedGenesis(root, ['alpha', 'bravo', 'charlie', 'delta']);
  const s2 = await removed(state, is, subject, T0 + 1000);
  return { is, v1, v2: await signRegistryDocument(s2, { rootKey: root.privateKey, now: T0 + 1000 }) };
}

/** A consumer's settings: follow `url`, pinned to `root`'s public key, refreshed every minute. */
export function consumerEnv(url: string, root: GeneratedKeyPair): Record<string, string> {
  return {
    VOUCH_TRUST_REGISTRY_URL: url,
    VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
    VOUCH_TRUST_REGISTRY_TTL: '60',
  };
}
