// Review: /readyz answered 503 NOT_READY with no word in the log, so an operator whose load balancer took an instance
// out of service could not see why. It now logs the database's reason once when readiness is lost (a probe every
// second would otherwise fill the log) and once when it comes back; the public answer still names no cause.
import assert from 'node:assert/strict';
import type { Storage } from '../../src/storage/index.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

interface Line {
  level: number;
  msg?: string;
  reason?: unknown;
}

eachEngine(
  'readyz logs the reason once when the database stops answering, and once when it is back',
  async ({ open }) => {
    const storage = await open();
    // The real storage, whose ping fails while `down` is set, as a database that stopped answering would.
    let down = false;
    const flaky: Storage = Object.create(storage, {
      ping: {
        value: async () => {
          if (down)
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1\nsecond line'), { code: 'ECONNREFUSED' });
          await storage.ping();
        },
      },
    }) as Storage;
    const t = await makeApp(flaky);
    const health = () =>
      t.logs.lines.map((l) => JSON.parse(l) as Line).filter((l) => l.msg !== undefined && /ready/.test(l.msg));
    try {
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      assert.deepEqual(health(), [], 'a ready instance logs nothing');

      down = true;
      for (let i = 0; i < 3; i++) {
        const res = await t.app.inject({ method: 'GET', url: '/readyz' });
        assert.equal(res.statusCode, 503);
        assert.doesNotMatch(res.body, /ECONNREFUSED/, 'the public answer names no cause');
      }
      const lost = health();
      assert.equal(lost.length, 1, JSON.stringify(lost));
      assert.equal(lost[0]!.level, 40);
      assert.equal(lost[0]!.reason, 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');

      down = false;
      for (let i = 0; i < 2; i++) assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      const all = health();
      assert.equal(all.length, 2, JSON.stringify(all));
      assert.equal(all[1]!.level, 30);
      assert.match(all[1]!.msg!, /ready again/);
    } finally {
      await t.app.close();
      await storage.close();
    }
  },
);
