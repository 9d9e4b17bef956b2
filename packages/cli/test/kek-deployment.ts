// A SQLite deployment whose database holds its KEK's check value, for the tests of `vouch kek rewrap`'s refusals:
// each changes the open database, closes it, and runs the re-wrap to a fresh key.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkKek, openStorage, readKek } from '../../server/src/storage/index.ts';
import type { Storage } from '../../server/src/storage/index.ts';
import { writeTestKek } from '../../server/test/helpers/app.ts';
import { runClean, tempDir } from './helpers.ts';

/** The deployment in a folder removed with the test: its data directory, its open database and its KEK. */
export async function kekDeployment(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ dataDir: string; storage: Storage; kek: Buffer }> {
  const dataDir = join(await tempDir(t), 'data');
  const storage = await openStorage({ dataDir });
  writeTestKek(join(dataDir, 'kek.key'));
  const kek = await readKek(join(dataDir, 'kek.key'));
  await checkKek(storage, kek, 1);
  return { dataDir, storage, kek };
}

/** `vouch kek rewrap` of the deployment in `dataDir` to a new random key, as the docs make one. */
export async function rewrapToNewKek(dataDir: string): Promise<{ code: number; out: string; err: string }> {
  const newFile = join(dataDir, 'kek.new');
  await writeFile(newFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return runClean({ VOUCH_DATA_DIR: dataDir }, 'kek', 'rewrap', '--new-kek-file', newFile);
}
