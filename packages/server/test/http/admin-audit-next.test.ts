// GET /api/v1/admin/audit pages as GET /api/v1/owners/me and GET /api/registry/agents do: it reads one row more than
// `limit`, so `next` (the id to pass as `before`) is null exactly on the last page. Without it a client could not
// tell a full last page from one another page follows, and asked once more for an empty page.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';
import { createOwner } from '../tokens/helpers.ts';

const ADMIN = { 'x-api-key': TEST_ADMIN_KEY };

interface Page {
  entries: Array<{ id: number; action: string; details: { handle?: string } | null }>;
  next: number | null;
}

eachEngine('admin/audit: next is null on a full last page and leads to the following page', async ({ open }) => {
  const t = await makeApp(await open());
  try {
    const page = async (query: string): Promise<Page> => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/audit?${query}`, headers: ADMIN });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Page;
    };
    for (const handle of ['one', 'two', 'three', 'four']) await createOwner(t, handle);

    // The whole log (start-up entries and the four owners) in one page: the last, so no next.
    const whole = await page('limit=500');
    assert.deepEqual(Object.keys(whole), ['entries', 'next']);
    assert.equal(whole.next, null);
    const ids = whole.entries.map((e) => e.id);
    assert.ok(ids.length >= 5, ids.join(','));

    // Exactly `limit` entries: one full page that says it is the last.
    const exact = await page(`limit=${ids.length}`);
    assert.deepEqual(
      exact.entries.map((e) => e.id),
      ids,
    );
    assert.equal(exact.next, null);

    // One entry more than `limit`: next is the page's last id, and `before` it gives the last entry, then nothing.
    const first = await page(`limit=${ids.length - 1}`);
    assert.deepEqual(
      first.entries.map((e) => e.id),
      ids.slice(0, -1),
    );
    assert.equal(first.next, ids.at(-2));
    const rest = await page(`limit=${ids.length - 1}&before=${first.next}`);
    assert.deepEqual(
      rest.entries.map((e) => e.id),
      ids.slice(-1),
    );
    assert.equal(rest.next, null);

    // With the action filter: the four owners two at a time end on a full page with no next.
    const handles = (p: Page) => p.entries.map((e) => e.details?.handle);
    const newer = await page('action=owner.create&limit=2');
    assert.deepEqual(handles(newer), ['four', 'three']);
    assert.equal(newer.next, newer.entries.at(-1)!.id);
    const older = await page(`action=owner.create&limit=2&before=${newer.next}`);
    assert.deepEqual(handles(older), ['two', 'one']);
    assert.equal(older.next, null, 'a full last page');
    // Three at a time: a full page that another follows (entries of other actions below it are not counted).
    const three = await page('action=owner.create&limit=3');
    assert.deepEqual(handles(three), ['four', 'three', 'two']);
    assert.equal(three.next, three.entries.at(-1)!.id);
    const last = await page(`action=owner.create&limit=3&before=${three.next}`);
    assert.deepEqual(handles(last), ['one']);
    assert.equal(last.next, null);
    assert.deepEqual(await page('action=no.such.action'), { entries: [], next: null });
  } finally {
    await t.app.close();
  }
});
