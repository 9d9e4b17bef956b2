// The token inspector is the one public route that sets its own body limit (a form-encoded token of up to 65,536
// characters): VOUCH_BODY_LIMIT, "the largest request body", must cap it like every other route anyone may call.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const ENV = { VOUCH_LOG_LEVEL: 'silent', VOUCH_PUBLIC_URL: 'https://vouch.test' };

/** A form body of exactly `bytes` bytes whose token is no JWT: the page answers 400 when the body is read. */
const form = (bytes: number): string => `token=${'a'.repeat(bytes - 6)}`;

function inspect(t: TestApp, payload: string): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/tokens/inspect',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload,
  });
}

function assertTooLarge(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.statusCode, 413, `${what}: ${res.statusCode} ${res.body.slice(0, 120)}`);
  assert.equal((res.json() as { code: string }).code, 'BODY_TOO_LARGE', what);
}

eachEngine('POST /tokens/inspect: VOUCH_BODY_LIMIT caps its body, 413 one byte past it', async ({ open }) => {
  const storage = await open();
  const low = await makeApp(storage, { env: { ...ENV, VOUCH_BODY_LIMIT: '8192' } });
  try {
    assert.equal((await inspect(low, form(8192))).statusCode, 400);
    assertTooLarge(await inspect(low, form(8193)), 'one byte past VOUCH_BODY_LIMIT');
    assertTooLarge(await inspect(low, form(200_000)), 'a form the default limit takes');
  } finally {
    await low.app.close();
  }
  // Under the default VOUCH_BODY_LIMIT (1 MiB) the route keeps its own bound, 256 KiB.
  const usual = await makeApp(storage, { env: ENV });
  try {
    assert.equal((await inspect(usual, form(256 * 1024))).statusCode, 400);
    assertTooLarge(await inspect(usual, form(256 * 1024 + 1)), 'one byte past its own bound');
  } finally {
    await usual.app.close();
  }
});
