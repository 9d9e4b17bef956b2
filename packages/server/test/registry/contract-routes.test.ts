// The registry routes against docs/PROTOCOL.md "Trust registry server" and docs/registry.md: every refusal the docs
// give a route is declared in /docs/json, and a malformed registry value is named by its request path in `field`
// (docs/PROTOCOL.md "Errors": `body.tags[1]`), with nothing written.
import assert from 'node:assert/strict';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { genesis } from '../capabilities/helpers.ts';
import { admin, cosignature, makeIssuers, post, proposal } from './fixtures.ts';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

eachEngine('contract: /docs/json declares the answers the registry routes are documented to give', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const doc = (await app.app.inject({ method: 'GET', url: '/docs/json' })).json() as Doc;
    const declared = (method: string, path: string) => Object.keys(doc.paths[path]![method]!.responses).sort();
    // 409: REGISTRY_EXISTS / REGISTRY_READ_ONLY / REGISTRY_CONFLICT / REGISTRY_PROPOSAL_STALE.
    for (const [method, path, statuses] of [
      ['post', '/v1/registry/genesis', ['200', '201', '400', '401', '409']],
      ['post', '/v1/registry/proposals', ['200', '201', '400', '409']],
      ['get', '/v1/registry/proposals', ['200', '409']],
      ['get', '/v1/registry/proposals/{id}', ['200', '404', '409']],
      ['post', '/v1/registry/proposals/{id}/signatures', ['200', '400', '404', '409']],
      ['post', '/v1/registry/refresh', ['200', '409']],
      ['get', '/v1/registry/issuers/{id}', ['200', '404', '503']],
    ] as const) {
      const got = declared(method, path);
      for (const s of statuses) assert.ok(got.includes(s), `${method} ${path} declares ${s} (has ${got.join(', ')})`);
    }
  } finally {
    await app.app.close();
  }
});

eachEngine(
  'contract: a malformed registry value is named by its request path, and nothing is written',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const issuers = await makeIssuers(['acme', 'bolt', 'coda']);
      const entries = Object.values(issuers).map((i) => i.entry);
      const before = await tableCounts(storage);
      const badEntry = { ...entries[1], endpoint: 'http://credentials.bolt.example' };
      const g = await post(
        app.app,
        '/v1/registry/genesis',
        { issuers: [entries[0], badEntry, entries[2]], threshold: 2 },
        admin(app.adminKey),
      );
      assert.equal(g.status, 400);
      assert.equal(g.body.code, 'REGISTRY_INVALID');
      assert.equal(g.body.field, 'body.issuers[1].endpoint');
      const d = await post(app.app, '/v1/registry/genesis', { document: { registry: 'x' } }, admin(app.adminKey));
      assert.equal(d.status, 400);
      assert.equal(d.body.field, 'body.document.version');
      assert.deepEqual(await tableCounts(storage), before);

      const reg = await genesis(app);
      const p = await proposal(
        { registry: reg.registry, baseSequence: 1, action: 'threshold', threshold: { required: 2 } } as never,
        [reg.issuers.acme!],
        app.clock.now(),
      );
      const { signatures: _s, ...unsignedProposal } = p;
      const garbage = await post(app.app, '/v1/registry/proposals', {
        ...unsignedProposal,
        registry: 7,
        signatures: [],
      });
      assert.equal(garbage.status, 400);
      assert.equal(garbage.body.field, 'body.registry');
      const posted = await post(app.app, '/v1/registry/proposals', p);
      assert.equal(posted.status, 201, JSON.stringify(posted.body));
      const afterPost = await tableCounts(storage);
      const sig = cosignature(p, reg.issuers.bolt!, app.clock.now());
      const cosign = await post(app.app, `/v1/registry/proposals/${posted.body.id as string}/signatures`, {
        ...sig,
        signature: 'ed25519:not-a-signature',
      });
      assert.equal(cosign.status, 400);
      assert.equal(cosign.body.code, 'REGISTRY_INVALID');
      assert.equal(cosign.body.field, 'body.signature');
      assert.deepEqual(await tableCounts(storage), afterPost);
    } finally {
      await app.app.close();
    }
  },
);
