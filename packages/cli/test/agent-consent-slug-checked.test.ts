// `vouch agent consent SLUG` signs a consent statement naming SLUG: one that is no integrator slug (upper case, a
// path, punctuation, over 64 characters) is refused, exit 2, before anything is signed or sent. The check was held
// by no test: without it such a consent was signed and recorded as a signature before the server refused it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingServer, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('agent consent refuses what is not an integrator slug, signing and sending nothing', async (t) => {
  const home = await tempDir(t);
  const server = await recordingServer(t, (res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ signatureHash: 'a'.repeat(64) })),
  );
  await writeStoredIdentity(home, server.url);
  const env = { VOUCH_HOME: home, VOUCH_AGENT: 'bot' };
  for (const slug of ['Acme', 'a/b', '..', 'acme!', 'acme_shop', 'a'.repeat(65), '']) {
    const r = await runClean(env, 'agent', 'consent', slug, 'allow');
    assert.equal(r.code, 2, `${slug}: ${r.err}`);
    assert.equal(r.out, '');
    assert.equal(r.err, `vouch: "${slug}" is not an integrator slug.\n`);
    assert.equal(server.seen.length, 0, `${slug}: nothing signed or sent`);
  }
});
