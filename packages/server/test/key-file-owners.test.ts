// Review: checkKeyFileModes judged a key file and the folders above it by their modes only. A file, or a folder above
// it, owned by another user (neither root nor the process's own) can be replaced by that user at will whatever its
// mode: the owner may chmod it, write it, or rename entries in the folder (the sticky bit spares an entry from other
// users, not from the folder's owner). It is now refused like a file any user may write, as sshd's StrictModes
// refuses such a home. Root-owned and the process's own files and folders pass as before, as does /tmp (root's, 1777).
// Tests run as root: files are given to uid 65534 (nobody) with chown, and the process's own uid is stood in for by
// replacing process.geteuid (the effective uid, which the kernel checks access by; process.getuid is the real one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, lchown, lstat, mkdir, mkdtemp, open, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../src/config-error.ts';
import { checkKeyFileModes } from '../src/key-file-modes.ts';

const OTHER = 65534;
const skip = process.getuid?.() !== 0 ? 'needs root, to give files to another user' : false;

/** Runs the check on `files` (setting `TEST_KEY`), answering the warnings it gave and the error it threw. */
async function check(...files: string[]): Promise<{ warned: string[]; error?: unknown }> {
  const warned: string[] = [];
  try {
    await checkKeyFileModes(
      files.map((file) => ({ file, setting: 'TEST_KEY' })),
      { warn: (_, message) => void warned.push(message) },
    );
    return { warned };
  } catch (error) {
    return { warned, error };
  }
}

const geteuid = process.geteuid;

/** Makes process.geteuid answer `uid` (undefined: no geteuid, as on Windows) until the test ends. */
function runAs(t: { after(fn: () => void): void }, uid: number | undefined): void {
  t.after(() => void (process.geteuid = geteuid));
  process.geteuid = uid === undefined ? undefined : () => uid;
}

/** A fresh folder (0700, root's) under the system's temp folder, removed after the test. */
async function base(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-key-owner-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A 0600 key file `name` in `dir`. */
async function keyFile(dir: string, name = 'admin.key'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, 'vouch_admin_secret\n');
  await chmod(file, 0o600);
  return file;
}

/**
 * The advice for `path` owned by `uid`: chown it to the process's own user, or, for root, run as its owner instead
 * (root taking it would lock out the user, the service's, that owns it).
 */
function advice(path: string, uid: number): string {
  const own = process.geteuid!();
  return own === 0 ? `run this as the user that owns it (sudo -u '#${uid}' ...), not as root` : `chown ${own} ${path}`;
}

/** Asserts `result` is the refusal of `path` (the key file itself when `path === file`) owned by `uid`. */
function assertRefused(result: { error?: unknown }, file: string, path: string, uid = OTHER): void {
  const { error } = result;
  assert.ok(error instanceof ConfigError, String(error));
  assert.equal(error.code, 'CONFIG_INVALID');
  assert.equal(
    error.message,
    path === file
      ? `TEST_KEY: the key file ${file} is owned by another user (uid ${uid}), who could replace the key: ` +
          `${advice(file, uid)}.`
      : `TEST_KEY: the folder ${path} holding the key file ${file} is owned by another user (uid ${uid}), who ` +
          `could put their own file in place of the key: ${advice(path, uid)}.`,
  );
  assert.ok(!error.message.includes('vouch_admin_secret'));
}

test('a key file owned by another user is refused, whatever its mode; root-owned passes', { skip }, async (t) => {
  const dir = await base(t);
  const file = await keyFile(dir);
  assert.deepEqual(await check(file), { warned: [] });
  await chown(file, OTHER, OTHER);
  for (const mode of [0o600, 0o400]) {
    await chmod(file, mode);
    assertRefused(await check(file), file, file);
  }
  // The group alone is another's: not a refusal (group members' access is judged by the mode).
  await chown(file, 0, OTHER);
  assert.deepEqual(await check(file), { warned: [] });
});

test('a folder above the key file owned by another user is refused, sticky bit or not', { skip }, async (t) => {
  const top = join(await base(t), 'theirs');
  const dir = join(top, 'keys');
  await mkdir(dir, { recursive: true });
  const file = await keyFile(dir);
  await chmod(top, 0o755);
  await chmod(dir, 0o700);

  // The key file's own folder.
  await chown(dir, OTHER, OTHER);
  assertRefused(await check(file), file, dir);
  // The owner of a sticky folder may still rename any entry in it.
  await chmod(dir, 0o1777);
  assertRefused(await check(file), file, dir);

  // A folder further up: its owner can rename the subfolder away.
  await chmod(dir, 0o700);
  await chown(dir, 0, 0);
  await chown(top, OTHER, OTHER);
  assertRefused(await check(file), file, top);

  await chown(top, 0, OTHER);
  assert.deepEqual(await check(file), { warned: [] });
});

