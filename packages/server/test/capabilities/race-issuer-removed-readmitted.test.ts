// A removal's `appliedAt` is read when its apply starts; the apply commits only after signing and verifying the whole
// new document. A registry-bound issue (or delegation) at another process can check the issuer in the registry before
// that commit and stamp its token with an `iat` after `appliedAt`. Such a token was granted on a registry that still
// held the issuer, yet its `iat` is "after the removal", so a later re-admission with the same key revived it, while
// every other token from before the removal stays denied. Here process b's clock runs 1 s ahead of a's (standing in
// for 1 s of apply work, or clock skew), and a's removal commits between b's registry check and b's record.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { beforeNextTransaction, pausingAfterUpdate } from '../helpers/interleave.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Database } from '../../src/storage/index.ts';
import { post, unsigned } from '../registry/fixtures.ts';
import { boundToken, credential, genesis, govern, intercept, issue, removeIssuer } from './helpers.ts';

const X = 'agent:my-assistant:v1';
const SIGNERS = ['bolt', 'coda', 'dyad'];

eachEngine(
  'a token issued on the registry before a removal committed stays denied after the issuer is re-admitted',
  async ({ open }) => {
    const a = await makeApp(await open());
    const b = await makeApp(await open(), { clock: new ManualClock(T0 + 1000), kek: a.kek });
    try {
      const reg = await genesis(a);
      await boundToken(b, reg.issuers.acme!, X); // loads b's capability key: b's next transaction is the record
      const agentCredential = await credential(b, reg.issuers.acme!, X);
      b.clock.advance(1000); // b stamps T0 + 2 s
      a.clock.advance(1500); // a removes at T0 + 1.5 s
      let removed = false;
      beforeNextTransaction(b.ctx.storage.db, async () => {
        await removeIssuer(a, reg, 'acme', SIGNERS);
        removed = true;
      });
      const res = await issue(b.app, {
        agentId: X,
        resource: 'payments:invoices',
        action: 'read',
        issuerBinding: { issuerId: 'acme', agentCredential },
      });
      assert.ok(removed, 'the removal committed between the check and the record');

      a.clock.advance(1000);
      await govern(a, reg, { action: 'add', entry: unsigned(reg.issuers.acme!.entry) }, SIGNERS);
      b.clock.advance(1000);
      if (res.status === 201) {
        for (const app of [a, b]) {
          const d = await intercept(app.app, res.body.token!, X);
          assert.deepEqual([d.decision, d.code], ['deny', 'ISSUER_REVOKED'], 'not revived by the re-admission');
        }
      } else {
        assert.deepEqual([res.status, res.body.code], [403, 'ISSUER_REVOKED'], JSON.stringify(res.body));
      }
      // Issued on the registry that re-admitted acme: allowed.
      const after = await boundToken(b, reg.issuers.acme!, X);
      assert.deepEqual(await intercept(b.app, after.token, X), { decision: 'allow' });
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);

eachEngine(
  'a token delegated from a parent checked before a removal committed stays denied after the re-admission',
  async ({ open }) => {
    const a = await makeApp(await open());
    const b = await makeApp(await open(), { clock: new ManualClock(T0 + 1000), kek: a.kek });
    try {
      const reg = await genesis(a);
      const parent = await boundToken(b, reg.issuers.acme!, X, { resource: 'payments:*' });
      b.clock.advance(1000);
      a.clock.advance(1500);
      let removed = false;
      beforeNextTransaction(b.ctx.storage.db, async () => {
        await removeIssuer(a, reg, 'acme', SIGNERS);
        removed = true;
      });
      const res = await post(b.app, '/v1/tokens/delegate', { token: parent.token, resource: 'payments:invoices' });
      assert.ok(removed, 'the removal committed between the parent check and the record');

      a.clock.advance(1000);
      await govern(a, reg, { action: 'add', entry: unsigned(reg.issuers.acme!.entry) }, SIGNERS);
      b.clock.advance(1000);
      assert.equal((await intercept(b.app, parent.token, X, 'payments:invoices')).code, 'ISSUER_REVOKED');
      if (res.status === 201) {
        const d = await intercept(b.app, res.body.token as string, X);
        assert.deepEqual([d.decision, d.code], ['deny', 'ISSUER_REVOKED'], 'not revived by the re-admission');
      } else {
        assert.deepEqual([res.status, res.body.code], [403, 'ISSUER_REVOKED'], JSON.stringify(res.body));
      }
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);

/** PostgreSQL: resolves once a session waits for a lock to read the registry's sequence (polled, bounded). */
async function waitingToHoldRegistry(db: Kysely<Database>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'
        and query ilike '%from "registry_documents"%for key share%'`.execute(db);
    if (rows[0]!.n >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('no session ever waited to read the registry sequence');
}

eachEngine(
  'an issue recorded while a removal is being applied waits for it and is decided on the registry it commits',
  async ({ engine, open, t }) => {
    // SQLite runs one writing transaction at a time: the record cannot start while the apply holds the database.
    if (engine !== 'postgres') return void t.skip('PostgreSQL only: concurrent writing transactions');
    let onApply: () => Promise<void> = async () => undefined;
    const a = await makeApp(pausingAfterUpdate(await open(), () => onApply(), 'registry_documents'));
    const b = await makeApp(await open(), { clock: a.clock, kek: a.kek });
    try {
      const reg = await genesis(a);
      await boundToken(b, reg.issuers.acme!, X);
      const agentCredential = await credential(b, reg.issuers.acme!, X);
      let issuing: ReturnType<typeof issue> | undefined;
      let outcome = '';
      onApply = async () => {
        // The removal has read its time and written the new document, not committed: 1 s of apply work goes by.
        a.clock.advance(1000);
        issuing = issue(b.app, {
          agentId: X,
          resource: 'payments:invoices',
          action: 'read',
          issuerBinding: { issuerId: 'acme', agentCredential },
        });
        const waits = waitingToHoldRegistry(b.ctx.storage.db).then(() => 'the record waits for the apply');
        waits.catch(() => undefined);
        outcome = await Promise.race([waits, issuing.then(() => 'the token was recorded under the apply')]);
      };
      await removeIssuer(a, reg, 'acme', SIGNERS);
      assert.equal(outcome, 'the record waits for the apply');
      const res = await issuing!;
      assert.deepEqual([res.status, res.body.code], [403, 'ISSUER_REVOKED'], JSON.stringify(res.body));
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
