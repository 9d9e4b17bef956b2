// A Treeship registration whose slug is held by another agent, which releases it just after the registration's
// INSERT found the conflict: the registration must answer SLUG_TAKEN (the slug was taken when it tried), never
// KEY_ALREADY_REGISTERED for a key no agent has. On PostgreSQL the interleaving is forced: the registration pauses
// after its INSERT until the release committed. (SQLite runs one writing transaction at a time: nothing to force.)
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { pausingAfterInsert } from '../helpers/interleave.ts';
import { makeApp } from '../helpers/app.ts';
import { codeOf, newPair, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine(
  'a slug released just after a registration found it taken: SLUG_TAKEN, not KEY_ALREADY_REGISTERED',
  async (ctx) => {
    const s1 = await ctx.open();
    const s2 = await ctx.open();
    const b = await makeApp(s2, { env: TEST_ENV });
    const holder = await registerSlug(b.app, 'wanted-slug');
    const release = async () => {
      const res = await b.app.inject({
        method: 'DELETE',
        url: `/api/v1/agents/${holder.did}/slug`,
        headers: { authorization: `Bearer ${holder.managementToken}` },
      });
      assert.equal(res.statusCode, 200, res.body);
    };
    const a = await makeApp(ctx.engine === 'postgres' ? pausingAfterInsert(s1, 'agents', release) : s1, {
      env: TEST_ENV,
      kek: b.kek,
      clock: b.clock,
    });
    try {
      const pair = await newPair();
      const res = await a.app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug: 'wanted-slug', public_key_pem: pair.publicKeyBase64 },
      });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(codeOf(res), 'SLUG_TAKEN');
      const agents = await s1.db.selectFrom('agents').select('id').execute();
      assert.equal(agents.length, 1, 'the registration wrote nothing');
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
