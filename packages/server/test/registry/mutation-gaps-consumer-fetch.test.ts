// How the consumer fetches its registry document: it follows no redirect (the configured URL is the only source;
// a redirect could point anywhere, including the internal network), and it stops reading a body that grows past
// MAX_DOCUMENT_BYTES even when no Content-Length announced it (chunked), rather than buffering all of it first. At
// start, the stored last good document is trusted only if it still verifies against the root key pinned now: an
// operator who re-pins the root key (the old one leaked) must not get the old registry served while the source is
// unreachable.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Storage } from '../../src/storage/index.ts';
import { MAX_DOCUMENT_BYTES } from '../../src/modules/registry/consumer.ts';
import { admin, get, post, signedGenesis } from './fixtures.ts';

/** A document source on loopback; `origin` is `http://127.0.0.1:<port>`. */
async function source(handler: RequestListener): Promise<{ origin: string; server: Server }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A Vouch app consuming the registry at `url`, pinned to `rootKey`. */
function consumerApp(storage: Storage, url: string, rootKey: string, clock?: ManualClock) {
  return makeApp(storage, {
    ...(clock ? { clock } : {}),
    env: { VOUCH_TRUST_REGISTRY_URL: url, VOUCH_TRUST_REGISTRY_ROOT_KEY: rootKey },
  });
}

eachEngine('consumer: a redirect is refused, never followed, even to a valid document', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const body = JSON.stringify((await signedGenesis(root, ['alpha', 'bravo', 'charlie'])).doc);
  let served = 0;
  // /moved answers 302 to /real, which serves a valid document.
  const { origin, server } = await source((req, res) => {
    if (req.url === '/real') {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      res.writeHead(302, { location: '/real' }).end();
    }
  });
  try {
    const storage = await open();
    const app = await consumerApp(storage, `${origin}/moved`, root.publicKeyRegistry!, new ManualClock(T0 + 5000));
    try {
      const r = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.accepted, false);
      assert.equal(r.body.outcome, 'UNREACHABLE');
      assert.equal(served, 0, 'the redirect target was never fetched');
      assert.notEqual((await get(app.app, '/v1/registry')).body.sequence, 1, 'no document is trusted');
      const stored = await storage.db.selectFrom('registry_documents').select('name').execute();
      assert.deepEqual(stored, []);
    } finally {
      await app.app.close();
    }
  } finally {
    server.close();
  }
});

eachEngine('consumer: a chunked body past the size cap is cut off while it streams', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  let bytesWritten = 0;
  // No Content-Length: the body streams in 64 KiB chunks, twice the cap.
  const { origin, server } = await source((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const total = Math.ceil((2 * MAX_DOCUMENT_BYTES) / chunk.length);
    let i = 0;
    const write = () => {
      while (i < total) {
        i++;
        bytesWritten += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', write);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => {});
    write();
  });
  try {
    const storage = await open();
    const app = await consumerApp(storage, `${origin}/big.json`, root.publicKeyRegistry!);
    try {
      const r = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.accepted, false);
      // Refused as a fetch failure (the download stopped), not parsed and refused afterwards.
      assert.equal(r.body.outcome, 'UNREACHABLE');
      assert.match(String(r.body.message), new RegExp(`larger than ${MAX_DOCUMENT_BYTES} bytes`));
      assert.ok(bytesWritten > 0);
    } finally {
      await app.app.close();
    }
  } finally {
    server.close();
  }
});

eachEngine(
  'consumer: after the root key is re-pinned, the stored document of the old root is not trusted',
  async ({ open }) => {
    const oldRoot = await generateKeyPair('Ed25519');
    const newRoot = await generateKeyPair('Ed25519');
    const { doc: genesis } = await signedGenesis(oldRoot, ['alpha', 'bravo', 'charlie']);
    let up = true;
    const { origin, server } = await source((_req, res) => {
      if (up) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(genesis));
      else res.writeHead(503).end();
    });
    const url = `${origin}/agent-trust.json`;
    try {
      const clock = new ManualClock(T0 + 5000);
      const first = await consumerApp(await open(), url, oldRoot.publicKeyRegistry!, clock);
      assert.equal((await get(first.app, '/v1/registry')).body.sequence, 1, 'accepted under the old root');
      await first.app.close();

      // Restart pinned to another root, with the source down: the stored copy does not verify, so nothing is trusted.
      up = false;
      const again = await consumerApp(await open(), url, newRoot.publicKeyRegistry!, clock);
      try {
        const r = await get(again.app, '/v1/registry');
        assert.equal(r.status, 503, JSON.stringify(r.body));
        assert.equal(r.body.code, 'REGISTRY_UNAVAILABLE');
        assert.match(again.logs.text(), /stored trust registry document no longer verifies/);
      } finally {
        await again.app.close();
      }
    } finally {
      server.close();
    }
  },
);
