// Several processes on one PostgreSQL: a change to shared state that processes cache (the token keys, the capability
// key, the revocation set) reaches every process through LISTEN/NOTIFY at once, not when its cache expires. The apps
// share a pinned clock that never moves here, so before the notifications no cache ever expired and the other process
// went on accepting the compromised key's tokens (signing with the retired capability key, accepting a revoked token)
// for good; in real time, for 10 s (60 s, 250 ms).
// The bound polled for (2 s) is generous for a notification and far below either cache's lifetime.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCapabilityToken } from '@vouch/sdk';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { eachEngine } from '../helpers/storage.ts';
import { BOUND_MS, READY_MS, within } from '../helpers/within.ts';
import { listenerHears } from '../helpers/listening.ts';
import { makeApp, type TestApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { ADMIN, issue, post, registerAgent, tokenApp, twoTokenApps, verify } from '../tokens/helpers.ts';
import { boundToken, genesis } from '../capabilities/helpers.ts';
import { announceChange, CHANGE_CHANNEL, EVERYTHING, openStorage } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';

/** B refuses `token` (signed by a key A dropped): the verification fails, whatever the code. */
async function refusedAt(app: TestApp, token: string): Promise<boolean> {
  const r = await verify(app, { token });
  return r.status === 401 && r.body.valid === false;
}

/**
 * The listener backends of the test's own storages (their URL names the schema as application_name; a listener's last
 * statement is its LISTEN), ended from outside as a failover or an operator would.
 */
async function terminateListeners(name: string): Promise<number[]> {
  return onListeners(name, 'select pg_terminate_backend(pid), pid');
}

/** The pids of the listener backends of the test's own storages. */
function listeners(name: string): Promise<number[]> {
  return onListeners(name, 'select pid');
}

async function onListeners(name: string, select: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      `${select} from pg_stat_activity where application_name = $1 and query like 'LISTEN%' and pid <> pg_backend_pid()`,
      [name],
    );
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}

const pgOnly = { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 90_000 };

