// `vouch token issue`, `vouch token revoke` and `vouch agent token` read the server's answer before printing it: one
// without the token (issue) or without `revoked: true` and the jti (revoke), a proxy's JSON or a broken server's, ends
// with exit 2 and one line. Before, revoke printed "revoked undefined" and exited 0, so that a leaked token read as
// revoked when nothing said it was; issue and agent token failed with a JavaScript TypeError, and with --json printed
// `{}` and exited 0, as if it held a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';

/** A stored identity `bot` (never registered: the test's server answers for it). */
async function home(dir: string): Promise<string> {
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, 'http://127.0.0.1:9');
  return vouchHome;
}

test('token issue, token revoke and agent token refuse an answer without what they print', async (t) => {
  const dir = await tempDir(t);
  const env = { HOME: dir, VOUCH_HOME: await home(dir), VOUCH_ADMIN_KEY: ADMIN };
  const issue = ['token', 'issue', 'my-agent'];
  const revoke = ['token', 'revoke', '--jti', 'j1'];
  const agentToken = ['agent', 'token', '--alias', 'bot'];
  const cases: ReadonlyArray<readonly [number, unknown, readonly string[], RegExp]> = [
    [201, {}, issue, /the server's 201 answer holds no token/],
    [201, null, issue, /the server's 201 answer holds no token/],
    [201, { token: '' }, issue, /the server's 201 answer holds no token/],
    [200, {}, revoke, /the server's 200 answer does not say the token is revoked/],
    [200, null, revoke, /the server's 200 answer does not say the token is revoked/],
    [200, { revoked: false, jti: 'j1' }, revoke, /the server's 200 answer does not say the token is revoked/],
    [200, { revoked: true }, revoke, /the server's 200 answer does not say the token is revoked/],
    [201, {}, agentToken, /the server's answer holds no token/],
    [201, { token: 7 }, agentToken, /the server's answer holds no token/],
  ];
  for (const [status, body, args, message] of cases) {
    const server = await serve(t, (res) => answerJson(res, status, body));
    for (const form of [[], ['--json']]) {
      const r = await runClean(env, ...args, ...form, '--server', server.url);
      const what = `${args.slice(0, 2).join(' ')} ${form.join(' ')} ${JSON.stringify(body)}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.match(r.err, message, what);
      assert.ok(!r.err.includes(ADMIN));
    }
  }
  // Well-formed answers still print.
  const good = await serve(t, (res, req) =>
    req.url === '/api/registry/revoke'
      ? answerJson(res, 200, { revoked: true, jti: 'j1' })
      : answerJson(res, 201, { token: 'e.y.J' }),
  );
  for (const [args, out] of [
    [issue, 'e.y.J\n'],
    [revoke, 'revoked j1\n'],
    [agentToken, 'e.y.J\n'],
  ] as const) {
    const r = await runClean(env, ...args, '--server', good.url);
    assert.deepEqual([r.code, r.out], [0, out], r.err);
  }
});

// Any non-empty string was printed as the token: a hostile server's "a.b.c\nTOKEN=x" gave `TOKEN=$(vouch agent token)`
// lines of its choosing. The token printed is now one compact JWT (three base64url parts joined by dots) or nothing.
test('token issue and agent token print only a compact JWT as the token', async (t) => {
  const dir = await tempDir(t);
  const env = { HOME: dir, VOUCH_HOME: await home(dir), VOUCH_ADMIN_KEY: ADMIN };
  const issue = ['token', 'issue', 'my-agent'];
  const agentToken = ['agent', 'token', '--alias', 'bot'];
  const bad = [
    'e.y.J\nTOKEN=chosen',
    'e.y.J\r\n',
    '\ne.y.J',
    'e.y.J ',
    'e.y',
    'e.y.J.K',
    'e..J',
    '.y.J',
    'e.y.J=',
    'e+y.J/z.s',
    '\u001b[2Je.y.J',
    'e.y.\u202EJ',
  ];
  for (const token of bad) {
    const server = await serve(t, (res) => answerJson(res, 201, { token }));
    for (const [args, message] of [
      [issue, /^vouch: the server's 201 answer holds no token \(one compact JWT\)\.\n$/],
      [agentToken, /^vouch: the server's answer holds no token \(one compact JWT\)\.\n$/],
    ] as const) {
      for (const form of [[], ['--json']]) {
        const r = await runClean(env, ...args, ...form, '--server', server.url);
        const what = `${args.slice(0, 2).join(' ')} ${form.join(' ')} ${JSON.stringify(token)}`;
        assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
        assert.equal(r.out, '', what);
        assert.match(r.err, message, what);
      }
    }
  }
  const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJib3QifQ.c2lnLW5hdHVyZV8tMA';
  const good = await serve(t, (res) => answerJson(res, 201, { token: jwt }));
  for (const args of [issue, agentToken]) {
    const r = await runClean(env, ...args, '--server', good.url);
    assert.deepEqual([r.code, r.out], [0, `${jwt}\n`], r.err);
  }
});
