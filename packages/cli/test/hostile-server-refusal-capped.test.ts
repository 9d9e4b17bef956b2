// A refusal's `code` and `error` (expectStatus, for token, keys, integrator and audit commands) were printed whole: an
// answer may be up to 16 MiB, all of it on stderr as one line. They are now cut as the SDK cuts them (the message at
// 500 characters; the code at 64, the longest code the SDK takes), and still pass through field(): no escape
// sequence, bidi control or line break of the server's reaches the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingServer as serve, run } from './helpers.ts';

const ADMIN = 'vouch_admin_refusal_capped_1234567890';

test('a refusal prints at most 64 characters of code and 500 of message, escaped', async (t) => {
  const code = `${'C'.repeat(63)}\u001b${'D'.repeat(100_000)}`;
  const error = `\u001b[2J\u202Eno\nte\u2066${'y'.repeat(2_000_000)}`;
  const server = await serve(t, (res) =>
    res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code, error })),
  );
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    // The message's first 500: 11 characters (4 replaced) and 489 y.
    const message = `\uFFFD[2J\uFFFDno\uFFFDte\uFFFD${'y'.repeat(489)}`;
    const want = `vouch: the server refused: ${'C'.repeat(63)}\uFFFD: ${message}\n`;
    for (const args of [
      ['token', 'revoke', '--jti', 'abc'],
      ['integrator', 'list'],
      ['keys', 'list'],
    ]) {
      const r = await run(...args, '--server', server.url);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err.slice(0, 200)}`);
      assert.equal(r.out, '');
      assert.equal(r.err.length, want.length, `${args.join(' ')}: ${r.err.length} characters`);
      assert.equal(r.err, want);
    }
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});
