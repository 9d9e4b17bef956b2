// The discovery document (/.well-known/agent-registry.json) names the active key and lists the keys as the JWKS does:
// checked against the database first, so right after another process rotated it names the new key, not the one in
// this process's key cache (up to 10 s old, on SQLite or while an announcement is unheard). No test held that check
// for the discovery document (the JWKS's was): reading the cached keys passed every test.
import assert from 'node:assert/strict';
import { decodeJwt } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, issue, post, registerAgent, tokenApp } from './helpers.ts';

interface Discovery {
  active_kid: string;
  keys: Array<{ kid: string; status: string }>;
}

eachEngine('the discovery document shows another process’s rotation at once', async ({ open }) => {
  const a = await tokenApp(await open());
  const b = await tokenApp(await open(), { clock: a.clock, kek: a.kek });
  const agent = await registerAgent(a);
  const before = decodeJwt((await issue(b, agent)).token).header.kid!; // b has loaded (and cached) the keys
  const first = (await b.app.inject({ method: 'GET', url: '/.well-known/agent-registry.json' })).json() as Discovery;
  assert.equal(first.active_kid, before);

  const res = await post(a, '/api/v1/admin/keys/rotate', {}, ADMIN);
  assert.equal(res.statusCode, 201, res.body);
  const rotated = (res.json() as { kid: string }).kid;

  // Same clock: b's key cache has not expired; no announcement is waited for.
  const after = (await b.app.inject({ method: 'GET', url: '/.well-known/agent-registry.json' })).json() as Discovery;
  assert.equal(after.active_kid, rotated);
  assert.deepEqual(
    after.keys.map((k) => [k.kid, k.status]),
    [
      [rotated, 'active'],
      [before, 'retired'],
    ],
  );
  await a.app.close();
  await b.app.close();
});
