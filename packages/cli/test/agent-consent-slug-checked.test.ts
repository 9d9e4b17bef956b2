// `vouch agent consent SLUG` signs a consent statement naming SLUG: one that is no integrator slug (upper case, a
// path, punctuation, not the server's 3-40 characters) is refused, exit 2, before anything is signed or sent. The
// check was held by no test: without it such a consent was signed and recorded as a signature before the server
// refused it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTEGRATOR_SLUG_PATTERN } from '../../server/src/modules/integrators/service.ts';
import { INTEGRATOR_SLUG } from '../src/commands/agent/consent.ts';
import { recordingServer, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test("agent consent's slug rule is the server's", () => {
  assert.equal(INTEGRATOR_SLUG.source, INTEGRATOR_SLUG_PATTERN);
  assert.equal(INTEGRATOR_SLUG.flags, '');
});

test('agent consent refuses what is not an integrator slug, signing and sending nothing', async (t) => {
  const home = await tempDir(t);
  const server = await recordingServer(t, (res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ signatureHash: 'a'.repeat(64) })),
  );
  await writeStoredIdentity(home, server.url);
  const env = { VOUCH_HOME: home, VOUCH_AGENT: 'bot' };
  // The server's INTEGRATOR_SLUG_PATTERN: 3-40 characters, a letter first, no '-' last. The CLI once took '9shop',
  // 'ab', 'shop-' and 41 to 64 characters, and recorded the consent's signature before the server refused the consent.
  const notTheServers = ['9shop', 'ab', 'shop-', 'a'.repeat(41), 'a'.repeat(64)];
  for (const slug of ['Acme', 'a/b', '..', 'acme!', 'acme_shop', 'a'.repeat(65), '', ...notTheServers]) {
    const r = await runClean(env, 'agent', 'consent', slug, 'allow');
    assert.equal(r.code, 2, `${slug}: ${r.err}`);
    assert.equal(r.out, '');
    assert.equal(r.err, `vouch: "${slug}" is not an integrator slug.\n`);
    assert.equal(server.seen.length, 0, `${slug}: nothing signed or sent`);
  }
});
