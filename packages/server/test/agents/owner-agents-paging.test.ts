// GET /api/v1/owners/me pages the owner's agents as /api/registry/agents does: `limit` and `after=<did>`, `next` the
// DID to pass on (null on the last page). With no query the answer is the one it always was (at most 1000 agents)
// plus `next`, so an owner with more agents can now reach them all.
import assert from 'node:assert/strict';
import { didOf, newId } from '../../src/modules/agents/ids.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { bearer, codeOf, createOwner, TEST_ENV } from './helpers.ts';

interface Page {
  ownerId: string;
  name: string;
  handle: string;
  agents: Array<{ did: string; slug: string | null; name: string | null; status: string }>;
  next: string | null;
}

/** `count` agents of `ownerId` (null: no owner), created at `at(i)`, without going through registration. */
async function insertAgents(storage: Storage, ownerId: string | null, count: number, at: (i: number) => number) {
  const rows = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    status: ownerId === null ? 'unclaimed' : 'claimed',
    owner_id: ownerId,
    registered_via: 'test',
    created_at: at(i),
    updated_at: at(i),
  }));
  for (let i = 0; i < rows.length; i += 200) {
    await storage.db
      .insertInto('agents')
      .values(rows.slice(i, i + 200) as never)
      .execute();
  }
  return rows;
}

/** Registration order: oldest first, ties by id. */
const inOrder = (rows: Array<{ id: string; created_at: number }>) =>
  [...rows].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1)).map((r) => didOf(r.id));

eachEngine(
  'owners/me: limit and after page the agents in registration order, next null at the end',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const owner = await createOwner(app, 'acme');
      const other = await createOwner(app, 'bolt');
      // Seven agents, three created at the same millisecond; another owner's and unowned agents in between.
      const mine = await insertAgents(storage, owner.ownerId, 7, (i) => 1000 + Math.min(i, 3) * 10 + (i > 3 ? i : 0));
      await insertAgents(storage, other.ownerId, 3, (i) => 1005 + i * 10);
      await insertAgents(storage, null, 2, (i) => 1015 + i);
      const expected = inOrder(mine);
      const me = async (query: string) => {
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/owners/me${query}`,
          headers: bearer(owner.apiKey),
        });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as Page;
      };

      const all = await me('');
      assert.deepEqual(Object.keys(all), ['ownerId', 'name', 'handle', 'agents', 'next']);
      assert.deepEqual(
        all.agents.map((a) => a.did),
        expected,
      );
      assert.equal(all.next, null, 'every agent on one page');
      assert.deepEqual(all.agents[0], { did: expected[0], slug: null, name: null, status: 'claimed' });

      for (const limit of [1, 2, 3, 7]) {
        const seen: string[] = [];
        let page = await me(`?limit=${limit}`);
        for (;;) {
          assert.ok(page.agents.length <= limit);
          assert.equal(page.ownerId, owner.ownerId);
          seen.push(...page.agents.map((a) => a.did));
          if (page.next === null) break;
          assert.equal(page.next, page.agents.at(-1)!.did, 'next is the last DID of the page');
          assert.equal(page.agents.length, limit, 'only a full page has a next');
          page = await me(`?limit=${limit}&after=${encodeURIComponent(page.next)}`);
        }
        assert.deepEqual(seen, expected, `limit ${limit}: each agent once, in order`);
      }
      const last = await me(`?limit=7`);
      assert.equal(last.next, null, 'a page that holds exactly the rest has no next');

      // An anchor that is another owner's agent, or an agent this owner no longer holds, still places the page.
      const moved = mine.find((r) => didOf(r.id) === expected[2])!;
      await storage.db.updateTable('agents').set({ owner_id: other.ownerId }).where('id', '=', moved.id).execute();
      const afterMoved = await me(`?limit=2&after=${expected[2]}`);
      assert.deepEqual(
        afterMoved.agents.map((a) => a.did),
        expected.slice(3, 5),
      );
      // A DID no agent has: an empty last page.
      assert.deepEqual(await me(`?after=${didOf(newId())}`), {
        ownerId: owner.ownerId,
        name: all.name,
        handle: 'acme',
        agents: [],
        next: null,
      });

      // Refusals, writing nothing.
      const before = await tableCounts(storage);
      for (const [query, field] of [
        ['?limit=0', 'querystring.limit'],
        ['?limit=1001', 'querystring.limit'],
        ['?limit=x', 'querystring.limit'],
        ['?after=', 'querystring.after'],
        ['?after=not-a-did', 'querystring.after'],
        ['?after=did:identity:abc', 'querystring.after'],
        ['?cursor=x', 'querystring'],
      ] as const) {
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/owners/me${query}`,
          headers: bearer(owner.apiKey),
        });
        assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
        assert.equal(codeOf(res), 'VALIDATION_FAILED', query);
        assert.equal((res.json() as { field?: string }).field?.startsWith(field), true, `${query}: ${res.body}`);
      }
      assert.deepEqual(await tableCounts(storage), before);
    } finally {
      await app.close();
    }
  },
);

eachEngine('owners/me: with no query, the first 1000 agents as before, and next reaches the rest', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const owner = await createOwner(app, 'many');
    const expected = inOrder(await insertAgents(storage, owner.ownerId, 1001, (i) => 5000 + i));
    const me = async (query: string) =>
      (
        await app.inject({ method: 'GET', url: `/api/v1/owners/me${query}`, headers: bearer(owner.apiKey) })
      ).json() as Page;
    const first = await me('');
    assert.equal(first.agents.length, 1000);
    assert.deepEqual(
      first.agents.map((a) => a.did),
      expected.slice(0, 1000),
    );
    assert.equal(first.next, expected[999]);
    const rest = await me(`?after=${first.next}`);
    assert.deepEqual(
      rest.agents.map((a) => a.did),
      [expected[1000]],
    );
    assert.equal(rest.next, null);
    assert.equal((await me('?limit=1000')).next, expected[999]);
  } finally {
    await app.close();
  }
});
