// Report limits under concurrency, on two app instances ("processes") on one database (docs/PROTOCOL.md, "Reports"):
// the anonymous hourly limit per address, one report per reporter and target a day, and a reporter revoked between
// the checks of its report and the report's transaction.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { beforeNextTransaction, blockedBehind } from '../helpers/interleave.ts';
import { getGlobalScore } from '../../src/modules/reputation/service.ts';
import type { Storage } from '../../src/storage/index.ts';
import { admin, SIG_ENV } from '../signatures/helpers.ts';
import { ANONYMOUS_REPORTS_PER_HOUR as ANONYMOUS_LIMIT } from '../../src/modules/signatures/reports.ts';
import { agents, report, signedReport } from './helpers.ts';
import type { Receipt } from './helpers.ts';

async function twoProcesses(open: () => Promise<Storage>) {
  const s1 = await open();
  const s2 = await open();
  // A third connection pool for the forcing session and its polling: the apps' pools may all be waiting.
  const control = await open();
  const one = await makeApp(s1, { env: SIG_ENV });
  const two = await makeApp(s2, { env: SIG_ENV, kek: one.kek, clock: one.clock });
  return { s1, s2, control, one, two };
}

/**
 * Sends the requests `fire` starts at once. On PostgreSQL the interleaving is forced: a third session holds the reports
 * table in SHARE mode (reads go on, inserts wait) until all `n` requests wait behind it, so without the report locks
 * every request would read the limits before any report is stored; with them, they take turns.
 */
async function atOnce<T>(storage: Storage, n: number, fire: () => Array<Promise<T>>): Promise<T[]> {
  if (storage.engine !== 'postgres') return Promise.all(fire());
  return storage.db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    const holder = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
    await sql`lock table reports in share mode`.execute(conn);
    const pending = fire();
    await blockedBehind(storage.db, holder, n);
    await sql`commit`.execute(conn);
    return Promise.all(pending);
  });
}

async function reportRows(storage: Storage): Promise<Array<{ kind: string; penalty: number }>> {
  const { rows } = await sql<{ kind: string; penalty: number | string }>`select kind, penalty from reports`.execute(
    storage.db,
  );
  return rows.map((r) => ({ kind: r.kind, penalty: Number(r.penalty) }));
}

eachEngine(
  'anonymous reports from one address sent at once to two processes stop at the hourly limit',
  async ({ open }) => {
    const { s1, control, one, two } = await twoProcesses(open);
    try {
      const targets = await agents(one.app, ANONYMOUS_LIMIT + 3);
      // One address, a different target each: only the address's hourly limit can stop them.
      const results = await atOnce(control, targets.length, () =>
        targets.map((t, i) => report(i % 2 === 0 ? one.app : two.app, { did: t.did, reason: 'spam' }, '10.9.8.7')),
      );
      const created = results.filter((r) => r.statusCode === 201);
      const limited = results.filter((r) => r.statusCode === 429);
      assert.equal(created.length, ANONYMOUS_LIMIT, results.map((r) => `${r.statusCode} ${r.body}`).join('\n'));
      assert.equal(limited.length, 3);
      for (const r of limited) {
        assert.equal((r.json() as { code: string }).code, 'RATE_LIMITED');
        assert.ok(Number(r.headers['retry-after']) >= 1);
      }
      assert.equal((await reportRows(s1)).length, ANONYMOUS_LIMIT, 'only the reports answered 201 are stored');
    } finally {
      await one.app.close();
      await two.app.close();
    }
  },
);

eachEngine(
  'the same reporter reports one target twice at once on two processes: one report counts',
  async ({ open }) => {
    const { s1, control, one, two } = await twoProcesses(open);
    try {
      const [target, reporter] = await agents(one.app, 2);
      const now = one.clock.now();
      const bodies = [
        await signedReport(reporter!, target!.did, 'spam', now),
        await signedReport(reporter!, target!.did, 'malicious', now),
      ];
      const [r1, r2] = await atOnce(control, 2, () => [report(one.app, bodies[0]), report(two.app, bodies[1])]);
      assert.deepEqual([r1.statusCode, r2.statusCode].sort(), [200, 201], `${r1.body}\n${r2.body}`);
      const [first, repeat] = (r1.statusCode === 201 ? [r1, r2] : [r2, r1]).map((r) => r.json() as Receipt);
      assert.equal(first!.penalty, 5);
      assert.equal(repeat!.duplicate, true);
      assert.equal(repeat!.reportId, first!.reportId, 'the repeat answers the report that counted');
      assert.deepEqual(await reportRows(s1), [{ kind: 'signed', penalty: 5 }]);
      assert.equal(await getGlobalScore(one.ctx, target!.id), 45);
    } finally {
      await one.app.close();
      await two.app.close();
    }
  },
);

eachEngine(
  'a reporter revoked after its report was checked, before the report is stored: refused, nothing stored',
  async ({ open }) => {
    const { s1, s2, one, two } = await twoProcesses(open);
    try {
      const [target, reporter] = await agents(one.app, 2);
      const body = await signedReport(reporter!, target!.did, 'spam', one.clock.now());
      const before = await tableCounts(s1);
      // Process two has checked the reporter (active, signature valid); process one revokes it, answered, before
      // the report's transaction begins.
      let revoked = false;
      beforeNextTransaction(s2.db, async () => {
        const rv = await one.app.inject({
          method: 'POST',
          url: `/api/v1/agents/${reporter!.did}/revoke`,
          headers: admin,
          payload: { reason: 'sybil' },
        });
        assert.equal(rv.statusCode, 200, rv.body);
        revoked = true;
      });
      const res = await report(two.app, body);
      assert.ok(revoked, 'the revocation ran inside the report');
      assert.equal(res.statusCode, 403, res.body);
      assert.equal((res.json() as { code: string }).code, 'AGENT_REVOKED');
      const after = await tableCounts(s1);
      assert.equal(after.reports, before.reports, 'no report stored after the revocation was answered');
      assert.equal(after.reputation_penalties, before.reputation_penalties);
      assert.equal(await getGlobalScore(one.ctx, target!.id), 50);
    } finally {
      await one.app.close();
      await two.app.close();
    }
  },
);
