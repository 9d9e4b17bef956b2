// `report_locks` holds a row per reported target and per anonymous reporter's address, taken by each report's
// transaction to serialize the 24-hour rules; nothing reads what it holds. It was never pruned, so it grew by a row
// for every target and address ever reported. The signatures module's housekeeping now deletes the rows no report
// took for a day (REPORT_LOCK_KEPT_MS), and a later report takes its row again.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { pruneReportLocks, REPORT_LOCK_KEPT_MS } from '../../src/modules/signatures/reports.ts';
import { SIG_ENV } from '../signatures/helpers.ts';
import { agents, expectCreated, HOUR, report } from './helpers.ts';

async function lockKeys(storage: Storage): Promise<string[]> {
  const { rows } = await sql<{ key: string }>`select key from report_locks order by key`.execute(storage.db);
  return rows.map((r) => r.key.replace(/:.*/, ''));
}

eachEngine('report lock rows are pruned a day after a report last took them', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const [x, y] = await agents(app, 2);
    await expectCreated(await report(app, { did: x!.did, reason: 'spam' }, '203.0.113.1'));
    assert.deepEqual(await lockKeys(storage), ['address', 'target']);

    clock.advance(12 * HOUR);
    await expectCreated(await report(app, { did: y!.did, reason: 'spam' }, '203.0.113.2'));
    assert.equal((await lockKeys(storage)).length, 4);

    // A day after the first report, to the millisecond: still kept.
    clock.advance(REPORT_LOCK_KEPT_MS - 12 * HOUR);
    assert.equal(await pruneReportLocks(ctx), 0);
    assert.equal((await lockKeys(storage)).length, 4);

    // One millisecond later the first report's two rows go; the second report's stay.
    clock.advance(1);
    assert.equal(await pruneReportLocks(ctx), 2);
    assert.deepEqual(await lockKeys(storage), ['address', 'target']);

    // A report against the first target from the first address takes its rows again, and its rules still hold:
    // the second one within the day is a duplicate.
    await expectCreated(await report(app, { did: x!.did, reason: 'spam' }, '203.0.113.1'));
    assert.equal((await lockKeys(storage)).length, 4);
    const again = await report(app, { did: x!.did, reason: 'malicious' }, '203.0.113.1');
    assert.equal(again.statusCode, 200, again.body);
    assert.equal((again.json() as { duplicate: boolean }).duplicate, true);

    // A row a report renewed is kept a day from its renewal: the second target's rows go, the renewed ones stay.
    clock.advance(12 * HOUR);
    assert.equal(await pruneReportLocks(ctx), 2);
    assert.equal((await lockKeys(storage)).length, 2);
  } finally {
    await app.close();
  }
});
