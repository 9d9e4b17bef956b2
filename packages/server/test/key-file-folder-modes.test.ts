// Review: checkKeyFileModes looked at a key file's own mode only. A file that is 0600 in a folder other users may
// write (without the sticky bit that /tmp has) is no safer than a world-writable one: anyone can rename their own
// file over it. Such a folder, the key file's or any above it (rename the folder itself away), and on either side of a
// symbolic link, is now refused like a world-writable file; one group members may write draws a warning, as a
// group-writable file does. Real folders and real modes (tests run as root, whose access bypasses the modes but whose
// stat reports them as set).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../src/config-error.ts';
import { loadConfig } from '../src/config.ts';
import { checkKeyFileModes } from '../src/key-file-modes.ts';
import { startServer } from '../src/start.ts';
import { LogCapture, serverEnv } from './helpers/app.ts';

interface Warned {
  fields: { file: string; mode: string; folder?: string };
  message: string;
}

/** Runs the check on `files` (setting `TEST_KEY`), answering what it warned about or the error it threw. */
async function check(...files: string[]): Promise<{ warned: Warned[]; error?: unknown }> {
  const warned: Warned[] = [];
  const logger = { warn: (fields: Warned['fields'], message: string) => void warned.push({ fields, message }) };
  try {
    await checkKeyFileModes(
      files.map((file) => ({ file, setting: 'TEST_KEY' })),
      logger,
    );
    return { warned };
  } catch (error) {
    return { warned, error };
  }
}

