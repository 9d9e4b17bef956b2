// A redirect the CLI refuses names where it led, as the server's Location said, cut at 200 characters (a header may
// run to kilobytes, all of it on one stderr line), or says there was none. Neither was held by a test: only a short
// Location was, so the cut or the "without a Location" could go and every test still passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingServer, runClean } from './helpers.ts';

test('a refused redirect shows its Location cut at 200 characters, or says it had none', async (t) => {
  const far = `http://127.0.0.1:9/${'a'.repeat(4000)}`;
  const long = await recordingServer(t, (res) => res.writeHead(302, { location: far }).end());
  const env = { VOUCH_ADMIN_KEY: 'vouch_admin_LOCATION_TEST_0123456789' };
  const cut = await runClean(env, 'keys', 'list', '--server', long.url);
  assert.equal(cut.code, 2, cut.err);
  assert.equal(cut.out, '');
  assert.equal(
    cut.err,
    `vouch: ${long.url}/api/v1/admin/keys answered 302, a redirect to ${far.slice(0, 200)}… that is not followed.\n`,
  );

  const bare = await recordingServer(t, (res) => res.writeHead(303).end());
  const none = await runClean(env, 'keys', 'list', '--server', bare.url);
  assert.equal(none.code, 2, none.err);
  assert.equal(
    none.err,
    `vouch: ${bare.url}/api/v1/admin/keys answered 303, a redirect without a Location that is not followed.\n`,
  );
});
