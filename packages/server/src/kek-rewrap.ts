// `vouch kek rewrap`: the deployment-level side of replacing the key-encryption key. Finds the current KEK file
// the way the server does, reads both files (never creating one) and re-seals the server keys.
import { realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Config } from './config.ts';
import { storageOptionsOf } from './config.ts';
import { syncFile, syncFolder } from './files/sync.ts';
import { describeCause } from './storage/lib/error-cause.ts';
import { checkKeyFileModes } from './key-file-modes.ts';
import type { KeyFileWarnings } from './key-file-modes.ts';
import {
  assertKeysDiffer,
  assertSealedUnderOld,
  assertVouchDatabase,
  kekFilePath,
  openStorage,
  readKek,
  rewrapKek,
  StorageError,
} from './storage/index.ts';

/** What `vouch kek rewrap` reports. */
export interface DeploymentRewrap {
  /** Server keys sealed again under the new KEK. */
  keys: number;
  /** The KEK file the servers use now (`VOUCH_KEK_FILE`, or `<data dir>/kek.key` on SQLite). */
  currentFile: string;
  newFile: string;
}

/**
 * Re-seals the deployment's server keys under the KEK in `newKekFile`; run it with every server stopped. Afterwards
 * the servers start only with the new file at `currentFile` (or `VOUCH_KEK_FILE` pointing at it).
 * Both KEK files are held to a server start's rule first (see checkKeyFileModes): one group members or others may
 * read, or group members write, is told to `warnings` and used; one any user may write is a `ConfigError`, before
 * either is read. Throws `StorageError` with `KEK_REQUIRED`, `KEK_INVALID`, `KEK_MISMATCH`, `KEK_UNCHANGED`,
 * `SEALED_INVALID`, `DATABASE_UNAVAILABLE` when the settings name no Vouch database (then nothing is created), or
 * `MIGRATION_FAILED` (a database a newer Vouch migrated, as at a start).
 *
 * @example
 * const { keys } = await rewrapDeploymentKek(loadConfig(), '/etc/vouch/kek.new', Date.now(), logger);
 */
export async function rewrapDeploymentKek(
  config: Config,
  newKekFile: string,
  nowMs: number,
  warnings: KeyFileWarnings,
): Promise<DeploymentRewrap> {
  const engine = config.databaseUrl === undefined ? 'sqlite' : 'postgres';
  const currentFile = kekFilePath({ kekFile: config.kekFile, dataDir: config.dataDir, engine });
  // Whoever may replace either file holds the server keys: the old one opens them now, the new one from now on.
  await checkKeyFileModes(
    [
      {
        file: currentFile,
        setting: config.kekFile === undefined || config.kekFile === '' ? 'VOUCH_DATA_DIR' : 'VOUCH_KEK_FILE',
      },
      { file: newKekFile, setting: 'the new KEK' },
    ],
    warnings,
  );
  // Both keys and the database must exist already: a wrong path must not leave a new key or database behind.
  const oldKek = await readKek(currentFile);
  // Read inside the try: a new file that does not read must not leave the current key unzeroed.
  let newKek: Buffer | undefined;
  try {
    newKek = await readKek(newKekFile);
    // Checked before openStorage, which would create and migrate whatever schema or file the settings name; and so
    // are the keys against the database's check value (rewrapKek checks them again in its transaction): a refused
    // re-wrap must not migrate a database an older version left.
    const check = await assertVouchDatabase(storageOptionsOf(config));
    assertKeysDiffer(oldKek, newKek);
    assertSealedUnderOld(check, oldKek, newKek);
    await flushNewKek(newKekFile);
    const storage = await openStorage(storageOptionsOf(config));
    try {
      const { keys } = await rewrapKek(storage, oldKek, newKek, nowMs);
      return { keys, currentFile, newFile: newKekFile };
    } finally {
      await storage.close();
    }
  } finally {
    oldKek.fill(0);
    newKek?.fill(0);
  }
}

/**
 * Flushes the new KEK file and its folder's entry to disk before the re-wrap commits (which the database flushes):
 * afterwards it is the only key that opens the server keys, and a file just written (`openssl rand -hex 32 > kek.new`)
 * is in the page cache only, so a crash of the machine soon after would bring back the re-sealed database beside an
 * empty or absent file. A platform that cannot flush a file or folder is no reason to refuse; any other failure (EIO)
 * is `KEK_INVALID`, nothing re-sealed.
 */
async function flushNewKek(file: string): Promise<void> {
  try {
    await syncFile(file, { notOurs: true });
    // As named, and where a symbolic link to it lies: both names must survive.
    const real = await realpath(file);
    for (const folder of new Set([dirname(real), dirname(file)])) await syncFolder(folder);
  } catch (err) {
    throw new StorageError(
      'KEK_INVALID',
      `The new key-encryption key file ${file} cannot be flushed to disk (${describeCause(err)}); nothing was ` +
        're-sealed.',
      { cause: err },
    );
  }
}
