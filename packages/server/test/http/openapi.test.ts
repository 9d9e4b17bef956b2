// The published OpenAPI document against the app: the refusals the app makes around every handler are declared,
// routes that create answer 201, optional callers are anonymous-or-named, and the error body keeps its `field`.
// (The route fuzzer checks every status it meets against this document: test/fuzz/routes.test.ts.)
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

interface Operation {
  security?: Array<Record<string, unknown>>;
  requestBody?: { required?: boolean };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

eachEngine('the OpenAPI document declares what the app answers', async ({ open }) => {
  const { app } = await makeApp(await open());
  try {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as Doc;
    const op = (method: string, path: string) => {
      const found = doc.paths[path]?.[method];
      assert.ok(found, `${method} ${path} is documented`);
      return found;
    };
    assert.deepEqual(Object.keys(doc.components.schemas.ErrorBody!.properties!).sort(), ['code', 'error', 'field']);

    // Every operation: 429 (every route has a rate limit); a body may bring 400, 413 and 415; a credential 401.
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, o] of Object.entries(ops)) {
        const name = `${method} ${path}`;
        assert.ok(o.responses['429'], `${name}: 429`);
        if (method !== 'get') for (const s of ['400', '413', '415']) assert.ok(o.responses[s], `${name}: ${s}`);
        const anonymous = (o.security ?? []).length === 0 || o.security!.some((s) => Object.keys(s).length === 0);
        assert.equal(Boolean(o.responses['401']) || anonymous, true, `${name}: 401`);
        if (path.includes('{')) assert.ok(o.responses['404'], `${name}: 404`);
      }
    }
    const shared = op('post', '/api/v1/agents/{id}/revoke').responses['413']!;
    assert.equal(shared.content!['application/json']!.schema!.$ref, '#/components/schemas/ErrorBody');
    assert.match(shared.description!, /BODY_TOO_LARGE/);
    assert.equal(op('get', '/healthz').responses['503'], undefined, '/healthz reads no database');

    // Routes that create answer 201 (and 200 when the same thing was sent again).
    for (const [method, path] of [
      ['post', '/api/v1/agents/register'],
      ['post', '/api/v1/owners'],
      ['post', '/api/v1/owners/linking-keys'],
      ['post', '/v1/identity/register'],
      ['post', '/v1/registry/genesis'],
      ['post', '/v1/registry/proposals'],
      ['post', '/api/v1/admin/keys/rotate'],
      ['post', '/api/registry/issue'],
    ] as const) {
      assert.ok(op(method, path).responses['201'], `${method} ${path}: 201`);
    }
    for (const path of ['/v1/registry/genesis', '/v1/registry/proposals']) assert.ok(op('post', path).responses['200']);
    for (const path of ['/.well-known/jwks.json', '/.well-known/agent-registry.json', '/api/registry/revocations']) {
      assert.ok(op('get', path).responses['304'], `${path}: 304`);
    }

    // A public route with optional callers: anonymous, or one of them.
    assert.deepEqual(op('post', '/v1/tokens').security, [{}, { adminKey: [] }]);
    assert.deepEqual(op('post', '/api/registry/verify').security, [{}, { adminKey: [] }, { integratorKey: [] }]);
    assert.deepEqual(op('get', '/healthz').security, []);

    // Optional bodies are optional.
    assert.equal(op('post', '/api/v1/admin/keys/rotate').requestBody!.required, false);
    assert.equal(op('post', '/api/v1/admin/reputation/rebuild').requestBody!.required, false);
    assert.equal(op('post', '/api/v1/agents/claim').requestBody!.required, true);

    // The readable index names every caller, not only the first.
    const page = (await app.inject({ method: 'GET', url: '/docs' })).body;
    assert.match(page, /<code>\/v1\/tokens<\/code><\/td><td>public, or adminKey<\/td>/);
    assert.match(
      page,
      /<code>\/api\/v1\/agents\/\{id\}\/slug<\/code><\/td><td>agentSignature, or managementToken, or ownerToken, or adminKey<\/td>/,
    );
  } finally {
    await app.close();
  }
});

eachEngine('a refusal keeps its field on a route that declares its error schema', async ({ open }) => {
  const { app } = await makeApp(await open());
  try {
    // /api/registry/issue declares 400 with the shared error schema; it used to serialize `field` away.
    const res = await app.inject({ method: 'POST', url: '/api/registry/issue', payload: { bogus: 1 } });
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual(res.json(), {
      error: 'body.agent_name is required.',
      code: 'VALIDATION_FAILED',
      field: 'body.agent_name',
    });
    // A handler's own refusal of one value names it too.
    const rev = await app.inject({
      method: 'GET',
      url: '/api/registry/revocations?since=yesterday',
    });
    assert.equal(rev.statusCode, 400, rev.body);
    assert.equal((rev.json() as { field?: string }).field, 'querystring.since');
  } finally {
    await app.close();
  }
});
