// GET /api/registry/agents pages as GET /api/v1/owners/me does: it reads one row more than `limit`, so `next` is null
// exactly on the last page (a full last page no longer sends a client for one more, empty, page).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { registerAgent, tokenApp } from './helpers.ts';

interface Page {
  agents: Array<{ did: string; slug: string | null; name: string | null; status: string }>;
  next: string | null;
}

eachEngine(
  'registry/agents: next is null on a full last page, and set only when another page follows',
  async ({ open }) => {
    const t = await tokenApp(await open());
    try {
      const page = async (query: string): Promise<Page> => {
        const res = await t.app.inject({ method: 'GET', url: `/api/registry/agents${query}` });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as Page;
      };
      // A millisecond apart, so the listing's order (oldest first) is the registration order.
      const register = async (): Promise<string> => {
        t.clock.advance(1);
        return (await registerAgent(t)).did;
      };
      const dids = [await register(), await register(), await register()];

      // Exactly `limit` agents: one page, and it says it is the last.
      const exact = await page('?limit=3');
      assert.deepEqual(Object.keys(exact), ['agents', 'next']);
      assert.deepEqual(
        exact.agents.map((a) => a.did),
        dids,
      );
      assert.equal(exact.next, null);

      // `limit` + 1 agents: a full page whose next is its last DID, then a one-agent page that is the last.
      dids.push(await register());
      const first = await page('?limit=3');
      assert.deepEqual(
        first.agents.map((a) => a.did),
        dids.slice(0, 3),
      );
      assert.equal(first.next, dids[2]);
      const rest = await page(`?limit=3&after=${encodeURIComponent(first.next!)}`);
      assert.deepEqual(
        rest.agents.map((a) => a.did),
        [dids[3]],
      );
      assert.equal(rest.next, null);
    } finally {
      await t.app.close();
    }
  },
);
