// A small populated world for the fuzzer: an owner, agents (one by public key, one by slug with its management
// token), a token, and a registry with a pending proposal, so generated requests can name things that exist and
// present credentials that work. Everything is made through the public HTTP API.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import type { TestApp } from '../helpers/app.ts';
import { makeIssuers, proposal, unsigned } from '../registry/fixtures.ts';
import type { FuzzCredentials } from './request-arbitrary.ts';

/** Who holds the secrets of {@link FuzzCredentials.bearers}, so that {@link renewCredentials} can reissue them. */
export interface FuzzWorld extends FuzzCredentials {
  ownerId: string;
  managedDid: string;
  integratorSlug: string;
  /** How many times {@link renewCredentials} ran: names each new agent's slug. */
  renewals: number;
  /** The agent registered by public key: its public key (standard base64), which renewal drops from the pools. */
  signerKey: string;
}

async function call(t: TestApp, method: 'POST' | 'PUT', url: string, payload: unknown, headers = {}) {
  const res = await t.app.inject({ method, url, payload: payload as object, headers });
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

/** An agent registered by a fresh Ed25519 public key, linked to the owner whose linking key this is. */
async function registerByKey(t: TestApp, linkingKey: string) {
  const key = await generateKeyPair('Ed25519');
  const agent = await call(t, 'POST', '/api/v1/agents/register', {
    publicKey: key.publicKeyBase64,
    powNonce: '0',
    linkingKey,
  });
  return { did: agent.did as string, key };
}

/** Populates `t` and returns the credentials and identifiers requests may use. */
export async function buildWorld(t: TestApp): Promise<FuzzWorld> {
  const admin = { 'x-api-key': t.adminKey };
  const owner = await call(t, 'POST', '/api/v1/owners', { name: 'Fuzz Owner', handle: 'fuzz-owner' }, admin);
  const ownerKey = owner.apiKey as string;
  const linking = await call(t, 'POST', '/api/v1/owners/linking-keys', undefined, {
    authorization: `Bearer ${ownerKey}`,
  });

  const { did, key } = await registerByKey(t, linking.linkingKey as string);
  await call(t, 'PUT', `/api/v1/agents/${did}/slug`, { slug: 'fuzz-agent' }, admin);

  const bySlug = await call(t, 'POST', '/v1/identity/register', { slug: 'fuzz-slug', name: 'Fuzz' });
  const managementToken = bySlug.management_token as string;

  const token = await call(t, 'POST', '/api/registry/issue', { agent_name: did }, admin);

  const issuers = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
  const founders = [issuers.alpha!, issuers.bravo!, issuers.charlie!];
  const genesis = await call(
    t,
    'POST',
    '/v1/registry/genesis',
    { issuers: founders.map((f) => f.entry), threshold: 2 },
    admin,
  );
  const registry = genesis.registry as string;
  const pending = await proposal(
    { registry, baseSequence: 1, action: 'add', entry: unsigned(issuers.delta!.entry) },
    [issuers.alpha!],
    t.clock.now(),
  );
  const posted = await call(t, 'POST', '/v1/registry/proposals', pending);

  // An integrator (the module is built in): its key opens ingestion and the integrator-only routes. Made through
  // call(), which fails the fuzz if it is refused, rather than fuzzing those routes without their credential.
  const integrator = await call(
    t,
    'POST',
    '/api/v1/admin/integrators',
    {
      slug: 'fuzz-int',
      name: 'Fuzz Integrator',
      domain: 'fuzz-int.example',
      metrics: [{ metricKey: 'tasks_completed', polarity: 'boost', weight: 1, lane: 'conduct' }],
    },
    admin,
  );
  const integratorKey = integrator.apiKey as string;

  return {
    ownerId: owner.ownerId as string,
    managedDid: bySlug.did as string,
    integratorSlug: 'fuzz-int',
    renewals: 0,
    signer: { did, slug: 'fuzz-agent', privateKey: key.privateKey },
    signerKey: key.publicKeyBase64!,
    adminKey: t.adminKey,
    bearers: [ownerKey, managementToken, integratorKey],
    agents: [did, bySlug.did as string],
    strings: [
      did,
      bySlug.did as string,
      did.split(':').pop()!,
      'fuzz-agent',
      'fuzz-slug',
      owner.ownerId as string,
      ownerKey,
      managementToken,
      linking.linkingKey as string,
      token.token as string,
      token.jti as string,
      key.publicKeyBase64!,
      issuers.alpha!.pair.publicKeyRegistry!,
      registry,
      posted.id as string,
      'alpha',
      'delta',
      t.adminKey,
      'fuzz-int',
      'fuzz-int.production.v1',
      'tasks_completed',
      integratorKey,
    ],
  };
}

/**
 * The world with a fresh owner API key, management token, integrator key and key-registered agent: a route that
 * rotates or revokes one of them (a case that succeeds) would otherwise leave every route fuzzed after it with a dead
 * credential, so that an owner-only route sorted after `POST /api/v1/owners/{id}/rotate-key` never got past its door.
 */
export async function renewCredentials(t: TestApp, world: FuzzWorld): Promise<FuzzWorld> {
  const admin = { 'x-api-key': t.adminKey };
  const owner = await call(t, 'POST', `/api/v1/owners/${world.ownerId}/rotate-key`, undefined, admin);
  // A new agent by public key, the signer of agent-signed cases: a case may have revoked the one before or rotated
  // its key away (`agents/{id}/revoke`, `agents/{id}/rotate-key`), and every later route then saw AGENT_REVOKED or
  // a signature by a key no longer current.
  const linking = await call(t, 'POST', '/api/v1/owners/linking-keys', undefined, {
    authorization: `Bearer ${owner.apiKey as string}`,
  });
  const signer = await registerByKey(t, linking.linkingKey as string);
  const signerSlug = `fuzz-signer-${world.renewals + 1}`;
  await call(t, 'PUT', `/api/v1/agents/${signer.did}/slug`, { slug: signerSlug }, admin);
  // A new agent by slug, with its management token: the one before may have been revoked (irreversibly) by a case.
  const slug = `fuzz-renewed-${world.renewals + 1}`;
  const managed = await call(t, 'POST', '/v1/identity/register', { slug, name: 'Fuzz' });
  const integrator = await call(t, 'POST', `/api/v1/admin/integrators/${world.integratorSlug}/rotate-key`, {}, admin);
  const fresh = [owner.apiKey as string, managed.management_token as string, integrator.apiKey as string];
  const managedDid = managed.did as string;
  const stale = new Set([...world.bearers, world.managedDid, world.signer.did, world.signerKey]);
  const signerKey = signer.key.publicKeyBase64!;
  return {
    ...world,
    managedDid,
    renewals: world.renewals + 1,
    signer: { did: signer.did, slug: signerSlug, privateKey: signer.key.privateKey },
    signerKey,
    bearers: fresh,
    agents: [...world.agents.filter((a) => !stale.has(a)), managedDid, signer.did],
    strings: [
      ...world.strings.filter((s) => !stale.has(s)),
      ...[...fresh, managedDid, slug, signer.did, signerKey, signerSlug],
    ],
  };
}
