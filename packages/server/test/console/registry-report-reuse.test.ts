// Mutation gap in the console's registry view (modules/console/registry-view.ts): the verification report of the
// document in force is reused for a minute, then computed again, and computed again at once when the clock is set
// back before the time it was made. Nothing held either: a report kept for good would show "valid" for a document
// past its `expiresAt`, and one kept from the clock's future would claim a check not yet made.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { injectCall, seedConsole } from './seed.ts';

const ENV = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };
/** registry-view.ts REPORT_TTL_MS. */
const REPORT_TTL_MS = 60_000;

/** The time the registry page says the document was verified at. */
function checkedAt(res: LightMyRequestResponse): string {
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  const at = /checked ([^<]*?) against the pinned root key/.exec(res.body)?.[1];
  assert.ok(at !== undefined, res.body.slice(0, 300));
  return at;
}

const shown = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');

eachEngine(
  'registry page: the verification report is reused for a minute, made again after it or when the clock goes back',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: ENV });
    try {
      await seedConsole(injectCall(t.app), t.clock.now());
      const page = async (): Promise<string> =>
        checkedAt(await t.app.inject({ method: 'GET', url: '/registry', headers: { accept: 'text/html' } }));
      const first = t.clock.now();
      assert.equal(await page(), shown(first));
      t.clock.advance(REPORT_TTL_MS - 1);
      assert.equal(await page(), shown(first), 'the report made 59.999 s ago');
      t.clock.advance(1);
      const second = t.clock.now();
      assert.equal(await page(), shown(second), 'made again once a minute old');
      // A clock set back does not keep a report from its future.
      t.clock.advance(-30_000);
      assert.equal(await page(), shown(t.clock.now()), 'made again when the clock is set back');
    } finally {
      await t.app.close();
    }
  },
);
