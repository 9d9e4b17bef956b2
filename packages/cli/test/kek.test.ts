// `vouch kek rewrap` end to end through the real binary, on both engines: a server's keys re-sealed under a new KEK
// file, the old file refused at the next start, the new one serving the same JWKS; refusals that change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVER_KEY_PURPOSES } from '@vouch/server';
import { eachEngine } from '../../server/test/helpers/storage.ts';
import { serverEnv } from '../../server/test/helpers/app.ts';
import { jwksKids, run, runBin } from './helpers.ts';

eachEngine(
  'vouch kek rewrap: the new KEK serves the same keys, the old one is refused, refusals change nothing',
  async ({ engine, options, dataDir }) => {
    const env = serverEnv(engine, options);
    const before = await jwksKids(env);
    assert.ok(before.length > 0);
    const currentFile = env.VOUCH_KEK_FILE ?? join(dataDir, 'kek.key');
    const oldKek = await readFile(currentFile, 'utf8');
    const newFile = join(dataDir, 'kek.new');
    await writeFile(newFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

    // Refusals first: a missing file, the same key, and a wrong current key; the database is untouched after each.
    const missing = await runBin(['kek', 'rewrap', '--new-kek-file', join(dataDir, 'absent')], env, dataDir);
    assert.equal(missing.code, 2, missing.err);
    assert.match(missing.err, /no key-encryption key file at .*absent \(KEK_INVALID\)/);
    const same = await runBin(['kek', 'rewrap', '--new-kek-file', currentFile], env, dataDir);
    assert.equal(same.code, 2, same.err);
    assert.match(same.err, /KEK_UNCHANGED/);
    const wrongCurrent = join(dataDir, 'wrong.key');
    await writeFile(wrongCurrent, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const wrong = await runBin(
      ['kek', 'rewrap', '--new-kek-file', newFile],
      { ...env, VOUCH_KEK_FILE: wrongCurrent },
      dataDir,
    );
    assert.equal(wrong.code, 2, wrong.err);
    assert.match(wrong.err, /KEK_MISMATCH/);
    if (engine === 'sqlite') {
      // A data directory with a key but no database: refused, and no database is created there.
      const stray = join(dataDir, 'stray');
      await mkdir(stray);
      await writeFile(join(stray, 'kek.key'), oldKek, { mode: 0o600 });
      const nodb = await runBin(['kek', 'rewrap', '--new-kek-file', newFile, '--data-dir', stray], env, dataDir);
      assert.equal(nodb.code, 2, nodb.err);
      assert.match(nodb.err, /no Vouch database in .*stray \(DATABASE_UNAVAILABLE\)/);
      assert.deepEqual(await readdir(stray), ['kek.key']);
    }
    assert.deepEqual(await jwksKids(env), before, 'the old KEK still works after the refusals');

    const done = await runBin(['kek', 'rewrap', '--new-kek-file', newFile, '--json'], env, dataDir);
    assert.equal(done.code, 0, done.err);
    const report = JSON.parse(done.out) as { keys: number; currentFile: string; newFile: string };
    // Every purpose's key (the JWKS shows only the token keys); the next start opens each of them.
    assert.deepEqual(report, { keys: SERVER_KEY_PURPOSES.length, currentFile, newFile });
    assert.ok(!done.out.includes(oldKek.trim()));

    // The old file no longer starts a server; the new one in its place serves the same public keys.
    await assert.rejects(jwksKids(env), (err: { code?: string }) => err.code === 'KEK_MISMATCH');
    await rename(newFile, currentFile);
    assert.deepEqual(await jwksKids(env), before);
  },
  // Five `vouch` processes and four server starts: 57 s on SQLite on a loaded 2-core machine, so 60 s was too tight.
  { timeout: 180_000 },
);

test('vouch kek rewrap --help has an example', async () => {
  const help = await run('kek', 'rewrap', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /Examples:\n {2}\$ vouch kek rewrap --new-kek-file/);
});