test('a symbolic link: folders owned by another user on either side are refused', { skip }, async (t) => {
  const root = await base(t);
  const real = join(root, 'real');
  const links = join(root, 'links');
  await mkdir(real, { mode: 0o755 });
  await mkdir(links, { mode: 0o755 });
  const file = await keyFile(real);
  const link = join(links, 'admin.key');
  await symlink(file, link);
  assert.deepEqual(await check(link), { warned: [] });

  await chown(real, OTHER, OTHER);
  assertRefused(await check(link), link, real);
  await chown(real, 0, 0);
  await chown(links, OTHER, OTHER);
  assertRefused(await check(link), link, links);
  await chown(links, 0, 0);
  // The file the link names is another's.
  await chown(file, OTHER, OTHER);
  assertRefused(await check(link), link, link);
});

test("the process's own files and folders pass; root's too; a third user's are refused", { skip }, async (t) => {
  const dir = join(await base(t), 'mine');
  await mkdir(dir, { mode: 0o700 });
  const file = await keyFile(dir);
  await chown(dir, OTHER, OTHER);
  await chown(file, OTHER, OTHER);
  // Running as uid 65534: its own folder and file, in root's folders above.
  runAs(t, OTHER);
  assert.deepEqual(await check(file), { warned: [] });
  await chown(file, 0, 0);
  assert.deepEqual(await check(file), { warned: [] });
  await chown(file, OTHER - 1, OTHER - 1);
  assertRefused(await check(file), file, file, OTHER - 1);
});

test('the effective uid is the own one, not the real one (as under setuid)', { skip }, async (t) => {
  const dir = join(await base(t), 'mine');
  await mkdir(dir, { mode: 0o700 });
  const file = await keyFile(dir);
  await chown(dir, OTHER, OTHER);
  await chown(file, OTHER, OTHER);
  // The real uid stays root's (0): only the effective one is 65534's, and it is the one files are opened as.
  runAs(t, OTHER);
  assert.equal(process.getuid!(), 0);
  assert.deepEqual(await check(file), { warned: [] });
  // The advice names the effective uid.
  await chown(file, OTHER - 1, OTHER - 1);
  assertRefused(await check(file), file, file, OTHER - 1);
  assert.match(String((await check(file)).error), new RegExp(`chown ${OTHER} ${file}\\.$`));
});

test("as root, the advice is to run as the owner (chown 0 would lock the service's user out)", { skip }, async (t) => {
  const dir = join(await base(t), 'service');
  await mkdir(dir, { mode: 0o700 });
  const file = await keyFile(dir);
  await chown(file, OTHER, OTHER);
  // Still refused: root must not trust a file another user can replace.
  const asRoot = await check(file);
  assert.ok(asRoot.error instanceof ConfigError);
  assert.equal(
    asRoot.error.message,
    `TEST_KEY: the key file ${file} is owned by another user (uid ${OTHER}), who could replace the key: ` +
      `run this as the user that owns it (sudo -u '#${OTHER}' ...), not as root.`,
  );
  await chown(file, 0, 0);
  await chown(dir, OTHER, OTHER);
  const folder = await check(file);
  assert.ok(folder.error instanceof ConfigError);
  assert.match(
    folder.error.message,
    new RegExp(
      `the folder ${dir} holding .* run this as the user that owns it ` +
        `\\(sudo -u '#${OTHER}' \\.\\.\\.\\), not as root\\.$`,
    ),
  );
  assert.ok(!folder.error.message.includes('chown'));
  // A user other than root is still told to chown to itself.
  runAs(t, OTHER - 1);
  assert.ok(String((await check(file)).error).endsWith(`: chown ${OTHER - 1} ${dir}.`));
});

/** Asserts `result` is the refusal of the symbolic link `link`, owned by `uid`, on the way to `file`. */
function assertLinkRefused(result: { error?: unknown }, file: string, link: string, uid = OTHER): void {
  const { error } = result;
  assert.ok(error instanceof ConfigError, String(error));
  assert.equal(error.code, 'CONFIG_INVALID');
  const own = process.geteuid!();
  assert.equal(
    error.message,
    `TEST_KEY: the symbolic link ${link} on the way to the key file ${file} is owned by another user (uid ${uid}), ` +
      `who could point it at their own file: ` +
      (own === 0
        ? `run this as the user that owns it (sudo -u '#${uid}' ...), not as root.`
        : `chown -h ${own} ${link}.`),
  );
}

