// checkKeyFileModes can be given the stat of the file a caller has open (KeyFile.stats), and then checks that file's
// mode instead of looking the path up again: between a read and a check by path the path may have been pointed at
// another file, so a key read from a file any user may write could pass as one from the owner's own file. Without
// stats it looks the path up, as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKeyFileModes } from '../src/key-file-modes.ts';

const isPosix = process.platform !== 'win32';

test('the stats given are checked, not the path', { skip: !isPosix }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-key-modes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = async (name: string, mode: number) => {
    const path = join(dir, name);
    await writeFile(path, 'key\n');
    await chmod(path, mode);
    return path;
  };
  const statOf = async (path: string) => {
    const handle = await open(path, 'r');
    try {
      return await handle.stat();
    } finally {
      await handle.close();
    }
  };
  const warned: Array<{ file: string; mode: string }> = [];
  const logger = { warn: (fields: { file: string; mode: string }) => void warned.push(fields) };
  const owners = await file('owners.key', 0o600);
  const anyones = await file('anyones.key', 0o666);

  // The path names the owner's file, the file read was anyone's: refused.
  await assert.rejects(
    checkKeyFileModes([{ file: owners, setting: 'VOUCH_X', stats: await statOf(anyones) }], logger),
    (err: Error & { code?: string }) =>
      err.code === 'CONFIG_INVALID' && err.message.includes(`${owners} can be written by any user (mode 0666)`),
  );
  // The other way round: the file read was the owner's alone, whatever the path names now.
  await checkKeyFileModes([{ file: anyones, setting: 'VOUCH_X', stats: await statOf(owners) }], logger);
  // A file read that is group-readable warns with the path it was read by.
  await checkKeyFileModes(
    [{ file: owners, setting: 'VOUCH_X', stats: await statOf(await file('group.key', 0o640)) }],
    logger,
  );
  assert.deepEqual(warned, [{ file: owners, mode: '0640' }]);
  // Without stats the path is looked up, as before.
  await assert.rejects(checkKeyFileModes([{ file: anyones, setting: 'VOUCH_X' }], logger), /any user/);
});
