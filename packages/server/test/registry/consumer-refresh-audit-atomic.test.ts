// The admin's POST /v1/registry/refresh and the document it stores are one transaction with their audit entries
// (registry.refresh, and registry.adopt for a new sequence): when any of the three writes fails, none is left, so there
// is never a refresh stored without its audit entry, nor an entry for a refresh that stored nothing.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { listAudit, type Storage } from '../../src/storage/index.ts';
import { readDocument } from '../../src/modules/registry/store.ts';
import { registryRuntime } from '../../src/modules/registry/service.ts';
import { admin, post, registrySource, twoVersions } from './fixtures.ts';

/** Makes the database refuse an audit entry whose action is `action` (dropped again by the function returned). */
async function refuseAudit(storage: Storage, action: string): Promise<() => Promise<void>> {
  if (storage.engine === 'sqlite') {
    await sql`create trigger refuse_audit before insert on audit_log when new.action = ${sql.lit(action)}
      begin select raise(abort, 'audit entry refused'); end`.execute(storage.db);
    return async () => void (await sql`drop trigger refuse_audit`.execute(storage.db));
  }
  await sql`create function refuse_audit() returns trigger language plpgsql as $$
    begin if new.action = ${sql.lit(action)} then raise exception 'audit entry refused'; end if; return new; end $$`.execute(
    storage.db,
  );
  await sql`create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit()`.execute(
    storage.db,
  );
  return async () => {
    await sql`drop trigger refuse_audit on audit_log`.execute(storage.db);
    await sql`drop function refuse_audit()`.execute(storage.db);
  };
}

eachEngine(
  'consumer: a refresh, its adoption and their audit entries are written together or not at all',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const { v1, v2 } = await twoVersions(root, 'delta');
    const src = await registrySource(v1);
    const storage = await open();
    const clock = new ManualClock(T0 + 5000);
    const t = await makeApp(storage, {
      clock,
      env: {
        VOUCH_TRUST_REGISTRY_URL: src.url,
        VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
        VOUCH_TRUST_REGISTRY_TTL: '60',
      },
    });
    const refresh = () => post(t.app, '/v1/registry/refresh', {}, admin(t.adminKey));
    const served = async () =>
      JSON.parse((await t.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' })).payload).sequence;
    const registryEntries = async () =>
      (await listAudit(storage.db, { limit: 1000 }))
        .filter((e) => e.action.startsWith('registry.'))
        .reverse()
        .map((e) => [e.action, e.details?.newSequence ?? e.details?.outcome]);
    try {
      assert.equal((await readDocument(storage.db, 'consumer'))?.sequence, 1);
      src.set(v2);

      // The refresh's own entry refused: the new sequence is not stored, adopted or audited either.
      for (const action of ['registry.refresh', 'registry.adopt']) {
        const allow = await refuseAudit(storage, action);
        const before = await tableCounts(storage);
        clock.advance(1000);
        const res = await refresh();
        assert.ok(res.status >= 500, `${action}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.deepEqual(await tableCounts(storage), before, `${action} refused: nothing written`);
        assert.equal((await readDocument(storage.db, 'consumer'))?.sequence, 1, `${action} refused: v1 stays stored`);
        assert.equal(await served(), 1, `${action} refused: v1 stays served`);
        await allow();
      }
      assert.deepEqual(await registryEntries(), [['registry.adopt', 1]]);

      // Allowed again: stored, adopted and audited in one go.
      clock.advance(1000);
      const res = await refresh();
      assert.deepEqual(
        [res.status, res.body.outcome, res.body.sequence],
        [200, 'updated', 2],
        JSON.stringify(res.body),
      );
      assert.equal((await readDocument(storage.db, 'consumer'))?.sequence, 2);
      assert.equal(await served(), 2);
      assert.deepEqual(await registryEntries(), [
        ['registry.adopt', 1],
        ['registry.adopt', 2],
        ['registry.refresh', 'updated'],
      ]);

      // A refresh that stores nothing writes its entry alone; refused, it writes nothing and changes nothing.
      const allow = await refuseAudit(storage, 'registry.refresh');
      const before = await tableCounts(storage);
      clock.advance(1000);
      assert.ok((await refresh()).status >= 500);
      assert.deepEqual(await tableCounts(storage), before);
      await allow();
      clock.advance(1000);
      assert.equal((await refresh()).body.outcome, 'unchanged');
      assert.deepEqual((await registryEntries()).at(-1), ['registry.refresh', 'unchanged']);
    } finally {
      await t.app.close();
      src.server.close();
    }
  },
);

eachEngine('consumer: an admin refresh asked during a running one does its own fetch and audit', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const { v1, v2 } = await twoVersions(root, 'delta');
  // A source that holds each answer until released, so a refresh can be caught mid-fetch.
  let body = JSON.stringify(v1);
  const held: Array<() => void> = [];
  let hold = false;
  const server = createServer((_req, res) => {
    const answer = () => void res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    if (hold) held.push(answer);
    else answer();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const storage = await open();
  const clock = new ManualClock(T0 + 5000);
  const t = await makeApp(storage, {
    clock,
    env: {
      VOUCH_TRUST_REGISTRY_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent-trust.json`,
      VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
      VOUCH_TRUST_REGISTRY_TTL: '60',
    },
  });
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };
  try {
    // A read past the TTL starts a refresh of its own; its fetch of sequence 2 is held.
    body = JSON.stringify(v2);
    hold = true;
    clock.advance(61_000);
    const read = t.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' });
    while (held.length === 0) await turns(1);
    // The admin's refresh does not join it: it waits for it, then fetches for itself.
    const rt = registryRuntime(t.ctx);
    assert.equal(rt.mode, 'consumer');
    const consumer = rt.consumer;
    let called = false;
    const refresh = consumer.refresh.bind(consumer);
    consumer.refresh = (asked) => ((called ||= asked !== undefined), refresh(asked));
    const asked = post(t.app, '/v1/registry/refresh', {}, admin(t.adminKey));
    while (!called) await turns(1);
    await turns(20);
    assert.equal(held.length, 1, 'one fetch at a time');
    hold = false;
    held.shift()!();
    assert.equal(JSON.parse((await read).payload).sequence, 2);
    const res = await asked;
    assert.deepEqual(
      [res.status, res.body.outcome, res.body.sequence],
      [200, 'unchanged', 2],
      JSON.stringify(res.body),
    );
    const entries = (await listAudit(storage.db, { limit: 1000 }))
      .filter((e) => e.action.startsWith('registry.'))
      .reverse()
      .map((e) => [e.actor, e.action, e.details?.newSequence ?? e.details?.outcome]);
    assert.deepEqual(entries, [
      ['registry-refresh', 'registry.adopt', 1],
      ['registry-refresh', 'registry.adopt', 2],
      ['admin', 'registry.refresh', 'unchanged'],
    ]);
  } finally {
    await t.app.close();
    server.close();
  }
});