eachEngine(
  'a compromised token-key rotation at A: B refuses the old key’s tokens at once (PostgreSQL: LISTEN/NOTIFY)',
  async ({ open, engine }) => {
    const [a, b] = await twoTokenApps(open);
    try {
      const agent = await registerAgent(a);
      const old = await issue(a, agent);
      // B has loaded the keys and accepts the token.
      assert.equal((await verify(b, { token: old.token })).status, 200);
      const res = await post(a, '/api/v1/admin/keys/rotate', { compromised: true }, ADMIN);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((await verify(a, { token: old.token })).status, 401, 'A refuses it at once');
      if (engine === 'sqlite') return; // One process per SQLite file: nothing to announce.
      await within(BOUND_MS, 'B refuses a token of the compromised key', () => refusedAt(b, old.token));
      // And B signs with the new key.
      const fresh = await issue(b, agent);
      assert.equal(JSON.parse(Buffer.from(fresh.token.split('.')[0]!, 'base64url').toString()).kid, res.json().kid);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);

eachEngine(
  'a token revoked at another process: announced as it commits, and B refuses it at once, not after its sync',
  async ({ open, engine }) => {
    const [a, b] = await twoTokenApps(open);
    try {
      const agent = await registerAgent(a);
      const [first, second] = [await issue(a, agent), await issue(a, agent)];
      // B has synced its revocation set (at the pinned time, which never moves here) and accepts both tokens.
      for (const x of [first, second]) assert.equal((await verify(b, { token: x.token })).status, 200);
      if (engine === 'sqlite') return; // One process per SQLite file: nothing to announce.

      // A's revocation is announced to every process as it commits. B's listener connects on its own time after B
      // starts: until its LISTEN is in, an announcement reaches no one (B would hear only "everything" later).
      await listenerHears(b.ctx.storage);
      const heard: string[] = [];
      const off = b.ctx.storage.changes.subscribe((topic) => heard.push(topic));
      try {
        const res = await post(a, '/api/registry/revoke', { jti: first.jti }, ADMIN);
        assert.equal(res.statusCode, 200, res.body);
        await within(BOUND_MS, 'the revocation is announced', async () => heard.includes('revocations'));
      } finally {
        off();
      }

      // A revocation by a process of its own (A and B share this Node process, and with it the watermark of what
      // "this process" revoked, so the row is written behind both apps' backs, announced as revokeToken does):
      // B reads it at its next verification.
      await b.ctx.storage.db.transaction().execute(async (trx) => {
        const seq = await trx
          .updateTable('token_revocation_seq')
          .set((eb) => ({ value: eb('value', '+', 1) }))
          .where('name', '=', 'revocations')
          .returning('value')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('token_revocations')
          .values({
            jti: second.jti,
            seq: Number(seq.value),
            revoked_at: a.clock.now(),
            expires_at: second.exp * 1000,
            reason: 'elsewhere',
            agent_did: agent.did,
            revoked_by: 'admin',
          })
          .execute();
        await announceChange(trx, 'postgres', 'revocations');
      });
      await within(BOUND_MS, 'B refuses the token revoked elsewhere', async () => {
        const r = await verify(b, { token: second.token });
        return r.status === 401 && r.body.code === 'TOKEN_REVOKED';
      });
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);

test('a capability-key rotation at A: B signs with the new key at once, not after its 60 s cache', pgOnly, async () => {
  const { eachStorage, closeAll } = await pgStorages();
  try {
    const a = await makeApp(await eachStorage());
    const b = await makeApp(await eachStorage(), { clock: a.clock, kek: a.kek });
    const reg = await genesis(a);
    const X = 'agent:my-assistant:v1';
    const before = await boundToken(b, reg.issuers.acme!, X);
    const oldKid = decodeCapabilityToken(before.token).header.kid;
    const res = await post(a, '/api/v1/admin/keys/rotate', { purpose: 'capability' }, ADMIN);
    assert.equal(res.statusCode, 201, res.body);
    const newKid = (res.json() as { kid: string }).kid;
    assert.notEqual(newKid, oldKid);
    await within(BOUND_MS, 'B signs capability tokens with the new key', async () => {
      const t = await boundToken(b, reg.issuers.acme!, X);
      return decodeCapabilityToken(t.token).header.kid === newKid;
    });
    await a.app.close();
    await b.app.close();
  } finally {
    await closeAll();
  }
});

test(
  'the listener connection terminated from outside: it reconnects, and the next rotation still reaches B',
  pgOnly,
  async () => {
    const { name, eachStorage, closeAll } = await pgStorages();
    try {
      const storageA = await eachStorage();
      const storageB = await eachStorage();
      const a = await tokenApp(storageA);
      const b = await tokenApp(storageB, { clock: a.clock, kek: a.kek });
      const agent = await registerAgent(a);
      const first = await issue(a, agent);
      assert.equal((await verify(b, { token: first.token })).status, 200);
      await within(READY_MS, 'the listeners are up', async () => (await listeners(name)).length === 2);
      const ended = await terminateListeners(name);
      assert.equal(ended.length, 2, 'listener backends found by application_name');
      // Reconnected (with backoff), LISTENing again on new backends; meanwhile the TTLs still bound staleness.
      await within(READY_MS, 'the listeners are back', async () => {
        const now = await listeners(name);
        return now.length === 2 && now.every((pid) => !ended.includes(pid));
      });
      // B loads the keys again after its reconnect (which forgot them): only the rotation's notification can make
      // it forget them now.
      assert.equal((await verify(b, { token: first.token })).status, 200);
      const res = await post(a, '/api/v1/admin/keys/rotate', { compromised: true }, ADMIN);
      assert.equal(res.statusCode, 201, res.body);
      await within(BOUND_MS, 'B refuses a token of the compromised key after the reconnect', () =>
        refusedAt(b, first.token),
      );
      await a.app.close();
      await b.app.close();
      // Closing the apps ends the listeners: nothing keeps the process (or the connections) alive.
      await within(READY_MS, 'the listeners are gone', async () => (await listeners(name)).length === 0);
    } finally {
      await closeAll();
    }
  },
);

/** Storages of one fresh schema, opened on demand, closed (and the schema dropped) by `closeAll`. */
async function pgStorages(): Promise<{
  name: string;
  eachStorage: () => Promise<Storage>;
  closeAll: () => Promise<void>;
}> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-notify-'));
  const schema = freshSchema();
  // The schema's name as every connection's application_name, so the test finds its own listeners among others'.
  const url = new URL(TEST_DATABASE_URL!);
  url.searchParams.set('application_name', schema);
  const opened: Storage[] = [];
  return {
    name: schema,
    async eachStorage() {
      const s = await openStorage({ dataDir, databaseUrl: url.toString(), pgSchema: schema, pgPoolMax: 3 });
      opened.push(s);
      return s;
    },
    async closeAll() {
      await Promise.allSettled(opened.map((s) => s.close()));
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

test(
  'the change feed hears its own schema only, ignores bad payloads and rolled-back writes, and survives a subscriber that throws',
  pgOnly,
  async () => {
    const { name, eachStorage, closeAll } = await pgStorages();
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    try {
      const storage = await eachStorage();
      const heard: string[] = [];
      const offThrowing = storage.changes.subscribe(() => {
        throw new Error('a subscriber that fails');
      });
      const off = storage.changes.subscribe((topic) => heard.push(topic));
      await within(READY_MS, 'the listener connects and says anything may have changed', async () =>
        heard.includes(EVERYTHING),
      );
      const payloads = [
        'not json',
        '',
        'null',
        '[]',
        '{}',
        JSON.stringify({ schema: name, topic: 42 }),
        JSON.stringify({ schema: name, topic: '' }),
        JSON.stringify({ schema: 'another_schema', topic: 'server_keys:tokens' }),
      ];
      for (const p of payloads) await other.query('select pg_notify($1, $2)', [CHANGE_CHANNEL, p]);
      await storage.db
        .transaction()
        .execute(async (trx) => {
          await announceChange(trx, 'postgres', 'rolled-back');
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await announceChange(storage.db, 'postgres', 'server_keys:tokens');
      // Announcements arrive in commit order: once the last is heard, every earlier one was handled.
      await within(BOUND_MS, 'the announcement is heard', async () => heard.includes('server_keys:tokens'));
      assert.deepEqual(heard, [EVERYTHING, 'server_keys:tokens']);
      offThrowing();
      off();
      await within(
        READY_MS,
        'the last subscriber gone, the listener closes',
        async () => (await listeners(name)).length === 0,
      );
    } finally {
      await other.end();
      await closeAll();
    }
  },
);
