// A consumer revalidates its source with If-None-Match: the ETag of the last document it accepted. A 304 stands for
// those same bytes and goes through the same checks as if they had been sent again, so it never keeps a document
// past its expiresAt; a 304 to a request that named no ETag is no answer.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, signRegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, consumerEnv, post, signedGenesis } from './fixtures.ts';

/**
 * A loopback source serving `body` with `etag`, recording each request's If-None-Match. `answer304` says when it
 * answers 304: `match` (a correct server), `always` (a broken cache that says "not modified" to anything).
 */
async function conditionalSource() {
  const state = { body: '', etag: '"v1"', answer304: 'match' as 'match' | 'always' };
  const seen: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    const inm = req.headers['if-none-match'];
    seen.push(inm);
    if (state.answer304 === 'always' || inm === state.etag) return void res.writeHead(304, { etag: state.etag }).end();
    res.writeHead(200, { 'content-type': 'application/json', etag: state.etag }).end(state.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent-trust.json`, server, state, seen };
}

eachEngine('consumer: If-None-Match with the last ETag; a 304 never outlives expiresAt', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const { doc: v1, state } = await signedGenesis(root, ['alpha', 'bravo', 'charlie'], { validitySeconds: 120 });
  const src = await conditionalSource();
  src.state.body = JSON.stringify(v1);
  const clock = new ManualClock(T0 + 1000);
  const app = await makeApp(await open(), { clock, env: consumerEnv(src.url, root) });
  const refresh = async () => (await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey))).body;
  try {
    // At start: nothing held, so nothing to revalidate.
    assert.deepEqual(src.seen, [undefined]);
    // Then the ETag of the document accepted, and a 304 keeps it.
    const same = await refresh();
    assert.equal(src.seen.at(-1), '"v1"');
    assert.equal(same.accepted, true, JSON.stringify(same));
    assert.equal(same.outcome, 'unchanged');
    assert.equal(same.sequence, 1);

    // A new signing (a new ETag) is fetched whole and taken.
    const v1b = await signRegistryDocument(state, {
      rootKey: root.privateKey,
      now: T0 + 2000,
      validitySeconds: 120,
    });
    src.state.body = JSON.stringify(v1b);
    src.state.etag = '"v1b"';
    const renewed = await refresh();
    assert.equal(src.seen.at(-1), '"v1"');
    assert.equal(renewed.outcome, 'updated', JSON.stringify(renewed));
    const served = await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' });
    assert.equal(JSON.parse(served.payload).expiresAt, v1b.expiresAt);

    // The source now says "not modified" to everything. Before the held document expires that is still it...
    src.state.answer304 = 'always';
    clock.set(Date.parse(v1b.expiresAt) - 1);
    assert.equal((await refresh()).outcome, 'unchanged');
    assert.equal(src.seen.at(-1), '"v1b"');
    // ...and at its expiry a 304 is the same expired document: refused, and nothing is served.
    clock.set(Date.parse(v1b.expiresAt));
    const expired = await refresh();
    assert.equal(expired.accepted, false);
    assert.equal(expired.outcome, 'REGISTRY_EXPIRED');
    assert.equal((await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' })).statusCode, 503);

    // Refused, it is not revalidated again: the next request names no ETag, and a 304 to it is no document.
    const bare = await refresh();
    assert.equal(src.seen.at(-1), undefined);
    assert.equal(bare.accepted, false);
    assert.equal(bare.outcome, 'UNREACHABLE');
    assert.match(String(bare.message), /HTTP 304/);
    assert.equal((await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' })).statusCode, 503);
  } finally {
    await app.app.close();
    src.server.close();
  }
});

eachEngine(
  'consumer: an ETag that is no entity tag (unquoted, or past 256 characters) is not sent back',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const { doc: v1 } = await signedGenesis(root, ['alpha', 'bravo', 'charlie'], { validitySeconds: 120 });
    const src = await conditionalSource();
    src.state.body = JSON.stringify(v1);
    src.state.etag = 'v1';
    const clock = new ManualClock(T0 + 1000);
    const app = await makeApp(await open(), { clock, env: consumerEnv(src.url, root) });
    const refresh = async () => (await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey))).body;
    try {
      assert.equal((await refresh()).accepted, true);
      assert.deepEqual(src.seen, [undefined, undefined], 'an unquoted ETag is not kept');
      src.state.etag = `"${'a'.repeat(257)}"`;
      assert.equal((await refresh()).accepted, true);
      assert.equal((await refresh()).accepted, true);
      assert.deepEqual(src.seen, [undefined, undefined, undefined, undefined], 'nor one too long to be worth keeping');
      // One of 256 characters is.
      src.state.etag = `"${'a'.repeat(256)}"`;
      assert.equal((await refresh()).accepted, true);
      assert.equal((await refresh()).accepted, true);
      assert.equal(src.seen.at(-1), src.state.etag);
    } finally {
      await app.app.close();
      src.server.close();
    }
  },
);
