// `vouch serve` (and `npm start`, which runs it) refused a KEK that is not the database's, or a KEK file that holds no
// key, with the message alone, where docs/operations.md says the server "stops with KEK_MISMATCH" (or KEK_INVALID),
// and `vouch kek rewrap`, backup and restore end each refusal with its stable code: an operator or a script looking
// for the code found none. The refusal now ends with it, exit code 2 as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from '../../server/test/helpers/app.ts';
import { freePort } from '../../server/test/helpers/net.ts';
import { kekBoundDataDir } from '../../server/test/helpers/restore-deployment.ts';
import { runClean } from './helpers.ts';

test('vouch serve ends a KEK refusal with its code', async (t) => {
  const { dataDir } = await kekBoundDataDir(t, 'vouch-serve-kek-');
  const env = {
    VOUCH_DATA_DIR: dataDir,
    VOUCH_KEK_FILE: '',
    VOUCH_DATABASE_URL: '',
    VOUCH_PUBLIC_URL: '',
    VOUCH_ADMIN_KEY: TEST_ADMIN_KEY,
    VOUCH_LOG_LEVEL: 'silent',
  };
  const kekFile = join(dataDir, 'kek.key');
  const cases: Array<[string, RegExp]> = [
    // Another key: the database was set up under the one kekBoundDataDir wrote.
    [`${randomBytes(32).toString('hex')}\n`, /^vouch: The key-encryption key is not the one .* \(KEK_MISMATCH\)\n$/],
    ['not a key\n', /^vouch: The key-encryption key file .* \(KEK_INVALID\)\n$/],
  ];
  for (const [content, message] of cases) {
    await writeFile(kekFile, content, { mode: 0o600 });
    const port = String(await freePort());
    const r = await runClean(env, 'serve', '--host', '127.0.0.1', '--port', port);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, message);
  }
});
