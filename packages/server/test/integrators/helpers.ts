/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are checked field by field. */
// Shared steps of the integrator, consent, ingestion and reputation tests: an app with proof of work off, agents
// with real Ed25519 keys, integrators created as the admin, consents signed through /api/v1/signatures/sign.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { generateKeyPair } from '@vouch/sdk';
import type { GeneratedKeyPair } from '@vouch/sdk';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { consentPayloadHash } from '../../src/modules/integrators/service.ts';
import { bearer, signText } from '../agents/helpers.ts';
import { ADMIN, post } from '../tokens/helpers.ts';

export { bearer };
export { ADMIN, issue, post, revokeAgent } from '../tokens/helpers.ts';

export function repApp(storage: Storage, env: Record<string, string> = {}): Promise<TestApp> {
  return makeApp(storage, {
    env: { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent', ...env },
  });
}

export interface TestAgent {
  did: string;
  id: string;
  key: GeneratedKeyPair;
}

/** Registers an agent through identity.app's route (proof of work off). */
export async function registerAgent(t: TestApp, label?: string): Promise<TestAgent> {
  const key = await generateKeyPair('Ed25519');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/agents/register',
    payload: { publicKey: key.publicKeyBase64, powNonce: '0', ...(label ? { label } : {}) },
  });
  assert.equal(res.statusCode, 201, res.body);
  const { did } = res.json() as { did: string };
  return { did, id: did.slice('did:identity:'.length), key };
}

export interface MetricSpec {
  metricKey: string;
  polarity: 'boost' | 'hurt' | 'neutral';
  weight: number;
  lane: 'origin' | 'presence' | 'conduct';
  maxPerDay?: number;
}

/** Creates an integrator as the admin; returns its API key. */
export async function createIntegrator(t: TestApp, slug: string, metrics: MetricSpec[]): Promise<string> {
  const res = await post(
    t,
    '/api/v1/admin/integrators',
    { slug, name: `Integrator ${slug}`, domain: `${slug}.example`, metrics },
    ADMIN,
  );
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { apiKey: string }).apiKey;
}

/** Signs `"<payloadHash>:<signedAt>"` and records it through the signatures route; returns the signatureHash. */
export async function recordSignature(t: TestApp, agent: TestAgent, payloadHash: string, signedAt: number) {
  const signature = await signText(agent.key, `${payloadHash}:${signedAt}`);
  const res = await post(t, '/api/v1/signatures/sign', { did: agent.did, payloadHash, signature, signedAt });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { signatureHash: string }).signatureHash;
}

/** Signs the canonical consent object as the agent and posts the consent; returns the response. */
export async function sendConsent(
  t: TestApp,
  agent: TestAgent,
  integratorSlug: string,
  action: 'allow' | 'revoke',
  signedAt = t.clock.now(),
): Promise<LightMyRequestResponse> {
  const payloadHash = consentPayloadHash({ did: agent.did, integratorSlug, action, signedAt });
  const signatureHash = await recordSignature(t, agent, payloadHash, signedAt);
  return post(t, '/api/v1/integrators/consent', { integratorSlug, did: agent.did, action, signatureHash, signedAt });
}

/** Consent that must succeed. */
export async function allow(t: TestApp, agent: TestAgent, slug: string): Promise<void> {
  const res = await sendConsent(t, agent, slug, 'allow');
  assert.equal(res.statusCode, 200, res.body);
}

/**
 * The usual start of an ingestion test: an app, the integrator `slug` with `metrics` (its API key returned), and
 * one registered agent that allowed it.
 */
export async function appWithAllowingAgent(
  storage: Storage,
  slug: string,
  metrics: MetricSpec[],
  label?: string,
): Promise<{ t: TestApp; key: string; agent: TestAgent }> {
  const t = await repApp(storage);
  const key = await createIntegrator(t, slug, metrics);
  const agent = await registerAgent(t, label);
  await allow(t, agent, slug);
  return { t, key, agent };
}

export interface IngestAnswer {
  success: boolean;
  count: number;
  results: Array<{ externalEventId: string | null; inserted: boolean; error?: string; code?: string }>;
}

export async function ingest(
  t: TestApp,
  apiKey: string,
  events: unknown,
  url = '/api/v1/ingest',
): Promise<{ status: number; body: IngestAnswer & { code?: string } }> {
  const res = await post(t, url, events, bearer(apiKey));
  return { status: res.statusCode, body: res.json() };
}

let counter = 0;
/** An agent event with defaults; `values` as metricValues. */
export function event(
  slug: string,
  agent: TestAgent | string,
  values: Array<Record<string, unknown>> = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    envId: `${slug}.production.v1`,
    externalEventId: `evt-${++counter}`,
    eventType: 'task.completed',
    subjectType: 'agent',
    subjectId: typeof agent === 'string' ? agent : agent.did,
    actorType: 'human',
    actorId: 'user-1',
    metricValues: values,
    ...extra,
  };
}

/** GET /api/v1/agents/:id, optionally with an integrator key. */
export async function resolve(t: TestApp, id: string, apiKey?: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/agents/${id}`,
    headers: apiKey === undefined ? {} : bearer(apiKey),
  });
  return { status: res.statusCode, body: res.json() as Record<string, any> };
}

/** A resolve answer's `metricBreakdown` as each metric's weighted contribution, by metric key. */
export function contributionsOf(body: Record<string, any>): Record<string, number> {
  return Object.fromEntries(
    (body.metricBreakdown as Array<{ metricKey: string; weightedContribution: number }>).map((m) => [
      m.metricKey,
      m.weightedContribution,
    ]),
  );
}
