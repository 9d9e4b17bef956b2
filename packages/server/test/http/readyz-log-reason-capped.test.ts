// Mutation gap in /readyz's log line (modules/health/routes.ts `reasonOf`): the database's reason is logged as its code
// and first line, capped at 300 characters, never a whole payload. The cap had no test: without it, a driver error
// whose first line carries a long payload (a query's text, a server's notice) went into the log whole.
import assert from 'node:assert/strict';
import type { Storage } from '../../src/storage/index.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

eachEngine("readyz logs a database error's reason cut to 300 characters", async ({ open }) => {
  const storage = await open();
  const failing: Storage = Object.create(storage, {
    ping: {
      value: async () => {
        throw Object.assign(new Error(`${'x'.repeat(5000)}\nsecond line`), { code: 'EPAYLOAD' });
      },
    },
  }) as Storage;
  const t = await makeApp(failing);
  try {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503, res.body);
    const lines = t.logs.lines
      .map((l) => JSON.parse(l) as { msg?: string; reason?: unknown })
      .filter((l) => l.msg !== undefined && /not ready/.test(l.msg));
    assert.equal(lines.length, 1, JSON.stringify(lines).slice(0, 300));
    assert.equal(lines[0]!.reason, `EPAYLOAD: ${'x'.repeat(300 - 'EPAYLOAD: '.length)}`);
  } finally {
    await t.app.close();
    await storage.close();
  }
});
