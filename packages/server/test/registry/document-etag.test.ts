// The served registry document carries a strong ETag, the base64url SHA-256 of the exact bytes served, and a request
// whose If-None-Match names it (a list, `*`, or the weak W/ form: RFC 9110's weak comparison) is answered 304 with no
// body and the same ETag and Cache-Control; a re-signed document is a new ETag.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, makeIssuers, post } from './fixtures.ts';

const PATH = '/.well-known/agent-trust.json';

eachEngine('registry document: strong ETag of the bytes served, 304 for a matching If-None-Match', async ({ open }) => {
  const app = await makeApp(await open(), { env: { VOUCH_REGISTRY_VALIDITY: '3600' } });
  try {
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    const g = await post(
      app.app,
      '/v1/registry/genesis',
      { issuers: Object.values(is).map((i) => i.entry), threshold: 2 },
      admin(app.adminKey),
    );
    assert.equal(g.status, 201, JSON.stringify(g.body));

    const first = await app.app.inject({ method: 'GET', url: PATH });
    assert.equal(first.statusCode, 200);
    const etag = first.headers.etag as string;
    assert.equal(etag, `"${createHash('sha256').update(first.rawPayload).digest('base64url')}"`);
    assert.equal(first.headers['cache-control'], 'public, max-age=60');
    const again = await app.app.inject({ method: 'GET', url: PATH });
    assert.equal(again.headers.etag, etag, 'the same document, the same ETag');

    const opaque = etag.slice(1, -1);
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, `"x","y" ,W/${etag}`, '*', ` ${etag} `]) {
      const res = await app.app.inject({ method: 'GET', url: PATH, headers: { 'if-none-match': inm } });
      assert.equal(res.statusCode, 304, `If-None-Match: ${inm}`);
      assert.equal(res.rawPayload.length, 0);
      assert.equal(res.headers.etag, etag);
      assert.equal(res.headers['cache-control'], 'public, max-age=60');
    }
    for (const inm of ['"other"', opaque, `"${opaque}x"`, `w/${etag}`, `W/"${opaque.slice(1)}"`, '']) {
      const res = await app.app.inject({ method: 'GET', url: PATH, headers: { 'if-none-match': inm } });
      assert.equal(res.statusCode, 200, `If-None-Match: ${inm}`);
      assert.deepEqual(res.rawPayload, first.rawPayload);
      assert.equal(res.headers.etag, etag);
    }

    // Past half-life the document is re-signed (a new expiresAt): new bytes, a new ETag, and the old one is a 200.
    app.clock.advance(1800_000);
    const renewed = await app.app.inject({ method: 'GET', url: PATH, headers: { 'if-none-match': etag } });
    assert.equal(renewed.statusCode, 200);
    assert.notEqual(renewed.headers.etag, etag);
    assert.equal(renewed.headers.etag, `"${createHash('sha256').update(renewed.rawPayload).digest('base64url')}"`);
    assert.notEqual(JSON.parse(renewed.payload).expiresAt, JSON.parse(first.payload).expiresAt);

    // Over a real connection, the same: a 304 without a body.
    await app.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}${PATH}`;
    const live = await fetch(url);
    const body = new Uint8Array(await live.arrayBuffer());
    const tag = live.headers.get('etag')!;
    assert.equal(tag, `"${createHash('sha256').update(body).digest('base64url')}"`);
    const cached = await fetch(url, { headers: { 'if-none-match': tag } });
    assert.equal(cached.status, 304);
    assert.equal((await cached.arrayBuffer()).byteLength, 0);
    assert.equal(cached.headers.get('etag'), tag);
    assert.match(cached.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
  } finally {
    await app.app.close();
  }
});

eachEngine('registry document: before genesis there is no ETag and If-None-Match: * is no 304', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const res = await app.app.inject({ method: 'GET', url: PATH, headers: { 'if-none-match': '*' } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, 'REGISTRY_UNAVAILABLE');
    assert.equal(res.headers.etag, undefined);
  } finally {
    await app.app.close();
  }
});
