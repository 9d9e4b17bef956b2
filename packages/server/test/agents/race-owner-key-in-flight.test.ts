// An owner API key rotated while a request it authenticated has not yet acted: "the old secret stops at once, also
// for a request it authenticated that has not yet acted" (docs/PROTOCOL.md, "Replacing credentials"). The
// interleaving is forced: the rotation runs, through a second app on a second storage of the same database, right
// after the in-flight request's authenticator found the key live. A thief's claim must not link an agent to the
// owner, and a thief's linking key must not outlive the rotation for its 7 days.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { blockedBehind } from '../helpers/interleave.ts';
import { makeApp, tableCounts, twoProcesses } from '../helpers/app.ts';
import { bearer, codeOf, createOwner, registerPow, TEST_ENV } from './helpers.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { OWNER_KEY_LOOKUP } from './race-helpers.ts';

eachEngine('a claim by an owner key rotated while the claim was in flight does not act', async ({ open }) => {
  const { a, b, storage } = await twoProcesses(open, TEST_ENV);
  try {
    const owner = await createOwner(a.app, 'acme');
    const agent = await registerPow(a.app);
    const before = await tableCounts(storage);
    let rotation: LightMyRequestResponse | undefined;
    afterNextPoolQuery(storage.db, OWNER_KEY_LOOKUP, async () => {
      rotation = await b.app.inject({
        method: 'POST',
        url: '/api/v1/owners/me/rotate-key',
        headers: bearer(owner.apiKey),
      });
    });
    const claim = await a.app.inject({
      method: 'POST',
      url: '/api/v1/agents/claim',
      headers: bearer(owner.apiKey),
      payload: { claimToken: agent.claimToken },
    });
    assert.ok(rotation !== undefined, 'the rotation ran in between');
    assert.equal(rotation.statusCode, 200, rotation.body);
    assert.equal(claim.statusCode, 401, `the claim acted after the rotation: ${claim.body}`);
    assert.equal(codeOf(claim), 'UNAUTHORIZED');
    const row = await storage.db.selectFrom('agents').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'unclaimed');
    assert.equal(row.owner_id, null);
    const after = await tableCounts(storage);
    assert.equal(after.owner_api_keys, before.owner_api_keys + 1, 'only the rotation wrote');
    // The claim token is still unused: the owner claims with the new key.
    const { apiKey } = rotation.json() as { apiKey: string };
    const again = await a.app.inject({
      method: 'POST',
      url: '/api/v1/agents/claim',
      headers: bearer(apiKey),
      payload: { claimToken: agent.claimToken },
    });
    assert.equal(again.statusCode, 200, again.body);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine(
  'a linking key asked for with an owner key rotated while the request was in flight is not created',
  async ({ open }) => {
    const { a, b, storage } = await twoProcesses(open, TEST_ENV);
    try {
      const owner = await createOwner(a.app, 'acme');
      let rotation: LightMyRequestResponse | undefined;
      afterNextPoolQuery(storage.db, OWNER_KEY_LOOKUP, async () => {
        rotation = await b.app.inject({
          method: 'POST',
          url: '/api/v1/owners/me/rotate-key',
          headers: bearer(owner.apiKey),
        });
      });
      const res = await a.app.inject({
        method: 'POST',
        url: '/api/v1/owners/linking-keys',
        headers: bearer(owner.apiKey),
      });
      assert.ok(rotation !== undefined, 'the rotation ran in between');
      assert.equal(rotation.statusCode, 200, rotation.body);
      assert.equal(res.statusCode, 401, `a linking key was created after the rotation: ${res.body}`);
      assert.equal(codeOf(res), 'UNAUTHORIZED');
      assert.equal((await tableCounts(storage)).linking_keys, 0);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);

eachEngine(
  "a claim racing its owner's key rotation: it lands first or is refused, never a deadlock (a 500)",
  async ({ open, engine }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const owner = await createOwner(app, 'acme');
      const agent = await registerPow(app);
      const rotate = () =>
        app.inject({ method: 'POST', url: '/api/v1/owners/me/rotate-key', headers: bearer(owner.apiKey) });
      const claim = () =>
        app.inject({
          method: 'POST',
          url: '/api/v1/agents/claim',
          headers: bearer(owner.apiKey),
          payload: { claimToken: agent.claimToken },
        });
      let rotation: LightMyRequestResponse;
      let claimed: LightMyRequestResponse;
      if (engine !== 'postgres') {
        [rotation, claimed] = await Promise.all([rotate(), claim()]);
      } else {
        // A third session holds the owner's key row: the rotation (holding the owner's row) queues for it first,
        // then the claim. Had the claim held the key before the owner's row (which its link to the owner
        // references), the rotation would then wait for the claim's hold on the key and the claim for the owner.
        [rotation, claimed] = await storage.db.connection().execute(async (conn) => {
          await sql`begin`.execute(conn);
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
          const holder = rows[0]!.pid;
          await sql`select key_hash from owner_api_keys where owner_id = ${owner.ownerId} for update`.execute(conn);
          const first = rotate();
          await blockedBehind(storage.db, holder, 1);
          const second = claim();
          await blockedBehind(storage.db, holder, 2);
          await sql`commit`.execute(conn);
          return [await first, await second];
        });
      }
      assert.equal(rotation.statusCode, 200, rotation.body);
      const row = await storage.db
        .selectFrom('agents')
        .selectAll()
        .where('id', '=', agent.id)
        .executeTakeFirstOrThrow();
      if (engine === 'postgres' || claimed.statusCode !== 200) {
        // The rotation committed first: the claim's key was revoked when it acted.
        assert.equal(claimed.statusCode, 401, claimed.body);
        assert.equal(codeOf(claimed), 'UNAUTHORIZED');
        assert.equal(row.status, 'unclaimed');
      } else {
        assert.equal(row.owner_id, owner.ownerId);
      }
    } finally {
      await app.close();
    }
  },
);
