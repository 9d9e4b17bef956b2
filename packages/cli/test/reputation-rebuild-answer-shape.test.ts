// `vouch reputation rebuild` reads the server's answer before acting on it: one not in the route's shape (a proxy's
// JSON, a broken server) ends with exit 2 and one line saying so. Before, `{}` printed "undefined events, undefined
// penalties, undefined agents" and exited 0, and with --dry-run exited 1, "the stored scores differ", a verdict the
// answer never gave; `null` failed with a JavaScript TypeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer as serve, run } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';

const GOOD = { events: 3, penalties: 1, agents: 2, consistent: false, written: false };

test('reputation rebuild refuses an answer that is not a rebuild report (exit 2, not 0 or 1)', async (t) => {
  const bodies: unknown[] = [{}, null, [], { ...GOOD, consistent: 'false' }, { ...GOOD, events: '3' }];
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    for (const body of bodies) {
      const server = await serve(t, (res) => answerJson(res, 200, body));
      for (const form of [[], ['--dry-run'], ['--json'], ['--dry-run', '--json']]) {
        const r = await run('reputation', 'rebuild', ...form, '--server', server.url);
        const what = `${form.join(' ')} ${JSON.stringify(body)}`;
        assert.equal(r.code, 2, `${what}: ${r.err}`);
        assert.equal(r.out, '', what);
        assert.match(r.err, /the server's 200 answer is not a reputation rebuild report/, what);
        assert.ok(!r.err.includes(ADMIN));
      }
    }
    // A well-formed answer still gives its verdict: differing scores with --dry-run exit 1.
    const good = await serve(t, (res) => answerJson(res, 200, GOOD));
    const dry = await run('reputation', 'rebuild', '--dry-run', '--server', good.url);
    assert.equal(dry.code, 1, dry.err);
    assert.equal(dry.out, '3 events, 1 penalties, 2 agents: the stored scores differ.\n');
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});
