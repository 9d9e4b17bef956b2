// `vouch agent report --anonymous` sends no signature, but goes to the server its help names, as a signed report
// does: --server, else the identity's server (the one that would act: $VOUCH_AGENT, else the default), else
// $VOUCH_SERVER, else the default URL. Before, it skipped the identity's server: an agent registered with
// https://vouch.example reported anonymously to $VOUCH_SERVER or to http://127.0.0.1:4100 instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { answerJson, recordingServer, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

const DID = 'did:identity:target';
const REPORT = { reportId: 'r1', did: DID, reason: 'spam', duplicate: false };

test("agent report --anonymous goes to the identity's server, as its help says", async (t) => {
  const dir = await tempDir(t);
  const identityServer = await recordingServer(t, (res) => answerJson(res, 201, REPORT));
  const envServer = await recordingServer(t, (res) => answerJson(res, 201, REPORT));
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, identityServer.url);
  const report = ['agent', 'report', DID, '--reason', 'spam', '--anonymous'];
  const env = { HOME: dir, VOUCH_HOME: vouchHome, VOUCH_SERVER: envServer.url };

  const r = await runClean({ ...env, VOUCH_AGENT: 'bot' }, ...report);
  assert.deepEqual([r.code, r.out], [0, `reported ${DID} for spam (anonymous)\n`], r.err);
  assert.deepEqual(
    identityServer.seen.map((s) => s.url),
    ['/api/v1/agents/report'],
  );
  assert.equal(envServer.seen.length, 0, 'not to $VOUCH_SERVER');
  // Anonymous: the report carries no reporter and no signature.
  const body = JSON.parse(identityServer.seen[0]!.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['did', 'reason']);

  // With no identity (none needed), $VOUCH_SERVER, as before.
  const none = await runClean(env, ...report);
  assert.equal(none.code, 0, none.err);
  assert.equal(envServer.seen.length, 1);
  // --server wins over both.
  const given = await runClean({ ...env, VOUCH_AGENT: 'bot' }, ...report, '--server', envServer.url);
  assert.equal(given.code, 0, given.err);
  assert.deepEqual([identityServer.seen.length, envServer.seen.length], [1, 2]);
});
