// Mutation gaps in how the admin key and bearer secrets are read (http/admin-auth.ts, http/secrets.ts): secrets are
// compared exactly (a case-folding or trimming comparison would shrink the key space), the `Bearer` scheme is
// case-insensitive (RFC 9110 §11.1), and a header carrying more than the one secret is refused rather than cut short.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';
import { createOwner, TEST_ENV } from '../agents/helpers.ts';
import { SECRET_PREFIX } from '../../src/modules/agents/ids.ts';

/** The same text with the case of every letter swapped. */
const swapCase = (s: string): string =>
  [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

eachEngine('the admin key is compared exactly: another case or one more character is not the key', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const metrics = (key: string) => app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': key } });
    assert.equal((await metrics(TEST_ADMIN_KEY)).statusCode, 200);
    for (const near of [swapCase(TEST_ADMIN_KEY), TEST_ADMIN_KEY.toUpperCase(), `${TEST_ADMIN_KEY}x`]) {
      const res = await metrics(near);
      assert.equal(res.statusCode, 401, near);
      assert.equal(res.json().code, 'UNAUTHORIZED');
    }
  } finally {
    await app.close();
    await storage.close();
  }
});

eachEngine('owner API keys: exact match, any case of "Bearer", nothing after the key', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const owner = await createOwner(app, 'case-owner');
    const me = (authorization: string) =>
      app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: { authorization } });

    const ok = await me(`Bearer ${owner.apiKey}`);
    assert.equal(ok.statusCode, 200, ok.body);
    // The scheme is case-insensitive; the secret is not.
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      assert.equal((await me(`${scheme} ${owner.apiKey}`)).statusCode, 200, scheme);
    }
    const prefix = SECRET_PREFIX.ownerApiKey;
    const flipped = prefix + swapCase(owner.apiKey.slice(prefix.length));
    assert.notEqual(flipped, owner.apiKey);
    for (const authorization of [
      `Bearer ${flipped}`,
      `Bearer ${owner.apiKey} trailing`,
      `Bearer ${owner.apiKey},Bearer other`,
      `Bearer  ${owner.apiKey}`,
    ]) {
      const res = await me(authorization);
      assert.equal(res.statusCode, 401, authorization);
      assert.equal(res.json().code, 'UNAUTHORIZED');
    }
  } finally {
    await app.close();
    await storage.close();
  }
});
