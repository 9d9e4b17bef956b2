// Against a real listening server (startServer, fetch over loopback, the system clock): the capability key is made at
// start and published; an issuer-bound token is issued, intercepted, checked offline with the published key and the
// served registry, and denied ISSUER_REVOKED once governance removes the issuer.
import assert from 'node:assert/strict';
import { capabilityKeysFromVouchKeys, checkCapability, signAgentCredential, type RegistryDocument } from '@vouch/sdk';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/start.ts';
import { eachEngine } from '../helpers/storage.ts';
import { serverEnv, TEST_ADMIN_KEY } from '../helpers/app.ts';
import { makeIssuers, proposal } from '../registry/fixtures.ts';

const X = 'agent:my-assistant:v1';

eachEngine('a started gateway: issue, intercept, offline check, removal by governance', async ({ engine, options }) => {
  const server = await startServer(loadConfig(serverEnv(engine, options)));
  const call = async (path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.address}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  try {
    const keys = (await call('/.well-known/vouch-keys.json')).body as { keys: Array<Record<string, unknown>> };
    const capability = keys.keys.filter((k) => k.purpose === 'capability');
    assert.equal(capability.length, 1, 'the capability key was made at start');
    assert.equal(capability[0]!.status, 'active');

    const is = await makeIssuers(['acme', 'bolt', 'coda', 'dyad', 'echo']);
    const g = await call(
      '/v1/registry/genesis',
      { issuers: Object.values(is).map((i) => i.entry), threshold: 3 },
      { 'x-api-key': TEST_ADMIN_KEY },
    );
    assert.equal(g.status, 201, JSON.stringify(g.body));
    const agentCredential = await signAgentCredential(
      { issuerId: 'acme', agentId: X, ttlSeconds: 3600, scope: ['payments:*:read'] },
      is.acme!.pair.privateKey,
    );
    const request = { agentId: X, resource: 'payments:invoices', action: 'read' };
    const issued = await call('/v1/tokens', {
      ...request,
      issuerBinding: { issuerId: 'acme', agentCredential },
      tier: 'elevated',
      expiresIn: 3600,
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const token = issued.body.token as string;
    assert.deepEqual((await call('/v1/intercept', { token, ...request })).body, { decision: 'allow' });

    const doc = (await call('/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
    const offline = await checkCapability(token, request, {
      resolveKey: capabilityKeysFromVouchKeys(keys),
      now: Date.now(),
      registry: doc,
    });
    assert.equal(offline.decision, 'allow');

    const rm = await proposal(
      { registry: g.body.registry as string, baseSequence: 1, action: 'remove', subject: 'acme', reason: 'left' },
      [is.bolt!, is.coda!, is.dyad!],
      Date.now(),
    );
    assert.equal((await call('/v1/registry/proposals', rm)).body.status, 'applied');
    const denied = await call('/v1/intercept/batch', { requests: [{ token, ...request }] });
    assert.deepEqual(
      (denied.body.results as Array<{ code?: string }>).map((r) => r.code),
      ['ISSUER_REVOKED'],
    );
  } finally {
    await server.close();
  }
});
