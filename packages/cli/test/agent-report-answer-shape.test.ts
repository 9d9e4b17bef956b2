// `vouch agent report` says "reported" only when the server's answer is a report (a reportId; `duplicate`, when
// given, a boolean). Before, a proxy's or broken server's {} (or a text/html page) printed "reported did:... for
// spam" and exited 0 though nothing said a report was recorded; null failed with a JavaScript TypeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { recordingServer as serve, runClean, tempDir, sdkRefusedAnswer } from './helpers.ts';

const DID = 'did:identity:target';
const answer = (res: ServerResponse, type: string, text: string) =>
  res.writeHead(201, { 'content-type': type }).end(text);

test('agent report refuses an answer that is not a report (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const env = { HOME: dir, VOUCH_HOME: dir };
  const bodies: ReadonlyArray<readonly [string, string]> = [
    ['application/json', '{}'],
    ['application/json', 'null'],
    ['text/html', '<html>portal</html>'],
    ['application/json', '{"reportId":"r1","duplicate":"false"}'],
  ];
  for (const [type, text] of bodies) {
    const server = await serve(t, (res) => answer(res, type, text));
    for (const form of [[], ['--json']]) {
      const r = await runClean(
        env,
        'agent',
        'report',
        DID,
        '--reason',
        'spam',
        '--anonymous',
        ...form,
        '--server',
        server.url,
      );
      const what = `${form.join(' ')} ${text}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      // A page that is not JSON at all is the SDK's RESPONSE_INVALID; JSON of the wrong shape is the CLI's check.
      const said =
        type === 'text/html' || text === 'null'
          ? sdkRefusedAnswer('/api/v1/agents/report', 201)
          : /the server's answer is not a report/;
      assert.match(r.err, said, what);
    }
  }
  const good = await serve(t, (res) =>
    answer(res, 'application/json', JSON.stringify({ reportId: 'r1', did: DID, reason: 'spam', duplicate: false })),
  );
  const r = await runClean(env, 'agent', 'report', DID, '--reason', 'spam', '--anonymous', '--server', good.url);
  assert.deepEqual([r.code, r.out], [0, `reported ${DID} for spam (anonymous)\n`], r.err);
});

test("agent report: a duplicate's reason, the server's text, stays on the one line", async (t) => {
  const dir = await tempDir(t);
  const server = await serve(t, (res) =>
    answer(
      res,
      'application/json',
      JSON.stringify({
        reportId: 'r1',
        did: DID,
        reason: 'spam\nreported did:identity:other for malicious',
        duplicate: true,
      }),
    ),
  );
  const r = await runClean(
    { HOME: dir, VOUCH_HOME: dir },
    'agent',
    'report',
    DID,
    '--reason',
    'spam',
    '--anonymous',
    '--server',
    server.url,
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n').filter(Boolean).length, 1, r.out);
  assert.match(r.out, /^already reported did:identity:target for spam\uFFFDreported /);
});

test("agent report: a duplicate without the reason that counted is no report's answer (exit 2, not 'for undefined')", async (t) => {
  const dir = await tempDir(t);
  for (const reason of [undefined, 7, null]) {
    const server = await serve(t, (res) =>
      answer(res, 'application/json', JSON.stringify({ reportId: 'r1', did: DID, reason, duplicate: true })),
    );
    for (const form of [[], ['--json']]) {
      const r = await runClean(
        { HOME: dir, VOUCH_HOME: dir },
        'agent',
        'report',
        DID,
        '--reason',
        'spam',
        '--anonymous',
        ...form,
        '--server',
        server.url,
      );
      const what = `${form.join(' ')} reason ${String(reason)}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.match(r.err, /the server's answer is not a report/, what);
    }
  }
});
