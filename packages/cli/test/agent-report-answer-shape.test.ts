// `vouch agent report` says "reported" only when the server's answer is a report (a reportId; `duplicate`, when
// given, a boolean). Before, a proxy's or broken server's {} (or a text/html page) printed "reported did:... for
// spam" and exited 0 though nothing said a report was recorded; null failed with a JavaScript TypeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { recordingServer as serve, runClean, tempDir } from './helpers.ts';

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
      assert.match(r.err, /the server's answer is not a report/, what);
    }
  }
  const good = await serve(t, (res) =>
    answer(res, 'application/json', JSON.stringify({ reportId: 'r1', did: DID, reason: 'spam', duplicate: false })),
  );
  const r = await runClean(env, 'agent', 'report', DID, '--reason', 'spam', '--anonymous', '--server', good.url);
  assert.deepEqual([r.code, r.out], [0, `reported ${DID} for spam (anonymous)\n`], r.err);
});
