// Review: `vouch kek rewrap` read the current and the new KEK file whatever their mode, while a server warns at start
// about a key file group members or others may read (or group members write) and refuses one any user may write. The
// rewrap now applies the same rule, through the server's checkKeyFileModes, to both files: a warning on stderr naming
// the file, its mode and chmod 600 (stdout stays the result), and exit 2 for a file others may write, before anything
// is read or written (the database still opens under the old KEK). Real files, the real binary, both engines.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eachEngine } from '../../server/test/helpers/storage.ts';
import { serverEnv } from '../../server/test/helpers/app.ts';
import { jwksKids, runBin } from './helpers.ts';

eachEngine(
  'vouch kek rewrap warns about KEK files others may read and refuses one any user may write',
  async ({ engine, options, dataDir }) => {
    const env = serverEnv(engine, options);
    const before = await jwksKids(env);
    const currentFile = env.VOUCH_KEK_FILE ?? join(dataDir, 'kek.key');
    const setting = engine === 'postgres' ? 'VOUCH_KEK_FILE' : 'VOUCH_DATA_DIR';
    const newFile = join(dataDir, 'kek.new');
    await writeFile(newFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const rewrap = () => runBin(['kek', 'rewrap', '--new-kek-file', newFile, '--json'], env, dataDir);

    // The new file writable by any user: refused, naming it, before the database is touched.
    await chmod(newFile, 0o666);
    const openNew = await rewrap();
    assert.equal(openNew.code, 2, openNew.err);
    assert.equal(openNew.out, '');
    assert.match(
      openNew.err,
      new RegExp(`the key file ${newFile} can be written by any user \\(mode 0666\\).*chmod 600 ${newFile}`),
    );
    // The current one writable by any user: refused the same way, naming the setting that chose it.
    await chmod(newFile, 0o600);
    await chmod(currentFile, 0o602);
    const openCurrent = await rewrap();
    assert.equal(openCurrent.code, 2, openCurrent.err);
    assert.match(openCurrent.err, new RegExp(`${setting}: the key file ${currentFile} can be written by any user`));
    await chmod(currentFile, 0o600);
    assert.deepEqual(await jwksKids(env), before, 'nothing changed: the old KEK still opens every key');

    // Readable by others, or writable by the group: re-sealed, with one warning per file on stderr.
    await chmod(currentFile, 0o644);
    await chmod(newFile, 0o620);
    const done = await rewrap();
    assert.equal(done.code, 0, done.err);
    const report = JSON.parse(done.out) as { currentFile: string; newFile: string };
    assert.deepEqual([report.currentFile, report.newFile], [currentFile, newFile], 'stdout is the result alone');
    const warnings = done.err.trim().split('\n');
    assert.deepEqual(warnings, [
      `vouch: warning: key file ${currentFile} can be read by other users (mode 0644); chmod 600 ${currentFile}.`,
      `vouch: warning: key file ${newFile} can be written by group members (mode 0620); chmod 600 ${newFile}.`,
    ]);
    const kek = (await readFile(newFile, 'utf8')).trim();
    assert.ok(!done.err.includes(kek), 'never the key');
  },
  { timeout: 180_000 },
);
