// Gaps found by mutation testing in the admin audit API (GET /api/v1/admin/audit): `before` pages back through the
// log, so no entry is out of an auditor's reach behind the first page, and `action` filters. An API that ignored
// `before` answered the newest page again and again.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';

const ADMIN = { 'x-api-key': TEST_ADMIN_KEY };

eachEngine('the audit API pages back with `before` to the oldest entry', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    for (const handle of ['one', 'two', 'three', 'four', 'five']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/owners',
        headers: ADMIN,
        payload: { name: handle, handle },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const page = async (query: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/audit?${query}`, headers: ADMIN });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { entries: Array<{ id: number; action: string; details: { handle?: string } | null }> })
        .entries;
    };
    const all = await page('action=owner.create');
    assert.deepEqual(
      all.map((e) => e.details?.handle),
      ['five', 'four', 'three', 'two', 'one'],
    );
    const seen: string[] = [];
    let before: number | undefined;
    for (let i = 0; i < 5; i++) {
      const entries = await page(`action=owner.create&limit=2${before === undefined ? '' : `&before=${before}`}`);
      if (entries.length === 0) break;
      seen.push(...entries.map((e) => e.details!.handle!));
      before = entries.at(-1)!.id;
    }
    assert.deepEqual(seen, ['five', 'four', 'three', 'two', 'one'], 'every entry reached once, newest first');
  } finally {
    await t.app.close();
  }
});
