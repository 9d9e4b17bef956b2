// A registry URL may carry a credential (a signed URL's query): the consumer's logs and refresh results show the
// URL's origin and path only, on every refusal path.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, post } from './fixtures.ts';

const SECRET = 'secret-9f3c1e77d2a04b6b';

eachEngine('consumer: a signed URL query never reaches the logs or the refresh result', async ({ open }) => {
  // /missing.json answers 404; /bad.json answers a document that is not JSON.
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/bad.json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{not json');
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const root = await generateKeyPair('Ed25519');
  try {
    const storage = await open();
    const app = await makeApp(storage, {
      env: {
        VOUCH_TRUST_REGISTRY_URL: `${base}/missing.json?token=${SECRET}&sig=${SECRET}`,
        VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
      },
    });
    try {
      const results: unknown[] = [];
      const refresh = async () => {
        const r = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
        assert.equal(r.status, 200, JSON.stringify(r.body));
        results.push(r.body);
        return r.body;
      };
      // 404 (also refreshed once at start).
      assert.equal((await refresh()).outcome, 'UNREACHABLE');
      // A malformed document: the SDK's message names its source.
      app.ctx.config.registry.trustUrl = `${base}/bad.json?token=${SECRET}`;
      const bad = await refresh();
      assert.equal(bad.outcome, 'REGISTRY_INVALID');
      assert.match(String(bad.message), new RegExp(`^${base}/bad\\.json: `));
      // An error text that embeds the whole URL (fetch refuses userinfo, quoting the URL); config refuses such a
      // URL, this only proves the scrubbing.
      app.ctx.config.registry.trustUrl = `http://user:${SECRET}@127.0.0.1:${port}/x.json?token=${SECRET}`;
      const quoted = await refresh();
      assert.equal(quoted.outcome, 'UNREACHABLE');
      assert.match(String(quoted.message), new RegExp(`${base}/x\\.json$`));

      const logs = app.logs.text();
      assert.match(logs, /trust registry unreachable/);
      assert.match(logs, /trust registry document refused: malformed/);
      assert.ok(logs.includes(`"source":"${base}/missing.json"`), logs);
      assert.ok(!logs.includes(SECRET), `the secret is in the logs:\n${logs}`);
      assert.ok(!JSON.stringify(results).includes(SECRET), JSON.stringify(results));
    } finally {
      await app.app.close();
    }
  } finally {
    server.close();
  }
});
