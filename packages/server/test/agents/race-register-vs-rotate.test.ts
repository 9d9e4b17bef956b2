// A registration of key K racing another agent's rotation to K. The registration inserted the agent row (taking K
// in agents' unique index) and then K's history row; the rotation inserted K's history row and then updated its
// agent row to K. In opposite orders, each waited for the other and PostgreSQL ended the deadlock with a 500. On
// PostgreSQL the interleaving is forced: the registration pauses after inserting its agent row until the rotation
// waits for it. Either may win; the other must be a clean 409, and K must belong to one agent.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { solvePow } from '@vouch/sdk';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { pausingAfterInsert } from '../helpers/interleave.ts';
import { makeApp } from '../helpers/app.ts';
import { codeOf, newPair, registerSlug, rotateKey, TEST_ENV } from './helpers.ts';

/** PostgreSQL: resolves once a session waits for one that has written `schema.table` (polled, bounded). */
async function waitsForWriterOf(storage: Storage, schema: string, table: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity a
      where exists (
        select 1 from pg_locks l
        join pg_class c on c.oid = l.relation
        join pg_namespace ns on ns.oid = c.relnamespace
        where ns.nspname = ${schema} and c.relname = ${table} and l.mode = 'RowExclusiveLock' and l.granted
          and l.pid = any(pg_blocking_pids(a.pid)))`.execute(storage.db);
    if (rows[0]!.n >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no session ever waited for a writer of ${table}`);
}

eachEngine(
  "a registration racing another agent's rotation to the same key: one wins, no deadlock, no 500",
  async ({ open, engine, options }) => {
    const s1 = await open();
    const s2 = await open();
    const b = await makeApp(s2, { env: TEST_ENV });
    const contested = await newPair();
    const { nonce } = await solvePow(contested.publicKeyBase64!, { difficulty: 1 });
    const old = await newPair();
    const agent = await registerSlug(b.app, 'rotating-agent', { public_key_pem: old.publicKeyBase64 });
    const at = b.clock.now();
    const rotate = async () => rotateKey(b.app, agent.did, old, contested, at);
    let rotation: Promise<Awaited<ReturnType<typeof rotate>>> | undefined;
    // PostgreSQL: once the registration holds K in agents, the rotation starts and is let run until it waits.
    const forced =
      engine === 'postgres'
        ? pausingAfterInsert(s1, 'agents', async () => {
            rotation = rotate();
            await waitsForWriterOf(s1, options.pgSchema!, 'agents');
          })
        : s1;
    const a = await makeApp(forced, { env: TEST_ENV, kek: b.kek, clock: b.clock });
    try {
      const register = () =>
        a.app.inject({
          method: 'POST',
          url: '/api/v1/agents/register',
          payload: { publicKey: contested.publicKeyBase64, powNonce: nonce },
        });
      let registered, rotated;
      if (engine === 'postgres') {
        registered = await register();
        rotated = await rotation!;
      } else {
        [registered, rotated] = await Promise.all([register(), rotate()]);
      }
      for (const r of [registered, rotated]) assert.ok(r.statusCode < 500, `${r.statusCode} ${r.body}`);
      const won = [registered.statusCode, rotated.statusCode].filter((c) => c === 200 || c === 201);
      assert.equal(won.length, 1, `${registered.body} | ${rotated.body}`);
      const loser = registered.statusCode === 201 ? rotated : registered;
      assert.equal(loser.statusCode, 409, loser.body);
      assert.equal(codeOf(loser), 'KEY_ALREADY_REGISTERED');
      const holders = await s2.db
        .selectFrom('agents')
        .select('id')
        .where('public_key', '=', contested.publicKeyBase64!)
        .execute();
      assert.equal(holders.length, 1);
      const history = await s2.db
        .selectFrom('agent_keys')
        .select('agent_id')
        .where('public_key', '=', contested.publicKeyBase64!)
        .execute();
      assert.deepEqual(
        history,
        holders.map((h) => ({ agent_id: h.id })),
        'the key history names the holder',
      );
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
  { timeout: 90_000 },
);
