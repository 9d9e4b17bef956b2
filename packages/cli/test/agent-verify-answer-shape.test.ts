// `vouch agent verify` gives its verdict (exit 0 valid, 1 not) from the server's signature record only when the
// record is one: `valid` a boolean, `agent` with a string did and status, `signedAt` a number and `payloadHash` a
// string. Anything else (a proxy's JSON, a broken server) is no verdict: exit 2 with one line. Before, `"valid":
// "false"`, a truthy string, printed "valid signature by ..." and exited 0, and a record without `agent` failed with a
// JavaScript TypeError. (`vouch token verify` holds its verify answers to the same rule.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer as serve, runClean, tempDir, sdkRefusedAnswer } from './helpers.ts';

const HASH = 'a'.repeat(64);
const RECORD = {
  valid: true,
  signatureHash: HASH,
  signedAt: 1_767_225_600_000,
  payloadHash: 'b'.repeat(64),
  agent: { did: 'did:identity:bot', status: 'active' },
  owner: null,
  verification: {},
};

test('agent verify gives no verdict from an answer that is not a signature record (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const bodies: unknown[] = [
    { ...RECORD, valid: 'false' },
    { ...RECORD, valid: 1 },
    { ...RECORD, agent: undefined },
    { ...RECORD, agent: { did: 'did:identity:bot' } },
    { ...RECORD, signedAt: 'yesterday' },
    // A number, but no time (beyond a Date's range, or not whole milliseconds): once "Invalid time value".
    { ...RECORD, signedAt: 1e17 },
    { ...RECORD, signedAt: 8.64e15 + 1 },
    { ...RECORD, signedAt: -8.64e15 - 1 },
    { ...RECORD, signedAt: 1.5 },
    {},
    null,
  ];
  for (const body of bodies) {
    const server = await serve(t, (res) => answerJson(res, 200, body));
    for (const form of [[], ['--json']]) {
      const r = await runClean(
        { HOME: dir, VOUCH_HOME: dir },
        'agent',
        'verify',
        HASH,
        '--server',
        server.url,
        ...form,
      );
      const what = `${form.join(' ')} ${JSON.stringify(body)}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      // JSON that is not an object is the SDK's RESPONSE_INVALID; an object of the wrong shape is the CLI's check.
      const said = body === null ? sdkRefusedAnswer('/api/v1/signatures/verify') : /is not a signature record/;
      assert.match(r.err, said, what);
    }
  }
  // A record gives its verdict.
  for (const [valid, code] of [
    [true, 0],
    [false, 1],
  ] as const) {
    const server = await serve(t, (res) => answerJson(res, 200, { ...RECORD, valid }));
    const r = await runClean({ HOME: dir, VOUCH_HOME: dir }, 'agent', 'verify', HASH, '--server', server.url);
    assert.equal(r.code, code, r.err);
    assert.match(r.out, valid ? /^valid signature by did:identity:bot/ : /^NOT valid signature/);
  }
});
