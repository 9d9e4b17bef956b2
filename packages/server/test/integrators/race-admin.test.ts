// Integrator administration from two processes at once: registering one slug twice creates one integrator (the
// other answer is 409 INTEGRATOR_EXISTS, its key never works), and two metric changes made from the same version
// publish one new version (the other is 409 CONFLICT, or changed:false when it asked for the same metrics), never a
// 500. On PostgreSQL the metric changes are forced to
// overlap: a third session holds the integrator's row until both have read the current version and wait behind it.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { blockedBehind } from '../helpers/interleave.ts';
import { ADMIN, ingest, post } from './helpers.ts';
import type { Storage } from '../../src/storage/index.ts';

const ENV = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_POW_DIFFICULTY: '0', VOUCH_LOG_LEVEL: 'silent' };
const metric = (metricKey: string) => ({ metricKey, polarity: 'boost', weight: 1, lane: 'conduct' });

async function twoProcesses(open: () => Promise<Storage>) {
  const s1 = await open();
  const s2 = await open();
  const control = await open();
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
  return { s1, control, a, b };
}

eachEngine('one slug registered on two processes at once: one integrator, one working key', async ({ open }) => {
  const { s1, a, b } = await twoProcesses(open);
  try {
    const body = (name: string) => ({ slug: 'shop', name, domain: 'shop.example', metrics: [metric('sale')] });
    const results = await Promise.all([
      post(a, '/api/v1/admin/integrators', body('A'), ADMIN),
      post(b, '/api/v1/admin/integrators', body('B'), ADMIN),
    ]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409], results.map((r) => r.body).join('\n'));
    const loser = results.find((r) => r.statusCode === 409)!;
    assert.equal((loser.json() as { code: string }).code, 'INTEGRATOR_EXISTS');
    const winner = results.find((r) => r.statusCode === 201)!.json() as { apiKey: string };
    const { rows } = await sql<{
      n: number | string;
    }>`select count(*) as n from integrator_environment_versions`.execute(s1.db);
    assert.equal(Number(rows[0]!.n), 1, 'one published version');
    // Only the winner's key authenticates (an empty batch is refused after authentication: 400, not 401).
    assert.equal((await ingest(b, winner.apiKey, [])).status, 400);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine(
  'two metric changes from one version on two processes: one new version, no 500',
  async ({ open, engine }) => {
    const { s1, control, a, b } = await twoProcesses(open);
    try {
      const created = await post(
        a,
        '/api/v1/admin/integrators',
        { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics: [metric('sale')] },
        ADMIN,
      );
      assert.equal(created.statusCode, 201, created.body);
      const change = (t: typeof a, key: string) =>
        t.app.inject({
          method: 'PUT',
          url: '/api/v1/admin/integrators/shop/metrics',
          headers: ADMIN,
          payload: { metrics: [metric(key)] },
        });
      let results: Awaited<ReturnType<typeof change>>[];
      if (engine !== 'postgres') {
        results = await Promise.all([change(a, 'refund'), change(b, 'review')]);
      } else {
        results = await control.db.connection().execute(async (conn) => {
          await sql`begin`.execute(conn);
          const holder = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
          await sql`select slug from integrators where slug = 'shop' for update`.execute(conn);
          const pending = [change(a, 'refund'), change(b, 'review')];
          await blockedBehind(control.db, holder, 2);
          await sql`commit`.execute(conn);
          return Promise.all(pending);
        });
      }
      for (const r of results) assert.ok(r.statusCode < 500, `${r.statusCode} ${r.body}`);
      const ok = results.filter((r) => r.statusCode === 200).map((r) => r.json() as { environmentVersion: number });
      const conflicts = results.filter((r) => r.statusCode === 409);
      for (const r of conflicts) assert.equal((r.json() as { code: string }).code, 'CONFLICT');
      if (engine === 'postgres') {
        assert.equal(conflicts.length, 1, 'both read version 1: one of them publishes');
        assert.deepEqual(
          ok.map((r) => r.environmentVersion),
          [2],
        );
      }
      // The published versions are contiguous and the current one is the last, with its own metrics.
      const versions = await s1.db
        .selectFrom('integrator_environment_versions')
        .select('version')
        .where('integrator_slug', '=', 'shop')
        .orderBy('version')
        .execute();
      const current = Math.max(...ok.map((r) => r.environmentVersion));
      assert.deepEqual(
        versions.map((v) => Number(v.version)),
        Array.from({ length: current }, (_, i) => i + 1),
      );
      const row = await s1.db
        .selectFrom('integrators')
        .select('current_version')
        .where('slug', '=', 'shop')
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.current_version), current);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);

eachEngine(
  'the same metric change sent to two processes at once: one new version, the other answer changed:false',
  async ({ open, engine }) => {
    const { control, a, b } = await twoProcesses(open);
    try {
      const created = await post(
        a,
        '/api/v1/admin/integrators',
        { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics: [metric('sale')] },
        ADMIN,
      );
      assert.equal(created.statusCode, 201, created.body);
      // A client that retried a PUT its first attempt already delivered, on another process behind the balancer.
      const change = (t: typeof a) =>
        t.app.inject({
          method: 'PUT',
          url: '/api/v1/admin/integrators/shop/metrics',
          headers: ADMIN,
          payload: { metrics: [metric('refund')] },
        });
      let results: Awaited<ReturnType<typeof change>>[];
      if (engine !== 'postgres') {
        results = await Promise.all([change(a), change(b)]);
      } else {
        results = await control.db.connection().execute(async (conn) => {
          await sql`begin`.execute(conn);
          const holder = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
          await sql`select slug from integrators where slug = 'shop' for update`.execute(conn);
          const pending = [change(a), change(b)];
          await blockedBehind(control.db, holder, 2);
          await sql`commit`.execute(conn);
          return Promise.all(pending);
        });
      }
      assert.deepEqual(
        results.map((r) => r.statusCode),
        [200, 200],
        results.map((r) => r.body).join('\n'),
      );
      const answers = results.map((r) => r.json() as { environmentVersion: number; changed: boolean });
      assert.deepEqual(answers.map((r) => r.environmentVersion).sort(), [2, 2]);
      assert.deepEqual(answers.map((r) => r.changed).sort(), [false, true]);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
