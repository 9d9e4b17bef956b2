// A slug change that finds the agent's tool manifest set meanwhile (after the route looked for one, before its
// transaction) is refused 409 CONFLICT "try again", and the agent-signed request it came in is not used up: the same
// bytes, sent again within their window, act. Before, the refusal counted as one for good (docs/PROTOCOL.md,
// "Agent-signed requests") and was recorded as used, so the retry it asked for was 409 REQUEST_REPLAYED and the agent
// had to sign a new request. A refusal for good (the slug taken) still uses the request up.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin, codeOf, registerPow, signedInject, TEST_ENV } from './helpers.ts';

for (const method of ['PUT', 'DELETE'] as const) {
  eachEngine(`a ${method} of a slug refused "manifest changed meanwhile" can be sent again`, async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const agent = await registerPow(app);
      const url = `/api/v1/agents/${agent.did}/slug`;
      if (method === 'DELETE') {
        const take = await signedInject(app, agent.pair, agent.did, 'PUT', url, { slug: 'held' }, clock.now());
        assert.equal(take.statusCode, 200, take.body);
        clock.advance(1000);
      }
      const payload = method === 'PUT' ? { slug: 'mine' } : undefined;
      const t0 = clock.now();
      const send = () => signedInject(app, agent.pair, agent.did, method, url, payload, t0);

      // The manifest is set just before the slug change's transaction begins.
      beforeNextTransaction(storage.db, async () => {
        const set = await app.inject({
          method: 'POST',
          url: `/v1/identity/${agent.did}/tools`,
          headers: admin,
          payload: { tools: ['read_file'] },
        });
        assert.equal(set.statusCode, 200, set.body);
      });
      const refused = await send();
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(codeOf(refused), 'CONFLICT');

      clock.advance(1000);
      const retried = await send();
      assert.equal(retried.statusCode, 200, retried.body);
      const tools = await app.inject({ method: 'GET', url: `/v1/identity/${agent.did}/tools` });
      assert.equal((tools.json() as { agent_slug: string | null }).agent_slug, method === 'PUT' ? 'mine' : null);

      // It acted once: the same bytes again are a replay.
      const replay = await send();
      assert.equal(replay.statusCode, 409, replay.body);
      assert.equal(codeOf(replay), 'REQUEST_REPLAYED');
    } finally {
      await app.close();
    }
  });
}
