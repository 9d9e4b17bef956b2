// A signed request whose body the server could not read as the signed JSON (not JSON, not a type it parses, too
// large) was refused before its body was held to the signed hash: those bytes are not the signed request, so, like a
// body that does not match the signature (401), they must not use it up. They were recorded as used (a 4xx refused
// "for good"), and whoever saw the four headers on their way (a proxy's log) could spend the agent's request with a
// body of junk before the genuine one arrived: the genuine request then got 409 REQUEST_REPLAYED.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { TEST_ENV, unsentSlugPut } from './helpers.ts';

eachEngine('a body the server cannot read as the signed JSON does not use the signed request up', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const { url, headers } = await unsentSlugPut(app, clock);
    const junk: Array<{ type: string; payload: string; status: number }> = [
      { type: 'application/json', payload: '{"slug":', status: 400 },
      { type: 'application/json', payload: '{"slug": 1e999}', status: 400 },
      { type: 'application/json', payload: `{"slug":"${'a'.repeat(2_000_000)}"}`, status: 413 },
      { type: 'text/plain', payload: 'slug=mine', status: 415 },
    ];
    for (const { type, payload, status } of junk) {
      const res = await app.inject({ method: 'PUT', url, headers: { ...headers, 'content-type': type }, payload });
      assert.equal(res.statusCode, status, `${type} ${payload.slice(0, 20)}: ${res.body}`);
    }
    const used = await storage.db.selectFrom('agent_signed_requests').selectAll().execute();
    assert.deepEqual(used, [], 'no refusal of unread bytes is recorded as a use');
    const genuine = await app.inject({ method: 'PUT', url, headers, payload: { slug: 'mine' } });
    assert.equal(genuine.statusCode, 200, genuine.body);
    assert.equal((genuine.json() as { slug: string }).slug, 'mine');
  } finally {
    await app.close();
  }
});
