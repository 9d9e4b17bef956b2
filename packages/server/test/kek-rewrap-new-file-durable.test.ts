// `vouch kek rewrap` makes the new KEK file the only key that opens the server keys once its transaction commits, and
// the database's commit is flushed to disk: the new file must be on disk before then. `openssl rand -hex 32 > kek.new
// && vouch kek rewrap --new-kek-file kek.new` (the documented way) leaves the file in the page cache only, so a crash
// of the machine within seconds of the re-wrap brought back the re-sealed database beside an empty or absent kek.new,
// and every server key with it was lost. Both the file and its folder's entry are flushed before the transaction.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { rewrapDeploymentKek } from '../src/kek-rewrap.ts';
import { checkKek, kekFilePath } from '../src/storage/index.ts';
import { CHECK_META_KEY, kekCheckValue } from '../src/storage/kek.ts';
import { serverEnv } from './helpers/app.ts';
import { cannotSeeSyncs, recordingSyncs } from './helpers/fsync.ts';
import { eachEngine } from './helpers/storage.ts';
import type { EngineContext } from './helpers/storage.ts';

const T0 = 1_750_000_000_000;
/** The deployment of `ctx`'s engine, its database checked against a random current KEK written to its KEK file. */
async function deploymentWithKek(ctx: EngineContext) {
  const config = loadConfig(serverEnv(ctx.engine, ctx.options));
  const currentFile = kekFilePath({ kekFile: config.kekFile, dataDir: config.dataDir, engine: ctx.engine });
  const oldKek = randomBytes(32);
  await writeFile(currentFile, `${oldKek.toString('hex')}\n`, { mode: 0o600 });
  const storage = await ctx.open();
  await checkKek(storage, oldKek, T0);
  return { config, storage, oldKek };
}

const NO_WARNINGS = { warn: (_: unknown, message: string) => assert.fail(`unexpected warning: ${message}`) };

eachEngine('kek rewrap flushes the new KEK file and its folder before the re-wrap commits', async (ctx) => {
  if (cannotSeeSyncs(ctx.t)) return;
  const { config, storage, oldKek } = await deploymentWithKek(ctx);
  const newKek = randomBytes(32);
  const newFile = join(ctx.dataDir, 'kek.new');
  await writeFile(newFile, `${newKek.toString('hex')}\n`, { mode: 0o600 });
  const checkValue = async () =>
    (await storage.db.selectFrom('meta').select('value').where('key', '=', CHECK_META_KEY).executeTakeFirst())?.value;

  // What the database's check value was when each flush of the new file (or of its folder) began.
  const seen = new Map<string, string | undefined>();
  const real = await realpath(newFile);
  await recordingSyncs(
    async () => {
      await rewrapDeploymentKek(config, newFile, T0 + 1, NO_WARNINGS);
    },
    async (path) => {
      if ((path === real || path === dirname(real)) && !seen.has(path)) seen.set(path, await checkValue());
    },
  );
  assert.equal(await checkValue(), kekCheckValue(newKek), 'the re-wrap committed');
  assert.deepEqual(
    Object.fromEntries(seen),
    { [real]: kekCheckValue(oldKek), [dirname(real)]: kekCheckValue(oldKek) },
    'the new KEK file and its folder are flushed before the database is sealed under it',
  );
});

eachEngine('kek rewrap flushes both folders of a new KEK file named through a symbolic link', async (ctx) => {
  if (cannotSeeSyncs(ctx.t)) return;
  const { config, storage, oldKek } = await deploymentWithKek(ctx);
  // The key in a folder of its own, named by a link in the data directory: both names must survive a crash.
  const keys = await mkdtemp(join(tmpdir(), 'vouch-kek-new-'));
  ctx.t.after(() => rm(keys, { recursive: true, force: true }));
  const newKek = randomBytes(32);
  await writeFile(join(keys, 'kek.new'), `${newKek.toString('hex')}\n`, { mode: 0o600 });
  const link = join(ctx.dataDir, 'kek.next');
  await symlink(join(keys, 'kek.new'), link);
  const [linkFolder, keyFolder] = [await realpath(ctx.dataDir), await realpath(keys)];

  const flushed: string[] = [];
  await recordingSyncs(
    async () => {
      await rewrapDeploymentKek(config, link, T0 + 1, NO_WARNINGS);
    },
    async (path) => {
      const value = (
        await storage.db.selectFrom('meta').select('value').where('key', '=', CHECK_META_KEY).executeTakeFirst()
      )?.value;
      if (value === kekCheckValue(oldKek)) flushed.push(path);
    },
  );
  assert.ok(flushed.includes(keyFolder), `the key's own folder is flushed before the commit: ${flushed.join(', ')}`);
  assert.ok(flushed.includes(linkFolder), `and the link's folder: ${flushed.join(', ')}`);
});
