// An existing $VOUCH_HOME keeps its permissions: it is the user's folder (it may be $HOME, or /tmp), and the secrets
// live below it in identities/ (0700, files 0600), which the CLI owns and tightens. Before, the CLI set the folder
// itself to 0700: `VOUCH_HOME=/tmp vouch agent create` as root took /tmp's sticky bit and everyone's access away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareIdentityStore } from '../src/identity-store.ts';

test('an existing VOUCH_HOME keeps its mode; identities/ is created or tightened to 0700', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-home-mode-'));
  try {
    const shared = join(dir, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777); // like /tmp: world-writable with the sticky bit
    await mkdir(join(shared, 'identities'));
    await chmod(join(shared, 'identities'), 0o755);
    await prepareIdentityStore({ VOUCH_HOME: shared });
    assert.equal((await stat(shared)).mode & 0o7777, 0o1777);
    assert.equal((await stat(join(shared, 'identities'))).mode & 0o7777, 0o700);

    // A VOUCH_HOME the CLI creates is 0700.
    const fresh = join(dir, 'fresh');
    await prepareIdentityStore({ VOUCH_HOME: fresh });
    assert.equal((await stat(fresh)).mode & 0o777, 0o700);
    assert.equal((await stat(join(fresh, 'identities'))).mode & 0o777, 0o700);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
