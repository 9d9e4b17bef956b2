// A body sent with a Content-Encoding (gzip, br, deflate) was parsed as if it were the JSON text itself, and answered
// "not valid JSON" (or, for bytes that happened to be UTF-8, read as JSON nobody sent). This server decodes no
// content coding, so such a body is 415 UNSUPPORTED_MEDIA_TYPE (RFC 9110 §15.5.16); `identity` is no coding at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/storage/index.ts';
import { makeApp } from '../helpers/app.ts';

test('a body with a Content-Encoding other than identity is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-content-encoding-'));
  const storage = await openStorage({ dataDir });
  const { app } = await makeApp(storage);
  try {
    const body = JSON.stringify({ token: 'a.b.c' });
    for (const [encoding, payload] of [
      ['gzip', gzipSync(body)],
      ['br', Buffer.from(body)],
      ['gzip, identity', gzipSync(body)],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/registry/verify',
        payload,
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      assert.equal(res.statusCode, 415, `${encoding}: ${res.body}`);
      const answer = res.json() as { code: string; error: string };
      assert.equal(answer.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(answer.error, /Content-Encoding/);
    }
    for (const encoding of ['identity', 'Identity']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/registry/verify',
        payload: body,
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      assert.notEqual(res.statusCode, 415, res.body);
      assert.equal((res.json() as { code?: string }).code, 'JWT_MALFORMED', res.body);
    }
  } finally {
    await app.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
