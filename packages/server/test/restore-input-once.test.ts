// restoreSqlite opens the input once, checks that open file and copies from it: a name swapped for another file
// after the checks (here for another name of the live database) changes nothing of what is restored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { linkSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { restoreSqlite } from '../src/index.ts';
import { holdsLaterRow, restoreDeployment } from './helpers/restore-deployment.ts';

test('the input swapped for the live database after it was checked is not what is restored', async (t) => {
  const { dir, config, backup } = await restoreDeployment(t);
  const database = join(config.dataDir, 'vouch.db');
  // A folder group members may write draws a warning while the restore writes its copy: the moment to swap.
  await chmod(config.dataDir, 0o770);
  let swapped = false;
  const warnings = {
    warn: () => {
      if (swapped) return;
      swapped = true;
      renameSync(backup, join(dir, 'aside.db'));
      linkSync(database, backup);
    },
  };
  const done = await restoreSqlite(config, backup, { force: true, now: new Date(0) }, warnings);
  assert.ok(swapped, 'the restore warned about the folder');
  assert.equal(holdsLaterRow(done.database), false, 'the backup as checked was restored, not the live database');
  assert.ok(done.previous !== null && holdsLaterRow(done.previous));
});
