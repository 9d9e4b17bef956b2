import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { eachEngine } from '../helpers/storage.ts';
import { ISS, registerAgent, tokenApp } from './helpers.ts';

eachEngine('discovery, JWKS and spec', async ({ open }) => {
  const t = await tokenApp(await open());
  const registered = [
    await registerAgent(t, { slug: 'listed-agent' }),
    await registerAgent(t, { slug: 'listed-agent-two' }),
    await registerAgent(t),
  ];
  const res = await t.app.inject({ method: 'GET', url: '/.well-known/agent-registry.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as Record<string, unknown> & { keys: Array<Record<string, unknown>>; agents: unknown[] };
  assert.equal(doc.protocol, 'agent-identity-v2');
  assert.equal(doc.issuer, ISS);
  assert.deepEqual(doc.algorithms, ['ES256']);
  for (const [name, path] of [
    ['verify_endpoint', '/api/registry/verify'],
    ['issue_endpoint', '/api/registry/issue'],
    ['revocations_endpoint', '/api/registry/revocations'],
    ['revoke_endpoint', '/api/registry/revoke'],
    ['jwks_uri', '/.well-known/jwks.json'],
    ['spec', '/api/registry/spec'],
    ['agents_endpoint', '/api/registry/agents'],
  ]) {
    assert.equal(doc[name!], `${ISS}${path}`, name);
  }
  assert.equal(doc.keys.length, 1);
  const key = doc.keys[0]!;
  assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'status', 'use', 'x', 'y']);
  assert.equal(doc.active_kid, key.kid);
  const listed = (doc.agents as Array<{ did: string }>).map((a) => a.did);
  assert.deepEqual([...listed].sort(), registered.map((a) => a.did).sort(), 'discovery lists the registered agents');
  assert.deepEqual((doc.token_types as Record<string, { typ: string }>).session!.typ, 'agent-session+jwt');

  // The JWKS holds the same ES256 keys only (not the Ed25519 keys other modules publish elsewhere).
  const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
    keys: Array<Record<string, unknown>>;
  };
  assert.deepEqual(jwks.keys, doc.keys);
  assert.ok(jwks.keys.every((k) => k.kty === 'EC' && k.alg === 'ES256' && k.d === undefined));

  // Paging through agents_endpoint visits every agent once, in the discovery document's order.
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 5; i++) {
    const url: string = `/api/registry/agents?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const page = await t.app.inject({ method: 'GET', url });
    assert.equal(page.statusCode, 200);
    const body = page.json() as { agents: Array<{ did: string }>; next: string | null };
    seen.push(...body.agents.map((a) => a.did));
    after = body.next;
    if (after === null) break;
  }
  assert.deepEqual(seen, listed);
  const unknown = await t.app.inject({ method: 'GET', url: '/api/registry/agents?after=did%3Aidentity%3Anobody' });
  assert.deepEqual((unknown.json() as { agents: unknown[] }).agents, []);

  const spec = await t.app.inject({ method: 'GET', url: '/api/registry/spec' });
  assert.equal(spec.statusCode, 200);
  assert.match(String(spec.headers['content-type']), /^text\/markdown/);
  const file = await readFile(new URL('../../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
  assert.equal(spec.body, file);
  assert.match(spec.body, /Agent identity tokens \(AIP\)/);
  assert.match(spec.body, /Differences from the seeds/);
  await t.app.close();
});
