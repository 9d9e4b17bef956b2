// Shared by the capability gateway tests: a governed registry on the authority, credentials, and HTTP calls.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { signAgentCredential, signRevocationRequest, type PrivateKey, type PublicKey } from '@vouch/sdk';
import { tableCounts, type TestApp } from '../helpers/app.ts';
import { admin, makeIssuers, post, proposal, unsigned, type TestIssuer } from '../registry/fixtures.ts';

export const ISSUERS = ['acme', 'bolt', 'coda', 'dyad', 'echo'] as const;

export interface Governed {
  issuers: Record<string, TestIssuer>;
  registry: string;
  /** The sequence the next proposal applies to. */
  sequence: number;
}

/** Genesis of a registry of `ids` (default five issuers, threshold 3) on the app's authority. */
export async function genesis(app: TestApp, ids: readonly string[] = ISSUERS, threshold = 3): Promise<Governed> {
  const issuers = await makeIssuers(ids);
  const g = await post(
    app.app,
    '/v1/registry/genesis',
    { issuers: Object.values(issuers).map((i) => i.entry), threshold },
    admin(app.adminKey),
  );
  assert.equal(g.status, 201, JSON.stringify(g.body));
  return { issuers, registry: g.body.registry as string, sequence: 1 };
}

/** Applies one proposal, fully co-signed by `signers`, through the authority's HTTP API. */
export async function govern(
  app: TestApp,
  reg: Governed,
  fields: Record<string, unknown>,
  signers: readonly string[],
): Promise<void> {
  const p = await proposal(
    { registry: reg.registry, baseSequence: reg.sequence, ...fields } as Parameters<typeof proposal>[0],
    signers.map((s) => reg.issuers[s]!),
    app.clock.now(),
  );
  const res = await post(app.app, '/v1/registry/proposals', p);
  assert.equal(res.body.status, 'applied', JSON.stringify(res.body));
  reg.sequence++;
}

/** Removes `id` by governance. */
export function removeIssuer(app: TestApp, reg: Governed, id: string, signers: readonly string[]): Promise<void> {
  return govern(app, reg, { action: 'remove', subject: id, reason: 'compromised' }, signers);
}

/** Rotates `id`'s key by an `update` proposal; `issuers[id].pair` is the new key afterwards. */
export async function rotateIssuerKey(
  app: TestApp,
  reg: Governed,
  id: string,
  signers: readonly string[],
): Promise<void> {
  const [fresh] = Object.values(await makeIssuers([id]));
  const entry = { ...unsigned(reg.issuers[id]!.entry), publicKey: fresh!.pair.publicKeyRegistry! };
  await govern(app, reg, { action: 'update', subject: id, entry }, signers);
  reg.issuers[id] = { ...fresh!, entry: { ...reg.issuers[id]!.entry, publicKey: entry.publicKey } };
}

/** A credential from `issuer` for `agentId`. */
export function credential(
  app: TestApp,
  issuer: TestIssuer,
  agentId: string,
  options: { scope?: string[]; ttlSeconds?: number; agentKey?: PublicKey; now?: number } = {},
): Promise<string> {
  return signAgentCredential(
    {
      issuerId: issuer.id,
      agentId,
      ttlSeconds: options.ttlSeconds ?? 86_400,
      now: options.now ?? app.clock.now(),
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.agentKey ? { agentKey: options.agentKey } : {}),
    },
    issuer.pair.privateKey,
  );
}

export interface Issued {
  status: number;
  body: Record<string, unknown> & { code?: string; token?: string; tokenId?: string; expiresAt?: string };
}

/** `POST /v1/tokens`. */
export async function issue(
  app: FastifyInstance,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Issued> {
  return post(app, '/v1/tokens', { tier: 'standard', expiresIn: 600, ...body }, headers) as Promise<Issued>;
}

/** `POST /v1/tokens` with an issuer binding; asserts 201 and returns the token. */
export async function boundToken(
  app: TestApp,
  issuer: TestIssuer,
  agentId: string,
  fields: Record<string, unknown> = {},
): Promise<{ token: string; tokenId: string }> {
  const agentCredential = await credential(app, issuer, agentId);
  const res = await issue(app.app, {
    agentId,
    resource: 'payments:invoices',
    action: 'read',
    issuerBinding: { issuerId: issuer.id, agentCredential },
    ...fields,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { token: res.body.token!, tokenId: res.body.tokenId! };
}

/** `POST /v1/intercept` → `{decision, code?}` (asserting 200). */
export async function intercept(
  app: FastifyInstance,
  token: string,
  agentId: string,
  resource = 'payments:invoices',
  action = 'read',
): Promise<{ decision: string; code?: string; reason?: string }> {
  const res = await post(app, '/v1/intercept', { token, agentId, resource, action });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { decision: string; code?: string };
}

/** The frame of the issuer-revoke tests (`POST /v1/tokens/revoke` with an issuer's proof); see {@link revokeFrame}. */
export interface RevokeFrame {
  reg: Governed;
  acme: TestIssuer;
  /** A revocation proof of `jti` naming `issuerId`, signed by `key` at the app clock's now. */
  sign(jti: string, issuerId?: string, key?: PrivateKey): Promise<string>;
  /** `POST /v1/tokens/revoke`. */
  revoke(body: Record<string, unknown>, headers?: Record<string, string>): ReturnType<typeof post>;
  /** Sends `body` to revoke and asserts the answer's `[status, code]` and that no table's row count changed. */
  refused(body: Record<string, unknown>, status: number, code: string, what?: string): Promise<void>;
}

/** Genesis of the five issuers on `app` and the revoke calls for acme, its default signer. */
export async function revokeFrame(app: TestApp): Promise<RevokeFrame> {
  const reg = await genesis(app);
  const acme = reg.issuers.acme!;
  const revoke: RevokeFrame['revoke'] = (body, headers = {}) => post(app.app, '/v1/tokens/revoke', body, headers);
  return {
    reg,
    acme,
    sign: (jti, issuerId = 'acme', key = acme.pair.privateKey) =>
      signRevocationRequest({ jti, issuerId }, key, { now: app.clock.now() }),
    revoke,
    async refused(body, status, code, what = '') {
      const before = await tableCounts(app.ctx.storage);
      const res = await revoke(body);
      assert.deepEqual([res.status, res.body.code], [status, code], `${what}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(await tableCounts(app.ctx.storage), before, `${what}: nothing written`);
    },
  };
}
