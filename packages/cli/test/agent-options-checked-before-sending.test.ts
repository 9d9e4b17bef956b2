// `vouch agent sign` and `vouch agent report` check their options before anything is sent: a note over 160
// characters, details over 1000, --anonymous with --alias (which identity would it be?) and a reported agent that is
// not named by a DID are exit 2 with the CLI's own line. The server refuses most of them too, so a test that only
// asked for exit 2 held none of these checks: here the server would accept anything, and must never be asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordingServer, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('agent sign and report refuse bad options before sending anything (exit 2)', async (t) => {
  const home = await tempDir(t);
  const server = await recordingServer(t, (res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"reportId":"r1","signatureHash":"x"}'),
  );
  await writeStoredIdentity(home, server.url);
  const content = join(home, 'content.txt');
  await writeFile(content, 'hello');
  const env = { VOUCH_HOME: home, VOUCH_AGENT: 'bot' };
  const cases: ReadonlyArray<readonly [string[], RegExp]> = [
    [['sign', content, '--note', 'x'.repeat(161)], /^vouch: --note must be at most 160 characters\.$/],
    // Characters, not UTF-16 units: 160 emoji are a note the server takes (checked below), 161 are not.
    [['sign', content, '--note', '😀'.repeat(161)], /^vouch: --note must be at most 160 characters\.$/],
    [
      ['report', 'did:identity:x', '--reason', 'spam', '--details', 'x'.repeat(1001)],
      /^vouch: --details must be at most 1000 characters\.$/,
    ],
    [
      ['report', 'did:identity:x', '--reason', 'spam', '--details', '😀'.repeat(1001)],
      /^vouch: --details must be at most 1000 characters\.$/,
    ],
    [
      ['report', 'did:identity:x', '--reason', 'spam', '--anonymous', '--alias', 'bot'],
      /^vouch: --anonymous and --alias exclude each other\.$/,
    ],
    [['report', 'identity:x', '--reason', 'spam', '--anonymous'], /^vouch: "identity:x" is not a DID\.$/],
    [['report', 'bot', '--reason', 'spam'], /^vouch: "bot" is not a DID\.$/],
  ];
  for (const [args, said] of cases) {
    const r = await runClean(env, 'agent', ...args, '--server', server.url);
    const what = args.map((a) => a.slice(0, 20)).join(' ');
    assert.equal(r.code, 2, `${what}: ${r.err}`);
    assert.equal(r.out, '', what);
    assert.match(r.err.trimEnd(), said, what);
    assert.equal(server.seen.length, 0, `${what}: nothing sent`);
  }

  // At the limits the commands go on to the server.
  const atLimit = await runClean(env, 'agent', 'sign', content, '--note', '😀'.repeat(160), '--server', server.url);
  assert.equal(server.seen.length, 1, atLimit.err);
  const details = ['did:identity:x', '--reason', 'spam', '--details', 'x'.repeat(1000), '--anonymous'];
  const reported = await runClean(env, 'agent', 'report', ...details, '--server', server.url);
  assert.equal(reported.code, 0, reported.err);
  assert.equal(server.seen.length, 2);
  // Characters here too, as the server's maxLength counts them: 1000 emoji are 2000 UTF-16 units.
  details[4] = '😀'.repeat(1000);
  const astral = await runClean(env, 'agent', 'report', ...details, '--server', server.url);
  assert.equal(astral.code, 0, astral.err);
  assert.equal(server.seen.length, 3);
});
