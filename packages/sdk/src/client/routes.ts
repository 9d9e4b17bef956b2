// Every endpoint the client calls, in one table: method, path, accepted credentials (in order of preference) and
// idempotency. A test holds this table to the server's OpenAPI document, so a new route cannot go unnoticed.
import type { Route } from './http.ts';

const MANAGE = ['agent', 'management', 'owner', 'admin'] as const;

export const ROUTES = {
  // health, admin, keys
  healthz: { method: 'GET', path: '/healthz', auth: [] },
  readyz: { method: 'GET', path: '/readyz', auth: [] },
  metrics: { method: 'GET', path: '/metrics', auth: ['admin'], text: true },
  audit: { method: 'GET', path: '/api/v1/admin/audit', auth: ['admin'] },
  vouchKeys: { method: 'GET', path: '/.well-known/vouch-keys.json', auth: [] },
  adminKeys: { method: 'GET', path: '/api/v1/admin/keys', auth: ['admin'] },
  rotateAdminKey: { method: 'POST', path: '/api/v1/admin/keys/rotate', auth: ['admin'] },

  // agents (identity.app)
  registerAgent: { method: 'POST', path: '/api/v1/agents/register', auth: [] },
  claimAgent: { method: 'POST', path: '/api/v1/agents/claim', auth: ['owner'] },
  createOwner: { method: 'POST', path: '/api/v1/owners', auth: ['admin'] },
  ownerMe: { method: 'GET', path: '/api/v1/owners/me', auth: ['owner'] },
  createLinkingKey: { method: 'POST', path: '/api/v1/owners/linking-keys', auth: ['owner'] },
  rotateOwnerKey: { method: 'POST', path: '/api/v1/owners/:id/rotate-key', auth: ['owner', 'admin'] },
  setSlug: { method: 'PUT', path: '/api/v1/agents/:id/slug', auth: MANAGE },
  releaseSlug: { method: 'DELETE', path: '/api/v1/agents/:id/slug', auth: MANAGE },
  revokeAgent: { method: 'POST', path: '/api/v1/agents/:id/revoke', auth: MANAGE },
  rotateAgentKey: { method: 'POST', path: '/api/v1/agents/:id/rotate-key', auth: ['agent'] },
  rotateManagementToken: {
    method: 'POST',
    path: '/api/v1/agents/:id/rotate-management-token',
    auth: ['agent', 'owner', 'admin'],
  },
  reportAgent: { method: 'POST', path: '/api/v1/agents/report', auth: [] },
  resolveAgent: { method: 'GET', path: '/api/v1/agents/:id', auth: ['integrator'] },

  // identities (Treeship)
  registerIdentity: { method: 'POST', path: '/v1/identity/register', auth: [] },
  getIdentity: { method: 'GET', path: '/v1/identity/:slug', auth: [] },
  setTools: { method: 'POST', path: '/v1/identity/:slug/tools', auth: ['management', 'agent', 'owner', 'admin'] },
  getTools: { method: 'GET', path: '/v1/identity/:slug/tools', auth: [] },
  verifyTools: { method: 'POST', path: '/v1/identity/:slug/verify-tools', auth: [], idempotent: true },
  setVoice: {
    method: 'POST',
    path: '/v1/identity/:slug/voice-fingerprint',
    auth: ['management', 'agent', 'owner', 'admin'],
  },
  verifyVoice: { method: 'POST', path: '/v1/identity/:slug/verify-voice', auth: [], idempotent: true },
  domainChallenge: {
    method: 'GET',
    path: '/v1/identity/:slug/domain-challenge',
    auth: ['management', 'owner', 'admin'],
  },
  verifyDomain: { method: 'POST', path: '/v1/identity/:slug/verify-domain', auth: ['management', 'owner', 'admin'] },

  // agent identity tokens (AIP)
  aipDiscovery: { method: 'GET', path: '/.well-known/agent-registry.json', auth: [] },
  aipJwks: { method: 'GET', path: '/.well-known/jwks.json', auth: [] },
  aipAgents: { method: 'GET', path: '/api/registry/agents', auth: [] },
  aipSpec: { method: 'GET', path: '/api/registry/spec', auth: [], text: true },
  // Public with an agent proof in the body; the admin or the owner when configured and chosen.
  aipIssue: { method: 'POST', path: '/api/registry/issue', auth: [] },
  // Read-only unless the caller is the audience (then its nonce is consumed): TokensApi.verify sends a call that may
  // consume a nonce once, since a retry after a lost answer would say NONCE_REPLAYED.
  aipVerify: { method: 'POST', path: '/api/registry/verify', auth: [], idempotent: true },
  aipRevoke: { method: 'POST', path: '/api/registry/revoke', auth: ['admin', 'owner'], idempotent: true },
  aipRevocations: { method: 'GET', path: '/api/registry/revocations', auth: [] },

  // trust registry
  trustDocument: { method: 'GET', path: '/.well-known/agent-trust.json', auth: [] },
  registrySummary: { method: 'GET', path: '/v1/registry', auth: [] },
  registryIssuer: { method: 'GET', path: '/v1/registry/issuers/:id', auth: [] },
  // The same registry again answers 200, another one 409: safe to repeat.
  registryGenesis: { method: 'POST', path: '/v1/registry/genesis', auth: ['admin'], idempotent: true },
  // The same proposal again answers 200 with its state, also once it applied (a retry after a lost answer).
  registryPropose: { method: 'POST', path: '/v1/registry/proposals', auth: [], idempotent: true },
  registryProposals: { method: 'GET', path: '/v1/registry/proposals', auth: [] },
  registryProposal: { method: 'GET', path: '/v1/registry/proposals/:id', auth: [] },
  registryCosign: { method: 'POST', path: '/v1/registry/proposals/:id/signatures', auth: [] },
  registryRefresh: { method: 'POST', path: '/v1/registry/refresh', auth: ['admin'] },

  // signatures (issue 6): the same submission again returns the same hash
  signatureSign: { method: 'POST', path: '/api/v1/signatures/sign', auth: [], idempotent: true },
  signatureVerify: { method: 'GET', path: '/api/v1/signatures/verify', auth: ['integrator'] },
  signatureCertify: { method: 'POST', path: '/api/v1/signatures/certify', auth: ['integrator'] },

  // integrators, consent, ingestion (issue 6)
  createIntegrator: { method: 'POST', path: '/api/v1/admin/integrators', auth: ['admin'] },
  listIntegrators: { method: 'GET', path: '/api/v1/admin/integrators', auth: ['admin'] },
  // The same metrics again publish nothing and answer changed: false, also once they were published.
  setIntegratorMetrics: {
    method: 'PUT',
    path: '/api/v1/admin/integrators/:slug/metrics',
    auth: ['admin'],
    idempotent: true,
  },
  rotateIntegratorKey: { method: 'POST', path: '/api/v1/admin/integrators/:slug/rotate-key', auth: ['admin'] },
  // The same consent again (same signatureHash, already stored) answers the same and writes nothing, whenever it comes.
  consent: { method: 'POST', path: '/api/v1/integrators/consent', auth: [], idempotent: true },
  disclosure: { method: 'GET', path: '/api/v1/integrators/:slug/disclosure', auth: [] },
  // Duplicate externalEventIds answer inserted: false, so a whole batch may be sent again.
  ingest: { method: 'POST', path: '/api/v1/ingest', auth: ['integrator'], idempotent: true },

  rebuildReputation: { method: 'POST', path: '/api/v1/admin/reputation/rebuild', auth: ['admin'] },

  // capability tokens (issue 7)
  capabilityIssue: { method: 'POST', path: '/v1/tokens', auth: ['admin'] },
  intercept: { method: 'POST', path: '/v1/intercept', auth: [], idempotent: true },
  interceptBatch: { method: 'POST', path: '/v1/intercept/batch', auth: [], idempotent: true },
  // Revoking again answers alreadyRevoked: safe to repeat.
  capabilityRevoke: { method: 'POST', path: '/v1/tokens/revoke', auth: ['admin'], idempotent: true },
  capabilityDelegate: { method: 'POST', path: '/v1/tokens/delegate', auth: [] },
} as const satisfies Record<string, Route>;
// Frozen, each route and its credentials too: the client reads this table on every call, and an import that changed
// a path or a credential would change where (and with what) every client in the process sends.
for (const route of Object.values(ROUTES)) Object.freeze(Object.freeze(route).auth);
Object.freeze(ROUTES);

export type RouteName = keyof typeof ROUTES;

/**
 * Server paths the client deliberately has no method for: the web console's HTML pages and assets, the OpenAPI
 * document itself, and `/ingest` (the seed's second host name for `/api/v1/ingest`).
 */
export const NOT_IN_CLIENT: readonly string[] = Object.freeze([
  '/',
  '/registry',
  '/agents/:did',
  '/tokens/inspect',
  '/verify/:x',
  '/assets/vouch.css',
  '/assets/certify.js',
  '/docs',
  '/docs/json',
  '/ingest',
]);
