// A key rotation and another change signed by the same agent, at once, when the agent has used-request records old
// enough to prune: both consume their signature (deleting those records) and both take the agent's row. Taken in
// opposite orders (the rotation consumed first and updated the row after; the change locked the row first), each
// waited for the other and PostgreSQL ended the deadlock with a 500. On PostgreSQL the interleaving is forced: a
// third session holds the agent's row while the change and then the rotation queue for it.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { SIGNED_REQUEST_WINDOW_MS } from '../../src/modules/agents/auth.ts';
import { eachEngine } from '../helpers/storage.ts';
import { blockedBehind } from '../helpers/interleave.ts';
import { makeApp } from '../helpers/app.ts';
import { newPair, registerSlug, rotateKey, signedInject, TEST_ENV } from './helpers.ts';

eachEngine(
  'a key rotation racing another change signed by the agent: no deadlock, no 500',
  async ({ open, engine }) => {
    const s1 = await open();
    const s2 = await open();
    const a = await makeApp(s1, { env: TEST_ENV });
    const b = await makeApp(s2, { env: TEST_ENV, kek: a.kek, clock: a.clock });
    try {
      const pair = await newPair();
      const next = await newPair();
      const agent = await registerSlug(a.app, 'lock-order-key', { public_key_pem: pair.publicKeyBase64 });
      // A used request whose record is prunable by the time the two below act.
      const early = await signedInject(
        a.app,
        pair,
        agent.did,
        'PUT',
        `/api/v1/agents/${agent.did}/slug`,
        {
          slug: agent.slug,
        },
        a.clock.now(),
      );
      assert.equal(early.statusCode, 200, early.body);
      a.clock.advance(SIGNED_REQUEST_WINDOW_MS + 61_000 + 1);

      const at = a.clock.now();
      const change = () =>
        signedInject(a.app, pair, agent.did, 'PUT', `/api/v1/agents/${agent.did}/slug`, { slug: 'renamed-agent' }, at);
      const rotate = async () => rotateKey(b.app, agent.did, pair, next, at + 1);

      let answers: LightMyRequestResponse[];
      if (engine !== 'postgres') {
        answers = await Promise.all([change(), rotate()]);
      } else {
        answers = await s1.db.connection().execute(async (conn) => {
          await sql`begin`.execute(conn);
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
          const holder = rows[0]!.pid;
          await sql`select id from agents where id = ${agent.id} for update`.execute(conn);
          const first = change();
          await blockedBehind(s1.db, holder, 1);
          const second = rotate();
          await blockedBehind(s1.db, holder, 2);
          await sql`commit`.execute(conn);
          return [await first, await second];
        });
      }
      const [changed, rotated] = answers;
      for (const r of answers) assert.ok(r.statusCode < 500, `${r.statusCode} ${r.body}`);
      assert.equal(rotated!.statusCode, 200, rotated!.body);
      // The change either acted before the rotation, or was refused for the key it was signed with.
      const slug = await s1.db
        .selectFrom('agents')
        .select(['slug', 'public_key'])
        .where('id', '=', agent.id)
        .executeTakeFirstOrThrow();
      assert.equal(slug.public_key, next.publicKeyBase64);
      if (changed!.statusCode === 200) assert.equal(slug.slug, 'renamed-agent');
      else {
        assert.equal(changed!.statusCode, 401, changed!.body);
        assert.equal(slug.slug, agent.slug);
      }
      if (engine === 'postgres')
        assert.equal(changed!.statusCode, 200, 'forced order: the change locked the row first');
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