/** A fresh folder (0700, mkdtemp's mode) under the system's temp folder, removed after the test. */
async function base(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-key-folder-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a 0600 key file `name` in `dir`. */
async function keyFile(dir: string, name = 'admin.key'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, 'vouch_admin_secret\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

test('a 0600 key file in a folder any user may write (no sticky bit) is refused, naming the folder', async (t) => {
  const dir = join(await base(t), 'keys');
  await mkdir(dir);
  const file = await keyFile(dir);
  for (const mode of [0o777, 0o703, 0o2777]) {
    await chmod(dir, mode);
    const shown = (mode & 0o777).toString(8).padStart(4, '0');
    const { warned, error } = await check(file);
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.equal(
      error.message,
      `TEST_KEY: the folder ${dir} holding the key file ${file} can be written by any user (mode ${shown}, no ` +
        `sticky bit), who could put their own file in place of the key: chmod o-w ${dir}.`,
    );
    assert.ok(!error.message.includes('vouch_admin_secret'));
    assert.deepEqual(warned, []);
  }

  // The sticky bit (as on /tmp): only the file's owner may rename or remove it, so nothing to say.
  await chmod(dir, 0o1777);
  assert.deepEqual(await check(file), { warned: [] });
  // The owner's alone, or readable by others: nothing to say either (reading the folder reveals names, not keys).
  for (const mode of [0o700, 0o755]) {
    await chmod(dir, mode);
    assert.deepEqual(await check(file), { warned: [] });
  }
});

test('a key file in a folder group members may write draws one warning (folder, mode, fix) and is used', async (t) => {
  const dir = join(await base(t), 'shared');
  await mkdir(dir);
  const kek = await keyFile(dir, 'kek.key');
  const admin = await keyFile(dir, 'admin.key');
  for (const mode of [0o770, 0o775, 0o2770]) {
    await chmod(dir, mode);
    const shown = (mode & 0o777).toString(8).padStart(4, '0');
    const { warned, error } = await check(kek, admin);
    assert.equal(error, undefined);
    // One warning for the folder, not one per key file in it.
    assert.deepEqual(warned, [
      {
        fields: { file: kek, folder: dir, mode: shown },
        message:
          `folder ${dir} holding key file ${kek} can be written by group members (mode ${shown}, no sticky bit); ` +
          `chmod g-w ${dir}`,
      },
    ]);
  }
  await chmod(dir, 0o1770);
  assert.deepEqual(await check(kek, admin), { warned: [] });
});

test('a folder further up that any user may write is refused too: its subfolder could be renamed away', async (t) => {
  const top = join(await base(t), 'open');
  const dir = join(top, 'vouch');
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o700);
  const file = await keyFile(dir);
  await chmod(top, 0o777);
  const { error } = await check(file);
  assert.ok(error instanceof ConfigError, String(error));
  assert.match(error.message, new RegExp(`^TEST_KEY: the folder ${top} holding the key file ${file} can be written`));

  await chmod(top, 0o775);
  const { warned } = await check(file);
  assert.deepEqual(
    warned.map((w) => w.fields),
    [{ file, folder: top, mode: '0775' }],
  );
});

test('a symbolic link to a key file: the folders of the link and of the file it names both count', async (t) => {
  const root = await base(t);
  const real = join(root, 'real');
  const links = join(root, 'links');
  await mkdir(real);
  await mkdir(links);
  const file = await keyFile(real);
  const link = join(links, 'admin.key');
  await symlink(file, link);

  // The file's own folder is open: whoever replaces the file it names replaces the key.
  await chmod(real, 0o777);
  const viaFile = await check(link);
  assert.ok(viaFile.error instanceof ConfigError, String(viaFile.error));
  assert.ok(viaFile.error.message.includes(`the folder ${real} holding the key file ${link}`), viaFile.error.message);

  // The link's folder is open: whoever replaces the link points it at their own key.
  await chmod(real, 0o700);
  await chmod(links, 0o777);
  const viaLink = await check(link);
  assert.ok(viaLink.error instanceof ConfigError, String(viaLink.error));
  assert.ok(viaLink.error.message.includes(`the folder ${links} holding the key file ${link}`), viaLink.error.message);

  await chmod(links, 0o755);
  assert.deepEqual(await check(link), { warned: [] });
});

test("the file's own mode is still judged first; a missing file is still left to its reader", async (t) => {
  const dir = await base(t);
  const file = await keyFile(dir);
  await chmod(file, 0o666);
  await chmod(dir, 0o777);
  const { error } = await check(file);
  assert.ok(error instanceof ConfigError, String(error));
  assert.match(error.message, /the key file .* can be written by any user \(mode 0666\)/);
  assert.deepEqual(await check(join(dir, 'absent.key')), { warned: [] });
});

/** The warnings a start logged about folders above its key files. */
function folderWarnings(logs: LogCapture): { folder?: string; mode?: string }[] {
  return logs.lines
    .map((l) => JSON.parse(l) as { level: number; folder?: string; mode?: string })
    .filter((l) => l.level === 40 && l.folder !== undefined);
}

test('a server start: a data folder any user may write is refused before the database; a group one is warned', async (t) => {
  const dataDir = join(await base(t), 'data');
  const { VOUCH_ADMIN_KEY: _, ...env } = serverEnv('sqlite', { dataDir });
  // The first start creates the folder (0700), kek.key and admin.key (0600): nothing to say.
  const first = new LogCapture();
  await (await startServer(loadConfig({ ...env, VOUCH_LOG_LEVEL: 'info' }), { logStream: first })).close();
  assert.deepEqual(folderWarnings(first), [], first.text());

  await chmod(dataDir, 0o777);
  const err = await startServer(loadConfig(env)).catch((e: unknown) => e);
  assert.ok(err instanceof ConfigError, String(err));
  assert.match(
    err.message,
    new RegExp(
      `^VOUCH_DATA_DIR: the folder ${dataDir} holding the key file ${join(dataDir, 'kek.key')} can be written`,
    ),
  );

  await chmod(dataDir, 0o770);
  const logs = new LogCapture();
  await (await startServer(loadConfig({ ...env, VOUCH_LOG_LEVEL: 'info' }), { logStream: logs })).close();
  assert.deepEqual(
    folderWarnings(logs).map((w) => [w.folder, w.mode]),
    [[dataDir, '0770']],
    logs.text(),
  );
});