/** A sticky folder any user may write (as /tmp), root's, in a fresh temp folder: it passes the folder rule. */
async function stickyFolder(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const sticky = join(await base(t), 'shared');
  await mkdir(sticky);
  await chmod(sticky, 0o1777);
  return sticky;
}

test(
  'a symbolic link owned by another user in a sticky folder is refused: its owner can repoint it',
  { skip },
  async (t) => {
    const sticky = await stickyFolder(t);
    const real = join(sticky, '..', 'real');
    await mkdir(real, { mode: 0o755 });
    const file = await keyFile(real);
    const link = join(sticky, 'admin.key');
    await symlink(file, link);
    // Root's link (and root's folders, the sticky one included) pass.
    assert.deepEqual(await check(link), { warned: [] });

    // The link itself is given away: the file it names, and every folder, stay root's.
    await lchown(link, OTHER, OTHER);
    assert.equal((await lstat(link)).uid, OTHER);
    assert.equal((await stat(link)).uid, 0);
    assertLinkRefused(await check(link), link, link);
    // Its owner's own link is theirs to trust.
    runAs(t, OTHER);
    assert.deepEqual(await check(link), { warned: [] });
    // A user other than root is told to chown the link itself (-h: plain chown would follow it to the key).
    runAs(t, OTHER - 1);
    assertLinkRefused(await check(link), link, link);
  },
);

test('a link to a folder on the way, and a link in a chain, owned by another user are refused', { skip }, async (t) => {
  const sticky = await stickyFolder(t);
  const real = join(sticky, '..', 'real');
  await mkdir(real, { mode: 0o755 });
  const file = await keyFile(real);
  // A link to the key's folder: the path goes through it.
  const keys = join(sticky, 'keys');
  await symlink(real, keys);
  const viaFolder = join(keys, 'admin.key');
  assert.deepEqual(await check(viaFolder), { warned: [] });
  await lchown(keys, OTHER, OTHER);
  assertLinkRefused(await check(viaFolder), viaFolder, keys);

  // A chain: a root-owned link, in a root-owned folder, to another user's link in the sticky folder.
  const middle = join(sticky, 'middle.key');
  await symlink(file, middle);
  const outer = join(real, 'outer.key');
  await symlink(middle, outer);
  assert.deepEqual(await check(outer), { warned: [] });
  await lchown(middle, OTHER, OTHER);
  assertLinkRefused(await check(outer), outer, middle);

  // A relative link, resolved from its own folder.
  const relative = join(sticky, 'relative.key');
  await symlink('../real/admin.key', relative);
  assert.deepEqual(await check(relative), { warned: [] });
  await lchown(relative, OTHER, OTHER);
  assertLinkRefused(await check(relative), relative, relative);
});

test('the folder holding a link in the middle of a chain is judged too', { skip }, async (t) => {
  const root = await base(t);
  const real = join(root, 'real');
  const hop = join(root, 'hop');
  await mkdir(real, { mode: 0o755 });
  await mkdir(hop, { mode: 0o755 });
  const file = await keyFile(real);
  const middle = join(hop, 'admin.key');
  await symlink(file, middle);
  const outer = join(root, 'admin.key');
  await symlink(middle, outer);
  assert.deepEqual(await check(outer), { warned: [] });
  // Neither above the name given nor above the file finally named, the hop's folder could still swap the middle link.
  await chown(hop, OTHER, OTHER);
  assertRefused(await check(outer), outer, hop);
  await chown(hop, 0, 0);
  await chmod(hop, 0o777);
  assert.match(
    String((await check(outer)).error),
    new RegExp(`the folder ${hop} holding the key file ${outer} can be written by any user`),
  );
});

test('the stats given (the file the caller read) are judged for the owner, not the path', { skip }, async (t) => {
  const dir = await base(t);
  const mine = await keyFile(dir, 'mine.key');
  const theirs = await keyFile(dir, 'theirs.key');
  await chown(theirs, OTHER, OTHER);
  const handle = await open(theirs, 'r');
  const stats = await handle.stat().finally(() => handle.close());
  const error = await checkKeyFileModes([{ file: mine, setting: 'TEST_KEY', stats }], { warn: () => {} }).catch(
    (e: unknown) => e,
  );
  assertRefused({ error }, mine, mine);
});

test('a key file in /tmp (root, 1777) passes as before; no geteuid (Windows) checks no owner', { skip }, async (t) => {
  const dir = await base(t);
  const file = await keyFile(dir);
  assert.deepEqual(await check(file), { warned: [] });
  await chown(file, OTHER, OTHER);
  runAs(t, undefined);
  assert.deepEqual(await check(file), { warned: [] });
});
