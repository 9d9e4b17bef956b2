// A consumer keeps the ETag of the document it holds across a refresh that learns nothing about that document: the
// source unreachable (an HTTP error, a connection cut) or serving something refused. The next refresh asks with
// If-None-Match and takes a 304 for that same document, instead of downloading it whole again after each outage.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGenesis, generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, makeIssuers, post } from './fixtures.ts';

/** A loopback source with ETag "v1" that counts its 200 and 304 answers; `fail` makes the next answer a failure. */
async function countingSource(body: string) {
  const state = {
    fail: undefined as undefined | 'http-503' | 'reset' | 'malformed',
    ok: 0,
    notModified: 0,
    failed: 0,
    seen: [] as Array<string | undefined>,
  };
  const server = createServer((req, res) => {
    const inm = req.headers['if-none-match'];
    state.seen.push(inm);
    const fail = state.fail;
    state.fail = undefined;
    if (fail !== undefined) {
      state.failed++;
      if (fail === 'http-503') return void res.writeHead(503).end();
      if (fail === 'reset') return void req.socket.destroy();
      // A different, broken document under another ETag: refused, and no word about "v1".
      return void res.writeHead(200, { 'content-type': 'application/json', etag: '"broken"' }).end('{"registry":');
    }
    if (inm === '"v1"') {
      state.notModified++;
      return void res.writeHead(304, { etag: '"v1"' }).end();
    }
    state.ok++;
    res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent-trust.json`, server, state };
}

eachEngine('consumer: a failed refresh keeps the ETag; the next one is a 304, not a download', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
  const v1 = await createGenesis({
    rootKey: root.privateKey,
    issuers: Object.values(is).map((i) => i.entry),
    threshold: 2,
    now: T0,
  });
  const src = await countingSource(JSON.stringify(v1));
  const clock = new ManualClock(T0 + 1000);
  const app = await makeApp(await open(), {
    clock,
    env: {
      VOUCH_TRUST_REGISTRY_URL: src.url,
      VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
      VOUCH_TRUST_REGISTRY_TTL: '60',
    },
  });
  const refresh = async () => (await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey))).body;
  const counts = () => ({ ok: src.state.ok, notModified: src.state.notModified, failed: src.state.failed });
  try {
    // At start: the document whole; then a 304 for it.
    assert.deepEqual(counts(), { ok: 1, notModified: 0, failed: 0 });
    assert.equal((await refresh()).outcome, 'unchanged');
    assert.deepEqual(counts(), { ok: 1, notModified: 1, failed: 0 });

    const outcomes: Record<string, string> = {
      'http-503': 'UNREACHABLE',
      reset: 'UNREACHABLE',
      malformed: 'REGISTRY_INVALID',
    };
    let expected = counts();
    for (const [fail, outcome] of Object.entries(outcomes)) {
      src.state.fail = fail as 'http-503' | 'reset' | 'malformed';
      clock.advance(1000);
      const failed = await refresh();
      assert.deepEqual([failed.accepted, failed.outcome], [false, outcome], `${fail}: ${JSON.stringify(failed)}`);
      // The failed request asked with the held document's ETag, and so does the one after it, answered 304.
      clock.advance(1000);
      const next = await refresh();
      assert.deepEqual(src.state.seen.slice(-2), ['"v1"', '"v1"'], fail);
      assert.deepEqual(
        [next.accepted, next.outcome, next.sequence],
        [true, 'unchanged', 1],
        `${fail}: ${JSON.stringify(next)}`,
      );
      expected = { ok: expected.ok, notModified: expected.notModified + 1, failed: expected.failed + 1 };
      assert.deepEqual(counts(), expected, `after ${fail}: no full download`);
    }
    // The 304 stood for the document held: it is still the one served.
    const served = await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' });
    assert.equal(served.statusCode, 200);
    assert.deepEqual(JSON.parse(served.payload), JSON.parse(JSON.stringify(v1)));
  } finally {
    await app.app.close();
    src.server.close();
  }
});
